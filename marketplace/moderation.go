package marketplace

import (
	"context"
	"strconv"
	"strings"
	"unicode/utf8"
)

// NotifyListingRemoved is the notification a member gets when staff remove
// one of its listings, with their note. It is a service message, not one
// of the NotificationTypes people choose: it always reaches the member's
// inbox and its owners' e-mail.
const NotifyListingRemoved = "listing.removed"

// MaxModerationNote bounds the note staff send with a removal, in
// characters.
const MaxModerationNote = 2000

// RemoveListing takes a listing down for good, as moderation: its status
// becomes removed, so it leaves search and its open matches retire (the
// usual work that follows a change), its member is told why in the inbox
// and by e-mail, and the action is audited. Staff only; the note to the
// member is required. version is the listing's version the staff member
// saw (0: the current one).
//
// It returns EUNAUTHORIZED or EFORBIDDEN for anyone but staff, EINVALID
// without a note, ENOTFOUND for an unknown listing, EPRECONDITION when the
// listing changed since version, and ECONFLICT when it is already removed.
func (s *Service) RemoveListing(ctx context.Context, id string, version int64, note string) (*Listing, error) {
	if err := s.requireStaff(ctx, "remove listings"); err != nil {
		return nil, err
	}
	note = strings.TrimSpace(note)
	switch {
	case note == "":
		return nil, Invalid(Broken("note", RuleRequired, RuleParams{Hint: ": tell the member why the listing was removed"}))
	case utf8.RuneCountInString(note) > MaxModerationNote:
		return nil, Invalid(Broken("note", RuleMaxLength, RuleParams{Max: MaxModerationNote}))
	case hasControl(note, true):
		return nil, Invalid(Broken("note", RuleControl, RuleParams{}))
	}
	l, err := s.Listings.FindListingByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if version == 0 {
		version = l.Version
	} else if version != l.Version {
		return nil, Errorf(EPRECONDITION, "The listing has changed since version %d; fetch it again.", version)
	}
	if l.Status == StatusRemoved {
		return nil, Errorf(ECONFLICT, "The listing is already removed.")
	}
	before := l.Status
	l.Status, l.UpdatedAt = StatusRemoved, s.now()
	if err := s.Listings.UpdateListing(ctx, l, version); err != nil {
		return nil, err
	}
	s.listingChanged(ctx, l)
	s.RecordAudit(ctx, "listing.remove", "listing:"+l.ID, note, map[string]string{
		"from": string(before), "to": string(StatusRemoved), "member_id": l.MemberID, "title": l.Title,
	})
	if err := s.sendRemovalNotice(ctx, l, note); err != nil {
		return nil, err
	}
	return l, nil
}

// sendRemovalNotice tells the member of a removed listing why, once per
// removal: the key names the version the removal wrote.
func (s *Service) sendRemovalNotice(ctx context.Context, l *Listing, note string) error {
	m, err := s.Members.FindMemberByID(ctx, l.MemberID)
	if err != nil {
		return err
	}
	msg := RemovalMessage{Member: m.Name, Listing: l, Note: note, Link: s.link("/dashboard")}
	about := "removed:" + l.ID + ":" + strconv.FormatInt(l.Version, 10)
	return s.notifyMember(ctx, m, NotifyListingRemoved, about, msg,
		map[string]string{"listing_id": l.ID})
}
