package marketplace

import (
	"sync"
	"time"
)

// countLimiter allows each key at most max events in a sliding window, in
// memory: a user's invitations, an address's applications.
type countLimiter struct {
	mu     sync.Mutex
	max    int
	window time.Duration
	events map[string][]time.Time
}

func newCountLimiter(max int, window time.Duration) *countLimiter {
	return &countLimiter{max: max, window: window, events: map[string][]time.Time{}}
}

// allow records an event of key at now and reports whether it is within
// the limit; an event over the limit is not recorded.
func (l *countLimiter) allow(key string, now time.Time) bool {
	return l.allowUpTo(key, l.max, now)
}

// allowUpTo is allow with a limit of its own, for keys trusted with more.
func (l *countLimiter) allowUpTo(key string, max int, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.events) > guessKeysMax {
		for k, ts := range l.events {
			if len(ts) == 0 || now.Sub(ts[len(ts)-1]) >= l.window {
				delete(l.events, k)
			}
		}
	}
	kept := l.events[key][:0]
	for _, t := range l.events[key] {
		if now.Sub(t) < l.window {
			kept = append(kept, t)
		}
	}
	if len(kept) >= max {
		l.events[key] = kept
		return false
	}
	l.events[key] = append(kept, now)
	return true
}

// mayInviteNow records an invitation sent by the user and reports whether
// it is within the user's hourly limit: staff bringing in the federation's
// co-ops invite many first owners in an hour.
func (s *Service) mayInviteNow(u *User) error {
	limit := InvitationsPerHour
	if u.IsStaff() {
		limit = StaffInvitationsPerHour
	}
	if !s.invites().allowUpTo(u.ID, limit, s.now()) {
		return Errorf(ERATELIMITED, "You have sent %d invitations in the last hour; try again later.", limit)
	}
	return nil
}

// invites limits the invitations each user sends.
func (s *Service) invites() *countLimiter {
	s.inviteOnce.Do(func() { s.inviteLim = newCountLimiter(InvitationsPerHour, time.Hour) })
	return s.inviteLim
}

// applications limits the applications to join made from each e-mail
// address.
func (s *Service) applications() *countLimiter {
	s.applyOnce.Do(func() { s.applyLim = newCountLimiter(ApplicationsPerDay, 24*time.Hour) })
	return s.applyLim
}
