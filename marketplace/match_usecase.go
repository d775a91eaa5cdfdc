package marketplace

import (
	"context"
	"errors"
	"slices"
	"time"
)

// MatchQueue is told of each new match, so that both sides hear of it.
type MatchQueue interface {
	EnqueueMatchCreated(ctx context.Context, matchID string) error
}

// CandidatePool holds the open listings that matching looks through. It is
// shared by every worker process: a listing Put by one is seen by the
// BestMatches of any other that asks afterwards, so that of two listings
// that change at once at least one finds the other.
type CandidatePool interface {
	// Put records a listing's current state, replacing what was there;
	// listed says whether its member's standing keeps it listed. Listings
	// that are not open are removed.
	Put(ctx context.Context, l *Listing, listed bool) error
	// BestMatches returns the best matches of a listing among the open
	// listings in the pool, at most limit of them.
	BestMatches(ctx context.Context, l *Listing, listed bool, now time.Time, limit int) ([]*Match, error)
}

// MaxMatchesPerListing bounds how many counterparts one listing is matched
// with: the best, so that a broad offer does not flood staff.
const MaxMatchesPerListing = 25

// MatchListing matches a listing against its counterparts: it records the
// listing in the candidate pool, scores the counterparts, creates or
// updates the matches above the threshold, retires its open matches that no
// longer hold, and records the version matched. A listing that is not open
// (closed, paused, removed, expired, or its member lapsed) retires its open
// matches. It is idempotent.
func (s *Service) MatchListing(ctx context.Context, id string, version int64) error {
	l, err := s.Listings.FindListingByID(ctx, id)
	if err != nil {
		return err
	}
	m, err := s.Members.FindMemberByID(ctx, l.MemberID)
	if err != nil && ErrorCode(err) != ENOTFOUND {
		return err
	}
	listed := m != nil && m.Standing.Listed()
	if err := s.Pool.Put(ctx, l, listed); err != nil {
		return err
	}
	now := s.now()
	var best []*Match
	if listed && l.Open(now) {
		best, err = s.Pool.BestMatches(ctx, l, listed, now, MaxMatchesPerListing)
		if err != nil {
			return err
		}
	}

	existing, err := s.Matches.FindMatchesOfListing(ctx, l.ID)
	if err != nil {
		return err
	}
	keep := make(map[string]bool, len(best))
	for _, b := range best {
		keep[b.ID] = true
		b.CreatedAt, b.UpdatedAt, b.Version = now, now, 1
	}
	var dropped []*Match
	for _, e := range existing {
		// A match that no longer holds leaves the queue unless staff have
		// already acted on it; its history stays either way.
		if !keep[e.ID] && !e.Retired && e.Status == MatchNew {
			dropped = append(dropped, e)
		}
	}
	retire, held, err := s.stillBestOfOther(ctx, l, dropped, now)
	if err != nil {
		return err
	}
	best = append(best, held...)
	if len(retire) > 0 {
		if err := s.Matches.RetireMatches(ctx, retire); err != nil {
			return err
		}
	}
	if len(best) > 0 {
		created, err := s.Matches.UpsertMatchScores(ctx, best)
		if err != nil {
			return err
		}
		if err := s.retireLapsedCounterparts(ctx, l, best, now); err != nil {
			return err
		}
		var errs []error
		for _, id := range created {
			errs = append(errs, s.Queue.EnqueueMatchCreated(ctx, id))
		}
		if err := errors.Join(errs...); err != nil {
			// The matches are stored; the reconciler notifies later.
			s.logger().WarnContext(ctx, "cannot enqueue match notifications", "listing", l.ID, "error", err)
		}
	}
	return s.Listings.MarkListingMatched(ctx, l.ID, l.Version)
}

// stillBestOfOther sorts the matches that fell out of l's best into those
// to retire and those that still hold because they are among the best of
// their other listing: a match stands while it is among the best of either
// side, so that a need does not lose a good supplier because the supplier
// has become popular. Those that hold come back rescored.
func (s *Service) stillBestOfOther(ctx context.Context, l *Listing, dropped []*Match, now time.Time) (retire []string, held []*Match, err error) {
	if len(dropped) == 0 {
		return nil, nil, nil
	}
	ids := make([]string, 0, len(dropped))
	for _, m := range dropped {
		ids = append(ids, m.Other(l.ID))
	}
	others, err := s.Listings.FindListingsByIDs(ctx, ids)
	if err != nil {
		return nil, nil, err
	}
	memberIDs := make([]string, 0, len(others))
	for _, o := range others {
		memberIDs = append(memberIDs, o.MemberID)
	}
	members, err := s.Members.FindMembersByIDs(ctx, memberIDs)
	if err != nil {
		return nil, nil, err
	}
	for _, m := range dropped {
		o := others[m.Other(l.ID)]
		var theirs []*Match
		if o != nil && members[o.MemberID] != nil && members[o.MemberID].Standing.Listed() && o.Open(now) {
			theirs, err = s.Pool.BestMatches(ctx, o, true, now, MaxMatchesPerListing)
			if err != nil {
				return nil, nil, err
			}
		}
		i := slices.IndexFunc(theirs, func(t *Match) bool { return t.ID == m.ID })
		if i < 0 {
			retire = append(retire, m.ID)
			continue
		}
		t := theirs[i]
		t.CreatedAt, t.UpdatedAt, t.Version = now, now, 1
		held = append(held, t)
	}
	return retire, held, nil
}

// retireLapsedCounterparts retires the matches just written whose other
// listing is no longer open: the pool may have offered it after it closed,
// paused or lapsed, and its own job may have retired its matches before
// these were written. Reading the counterparts after writing closes that
// gap: whatever changes after this read has a job of its own, which runs
// after these matches exist.
func (s *Service) retireLapsedCounterparts(ctx context.Context, l *Listing, written []*Match, now time.Time) error {
	ids := make([]string, 0, len(written))
	for _, m := range written {
		ids = append(ids, m.Other(l.ID))
	}
	others, err := s.Listings.FindListingsByIDs(ctx, ids)
	if err != nil {
		return err
	}
	memberIDs := make([]string, 0, len(others))
	for _, o := range others {
		memberIDs = append(memberIDs, o.MemberID)
	}
	members, err := s.Members.FindMembersByIDs(ctx, memberIDs)
	if err != nil {
		return err
	}
	var retire []string
	for _, m := range written {
		o := others[m.Other(l.ID)]
		if o == nil || !o.Open(now) || members[o.MemberID] == nil || !members[o.MemberID].Standing.Listed() {
			retire = append(retire, m.ID)
		}
	}
	if len(retire) == 0 {
		return nil
	}
	return s.Matches.RetireMatches(ctx, retire)
}

// NotifyMatch tells both sides of a new match, once: an inbox item and an
// e-mail to each member. Every message is recorded under a key unique to
// the match, the recipient and the channel before it is sent, so a retried
// or duplicated job sends nothing twice.
func (s *Service) NotifyMatch(ctx context.Context, matchID string) error {
	m, err := s.Matches.FindMatchByID(ctx, matchID)
	if err != nil {
		return err
	}
	if m.NotifiedAt != nil {
		return nil
	}
	if err := s.announceMatch(ctx, m); err != nil {
		return err
	}
	return s.Matches.MarkMatchNotified(ctx, m.ID, s.now())
}
