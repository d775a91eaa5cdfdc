package marketplace

import (
	"context"
	"time"
)

// CreateListing posts a new listing, as a draft, for the signed-in user's
// member, which must be in good standing.
func (s *Service) CreateListing(ctx context.Context, l *Listing) error {
	me := UserFromContext(ctx)
	if me == nil {
		return Errorf(EUNAUTHORIZED, "Sign in first.")
	}
	if me.MemberID == "" {
		return Errorf(EFORBIDDEN, "Only users of a member can post listings.")
	}
	if err := s.checkMayPost(ctx, me.MemberID); err != nil {
		return err
	}
	l.ApplyDefaults()
	l.Normalize()
	now := s.now()
	if err := l.Validate(now); err != nil {
		return err
	}
	l.ID, l.MemberID, l.Status, l.Version = "", me.MemberID, StatusDraft, 1
	l.CreatedAt, l.UpdatedAt, l.PublishedAt = now, now, nil
	l.IndexedVersion, l.MatchedVersion = 0, 0
	if err := s.Listings.CreateListing(ctx, l); err != nil {
		return err
	}
	s.listingChanged(ctx, l)
	return nil
}

// FindListing returns a listing to whoever may see it (Listing.ShownTo);
// others get ENOTFOUND, so that drafts and needs stay secret.
func (s *Service) FindListing(ctx context.Context, id string) (*Listing, error) {
	l, _, err := s.ViewListing(ctx, id)
	return l, err
}

