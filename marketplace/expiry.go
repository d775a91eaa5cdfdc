package marketplace

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// ExpiryReminder is how long before a listing expires its member is asked
// whether it is still wanted.
const ExpiryReminder = 7 * 24 * time.Hour

// ExpireListings moves published listings past their expiry (or a need past
// its deadline) to expired, which takes them out of search and retires
// their matches. It returns how many it expired. The system does it, so it
// needs no signed-in user.
func (s *Service) ExpireListings(ctx context.Context) (int, error) {
	now := s.now()
	due, err := s.Listings.FindPublishedExpiringBefore(ctx, now, 1000)
	if err != nil {
		return 0, err
	}
	n := 0
	var errs []error
	for _, l := range due {
		if l.Open(now) {
			continue // renewed meanwhile
		}
		version := l.Version
		l.Status, l.UpdatedAt = StatusExpired, now
		err := s.Listings.UpdateListing(ctx, l, version)
		if ErrorCode(err) == EPRECONDITION {
			continue // changed meanwhile; the next run looks again
		} else if err != nil {
			errs = append(errs, err)
			continue
		}
		n++
		s.listingChanged(ctx, l)
	}
	return n, errors.Join(errs...)
}

// RemindExpiring asks the members of listings that expire within a week
// whether they are still wanted: once per listing and expiry date.
func (s *Service) RemindExpiring(ctx context.Context) (int, error) {
	now := s.now()
	due, err := s.Listings.FindPublishedExpiringBefore(ctx, now.Add(ExpiryReminder), 1000)
	if err != nil {
		return 0, err
	}
	n := 0
	var errs []error
	for _, l := range due {
		if !l.Open(now) || l.ExpiresAt == nil {
			continue
		}
		m, err := s.Members.FindMemberByID(ctx, l.MemberID)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		msg := ExpiryMessage{Member: m.Name, Listing: l, Link: s.link("/listings/" + l.ID)}
		about := fmt.Sprintf("expiring:%s:%s", l.ID, l.ExpiresAt.Format("2006-01-02"))
		if err := s.notifyMember(ctx, m, NotifyListingExpiring, about, msg,
			map[string]string{"listing_id": l.ID, "expires_at": l.ExpiresAt.Format(time.RFC3339)}); err != nil {
			errs = append(errs, err)
			continue
		}
		n++
	}
	return n, errors.Join(errs...)
}