// ViewListing returns a listing and the profile of the member that posted
// it, to whoever may see the listing (Listing.ShownTo), as they may see
// them (Listing.For, Member.ProfileFor); others get ENOTFOUND.
func (s *Service) ViewListing(ctx context.Context, id string) (*Listing, *MemberProfile, error) {
	l, err := s.Listings.FindListingByID(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	m, err := s.Members.FindMemberByID(ctx, l.MemberID)
	if err != nil && ErrorCode(err) != ENOTFOUND {
		return nil, nil, err
	}
	viewer := UserFromContext(ctx)
	if m == nil || !l.ShownTo(viewer, m) {
		return nil, nil, Errorf(ENOTFOUND, "No such listing.")
	}
	return l.For(viewer), m.ProfileFor(viewer), nil
}

// FindListings lists listings newest first. Other members' listings are
// listed as Listing.ShownTo says: published, of members in good standing,
// needs only when signed in. A page of others' listings may hold fewer
// than the limit (those not shown are left out); follow the cursor to the
// end.
func (s *Service) FindListings(ctx context.Context, f ListingFilter) ([]*Listing, string, error) {
	if err := f.Validate(); err != nil {
		return nil, "", err
	}
	f.Limit = clampLimit(f.Limit)
	if s.canSeeAll(ctx, f.MemberID) {
		return s.Listings.FindListings(ctx, f)
	}
	viewer := UserFromContext(ctx)
	for _, st := range f.Statuses {
		if st != StatusPublished {
			return nil, "", Errorf(EFORBIDDEN, "Only your own member's listings can be listed by status other than published.")
		}
	}
	f.Statuses = []ListingStatus{StatusPublished}
	if !SeesNeeds(viewer) {
		if f.Kind == KindNeed {
			return nil, "", Invalid(Broken("kind", RuleMembersOnly, RuleParams{}))
		}
		f.Kind = KindOffer
	}
	page, next, err := s.Listings.FindListings(ctx, f)
	if err != nil {
		return nil, "", err
	}
	ids := make([]string, 0, len(page))
	for _, l := range page {
		ids = append(ids, l.MemberID)
	}
	members, err := s.Members.FindMembersByIDs(ctx, ids)
	if err != nil {
		return nil, "", err
	}
	shown := page[:0]
	for _, l := range page {
		if l.ShownTo(viewer, members[l.MemberID]) {
			shown = append(shown, l.For(viewer))
		}
	}
	return shown, next, nil
}

// canSeeAll reports whether the signed-in user may see every listing of the
// member, whatever its status.
func (s *Service) canSeeAll(ctx context.Context, memberID string) bool {
	me := UserFromContext(ctx)
	return me.IsStaff() || me.BelongsTo(memberID)
}

// UpdateListing changes a listing that is still open. version is the
// version the caller read; a stale one gets EPRECONDITION.
func (s *Service) UpdateListing(ctx context.Context, id string, version int64, upd ListingUpdate) (*Listing, error) {
	return s.changeListing(ctx, id, version, func(l *Listing, now time.Time) error {
		if !l.Status.Open() {
			return Errorf(ECONFLICT, "A %s listing cannot be edited.", l.Status)
		}
		if err := s.checkMayPost(ctx, l.MemberID); err != nil {
			return err
		}
		upd.Apply(l)
		l.Normalize()
		return l.Validate(now)
	})
}

// PublishListing shows a draft, paused or expired listing to everyone. The
// member must be in good standing. Its expiry is as Listing.Publish says.
func (s *Service) PublishListing(ctx context.Context, id string, version int64) (*Listing, error) {
	return s.changeListing(ctx, id, version, func(l *Listing, now time.Time) error {
		switch l.Status {
		case StatusDraft, StatusPaused, StatusExpired:
		case StatusPublished:
			return Errorf(ECONFLICT, "The listing is already published.")
		default:
			return Errorf(ECONFLICT, "A %s listing cannot be published.", l.Status)
		}
		if err := s.checkMayPost(ctx, l.MemberID); err != nil {
			return err
		}
		// On an error nothing is written, so l may be changed first.
		l.Publish(now)
		return l.Validate(now)
	})
}

// PauseListing hides a published listing for a while.
func (s *Service) PauseListing(ctx context.Context, id string, version int64) (*Listing, error) {
	return s.changeListing(ctx, id, version, func(l *Listing, now time.Time) error {
		if l.Status != StatusPublished {
			return Errorf(ECONFLICT, "Only a published listing can be paused; this one is %s.", l.Status)
		}
		l.Status = StatusPaused
		return nil
	})
}

// CloseListing ends a listing for good: the work is done or no longer
// wanted.
func (s *Service) CloseListing(ctx context.Context, id string, version int64) (*Listing, error) {
	return s.changeListing(ctx, id, version, func(l *Listing, now time.Time) error {
		if !l.Status.Open() {
			return Errorf(ECONFLICT, "A %s listing cannot be closed.", l.Status)
		}
		l.Status = StatusClosed
		return nil
	})
}

// changeListing reads a listing the signed-in user's member owns, lets
// change modify it and writes it back under optimistic concurrency. version
// 0 means "the version just read".
func (s *Service) changeListing(ctx context.Context, id string, version int64, change func(*Listing, time.Time) error) (*Listing, error) {
	me := UserFromContext(ctx)
	if me == nil {
		return nil, Errorf(EUNAUTHORIZED, "Sign in first.")
	}
	l, err := s.Listings.FindListingByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if !me.BelongsTo(l.MemberID) {
		if l.Status != StatusPublished && !me.IsStaff() {
			return nil, Errorf(ENOTFOUND, "No such listing.")
		}
		return nil, Errorf(EFORBIDDEN, "Only the member that posted a listing can change it.")
	}
	if version == 0 {
		version = l.Version
	} else if version != l.Version {
		return nil, Errorf(EPRECONDITION, "The listing has changed since version %d; fetch it again.", version)
	}
	now := s.now()
	if err := change(l, now); err != nil {
		return nil, err
	}
	l.UpdatedAt = now
	if err := s.Listings.UpdateListing(ctx, l, version); err != nil {
		return nil, err
	}
	s.listingChanged(ctx, l)
	return l, nil
}

// listingChanged tells the queue. A failure is logged, not returned: the
// write has happened, and the reconciler will enqueue the work again.
func (s *Service) listingChanged(ctx context.Context, l *Listing) {
	if err := s.Queue.EnqueueListingChanged(ctx, l.ID, l.Version); err != nil {
		s.logger().WarnContext(ctx, "cannot enqueue listing work; the reconciler will retry",
			"listing", l.ID, "version", l.Version, "error", err)
	}
}

// checkMayPost returns an error saying what to do when the member may not
// post: EFORBIDDEN while it awaits approval or is cancelled,
// EPAYMENTREQUIRED while its dues are unpaid.
func (s *Service) checkMayPost(ctx context.Context, memberID string) error {
	m, err := s.Members.FindMemberByID(ctx, memberID)
	if err != nil {
		return err
	}
	switch m.Standing.PostBlock() {
	case "":
		return nil
	case PostBlockPending:
		return Errorf(EFORBIDDEN, "Your membership is awaiting approval by federation staff; you can post once it is approved.")
	case PostBlockCancelled:
		return Errorf(EFORBIDDEN, "Your membership is cancelled; contact federation staff to rejoin.")
	default:
		return Errorf(EPAYMENTREQUIRED, "Your membership dues are unpaid (standing: %s); pay them to post and publish listings.", m.Standing)
	}
}
