package marketplace

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

// MatchView is a match with both listings and both members, as staff and
// members review it.
type MatchView struct {
	*Match
	Offer       *Listing `json:"offer"`
	Need        *Listing `json:"need"`
	OfferMember *Member  `json:"offer_member"`
	NeedMember  *Member  `json:"need_member"`
}

// FindMatchesForReview returns staff's review queue: matches best first,
// with both sides, filtered by status, category (or sector), area and
// score. Retired matches are left out unless asked for.
func (s *Service) FindMatchesForReview(ctx context.Context, f MatchFilter) ([]*MatchView, string, error) {
	if err := s.requireStaff(ctx, "review matches"); err != nil {
		return nil, "", err
	}
	if err := f.validate(); err != nil {
		return nil, "", err
	}
	f.Limit = clampLimit(f.Limit)
	ms, next, err := s.Matches.FindMatches(ctx, f)
	if err != nil {
		return nil, "", err
	}
	views, err := s.viewMatches(ctx, ms)
	return views, next, err
}

// FindMyMatches returns the matches of the signed-in user's member, best
// first, without the ones staff dismissed.
func (s *Service) FindMyMatches(ctx context.Context, f MatchFilter) ([]*MatchView, string, error) {
	me := UserFromContext(ctx)
	if me == nil {
		return nil, "", Errorf(EUNAUTHORIZED, "Sign in first.")
	}
	if me.MemberID == "" {
		return nil, "", Errorf(EFORBIDDEN, "Only users of a member have matches.")
	}
	if err := f.validate(); err != nil {
		return nil, "", err
	}
	f.MemberID, f.Limit = me.MemberID, clampLimit(f.Limit)
	ms, next, err := s.Matches.FindMatches(ctx, f)
	if err != nil {
		return nil, "", err
	}
	kept := ms[:0]
	for _, m := range ms {
		if m.Status != MatchDismissed {
			kept = append(kept, m)
		}
	}
	views, err := s.viewMatches(ctx, kept)
	return views, next, err
}

func (f MatchFilter) validate() error {
	var fe fieldErrors
	if f.Status != "" && !f.Status.Valid() {
		fe.broke("status", RuleOneOf, RuleParams{Options: []string{"new", "introduced", "dismissed", "deal", "no_deal"}})
	}
	if f.Category != "" && Taxonomy.CategoriesOf(f.Category) == nil {
		fe.broke("category", RuleCategoryOrSector, RuleParams{Value: f.Category})
	}
	if f.Area != "" {
		if _, ok := FindPostcodeArea(f.Area); !ok {
			fe.broke("area", RulePostcodeArea, RuleParams{Value: f.Area})
		}
	}
	if !(f.MinScore >= 0 && f.MinScore <= 100) { // NaN included
		fe.broke("min_score", RuleBetween, RuleParams{Min: 0, Max: 100})
	}
	return fe.err()
}

// viewMatches fetches both sides of the matches in two queries.
func (s *Service) viewMatches(ctx context.Context, ms []*Match) ([]*MatchView, error) {
	var listingIDs, memberIDs []string
	for _, m := range ms {
		listingIDs = append(listingIDs, m.OfferID, m.NeedID)
		memberIDs = append(memberIDs, m.OfferMemberID, m.NeedMemberID)
	}
	listings, err := s.Listings.FindListingsByIDs(ctx, listingIDs)
	if err != nil {
		return nil, err
	}
	members, err := s.Members.FindMembersByIDs(ctx, memberIDs)
	if err != nil {
		return nil, err
	}
	views := make([]*MatchView, 0, len(ms))
	for _, m := range ms {
		v := &MatchView{Match: m, Offer: listings[m.OfferID], Need: listings[m.NeedID],
			OfferMember: members[m.OfferMemberID], NeedMember: members[m.NeedMemberID]}
		// A bulk load stores matches before their listings; one that
		// stopped between the two left matches of listings never stored.
		if v.Offer == nil || v.Need == nil || v.OfferMember == nil || v.NeedMember == nil {
			continue
		}
		views = append(views, v)
	}
	return views, nil
}

// FindMatchForReview returns one match with both sides, for staff or for
// either side's users.
func (s *Service) FindMatchForReview(ctx context.Context, id string) (*MatchView, error) {
	me := UserFromContext(ctx)
	if me == nil {
		return nil, Errorf(EUNAUTHORIZED, "Sign in first.")
	}
	m, err := s.Matches.FindMatchByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if !me.IsStaff() && !me.BelongsTo(m.OfferMemberID) && !me.BelongsTo(m.NeedMemberID) {
		return nil, Errorf(ENOTFOUND, "No such match.")
	}
	views, err := s.viewMatches(ctx, []*Match{m})
	if err != nil {
		return nil, err
	}
	return views[0], nil
}

// IntroduceMatch puts the two sides of a match in touch: it opens a
// thread between them, and each gets one message with what the other
// wrote and the link to that thread (sendIntroductions). Staff only;
// version is the match's version the reviewer saw (0: current).
func (s *Service) IntroduceMatch(ctx context.Context, id string, version int64, note string) (*MatchView, error) {
	var v *MatchView
	err := s.reviewMatch(ctx, id, version, "match.introduce", note, func(m *Match, now time.Time) error {
		if m.Status != MatchNew {
			return Errorf(ECONFLICT, "Only a new match can be introduced; this one is %s.", m.Status)
		}
		if m.Retired {
			return Errorf(ECONFLICT, "One of the listings is no longer open; the match cannot be introduced.")
		}
		m.Status, m.IntroducedAt = MatchIntroduced, &now
		if note != "" {
			m.Notes = appendNote(m.Notes, note)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if v, err = s.FindMatchForReview(ctx, id); err != nil {
		return nil, err
	}
	if err := s.sendIntroductions(ctx, v, note); err != nil {
		return nil, err
	}
	return v, nil
}

// DismissMatch takes a match out of the queue, with the reason. Staff only.
func (s *Service) DismissMatch(ctx context.Context, id string, version int64, reason string) (*MatchView, error) {
	if strings.TrimSpace(reason) == "" {
		return nil, Invalid(Broken("reason", RuleRequired, RuleParams{Hint: ": say why, for the record"}))
	}
	if err := s.reviewMatch(ctx, id, version, "match.dismiss", reason, func(m *Match, now time.Time) error {
		if m.Status != MatchNew && m.Status != MatchIntroduced {
			return Errorf(ECONFLICT, "A match that is %s cannot be dismissed.", m.Status)
		}
		m.Status, m.DecidedAt = MatchDismissed, &now
		m.Notes = appendNote(m.Notes, "Dismissed: "+reason)
		return nil
	}); err != nil {
		return nil, err
	}
	return s.FindMatchForReview(ctx, id)
}

// RecordOutcome records how an introduced match ended: a deal (with its
// value in pence, when known) or no deal. Staff only.
func (s *Service) RecordOutcome(ctx context.Context, id string, version int64, outcome MatchStatus, valuePence int64, note string) (*MatchView, error) {
	var fe fieldErrors
	if outcome != MatchDeal && outcome != MatchNoDeal {
		fe.broke("outcome", RuleEither, RuleParams{Options: []string{"deal", "no_deal"}})
	}
	if valuePence < 0 || valuePence > MaxPricePence {
		fe.broke("value_pence", RuleBetween, RuleParams{Min: 0, Max: MaxPricePence})
	}
	if outcome == MatchNoDeal && valuePence != 0 {
		fe.broke("value_pence", RuleDealsOnly, RuleParams{})
	}
	if err := fe.err(); err != nil {
		return nil, err
	}
	if err := s.reviewMatch(ctx, id, version, "match.outcome", note, func(m *Match, now time.Time) error {
		if m.Status != MatchIntroduced && m.Status != MatchDeal && m.Status != MatchNoDeal {
			return Errorf(ECONFLICT, "Introduce the two sides before recording an outcome; this match is %s.", m.Status)
		}
		m.Status, m.DecidedAt, m.DealValuePence = outcome, &now, valuePence
		if note != "" {
			m.Notes = appendNote(m.Notes, note)
		}
		return nil
	}); err != nil {
		return nil, err
	}
	return s.FindMatchForReview(ctx, id)
}

// DeclineMatch records that the signed-in user's member is not interested
// in a match; staff see it in the queue.
func (s *Service) DeclineMatch(ctx context.Context, id string) (*MatchView, error) {
	me := UserFromContext(ctx)
	if me == nil {
		return nil, Errorf(EUNAUTHORIZED, "Sign in first.")
	}
	for attempt := 0; ; attempt++ {
		m, err := s.Matches.FindMatchByID(ctx, id)
		if err != nil {
			return nil, err
		}
		if !me.BelongsTo(m.OfferMemberID) && !me.BelongsTo(m.NeedMemberID) {
			return nil, Errorf(ENOTFOUND, "No such match.")
		}
		if slices.Contains(m.Declined, me.MemberID) {
			return s.FindMatchForReview(ctx, id)
		}
		m.Declined = append(m.Declined, me.MemberID)
		m.UpdatedAt = s.now()
		err = s.Matches.UpdateMatch(ctx, m, m.Version)
		if ErrorCode(err) == EPRECONDITION && attempt < 3 {
			continue
		} else if err != nil {
			return nil, err
		}
		return s.FindMatchForReview(ctx, id)
	}
}

// reviewMatch reads a match, lets change modify it, writes it under its
// version and records the staff action.
func (s *Service) reviewMatch(ctx context.Context, id string, version int64, action, reason string, change func(*Match, time.Time) error) error {
	if err := s.requireStaff(ctx, "review matches"); err != nil {
		return err
	}
	m, err := s.Matches.FindMatchByID(ctx, id)
	if err != nil {
		return err
	}
	if version == 0 {
		version = m.Version
	} else if version != m.Version {
		return Errorf(EPRECONDITION, "The match has changed since version %d; fetch it again.", version)
	}
	before := m.Status
	now := s.now()
	if err := change(m, now); err != nil {
		return err
	}
	m.ReviewerID, m.UpdatedAt = UserFromContext(ctx).ID, now
	if err := s.Matches.UpdateMatch(ctx, m, version); err != nil {
		return err
	}
	details := map[string]string{"from": string(before), "to": string(m.Status)}
	if m.DealValuePence > 0 {
		details["value_pence"] = fmt.Sprint(m.DealValuePence)
	}
	s.RecordAudit(ctx, action, "match:"+m.ID, reason, details)
	return nil
}

func (s *Service) requireStaff(ctx context.Context, what string) error {
	me := UserFromContext(ctx)
	if me == nil {
		return Errorf(EUNAUTHORIZED, "Sign in first.")
	}
	if !me.IsStaff() {
		return Errorf(EFORBIDDEN, "Only federation staff can %s.", what)
	}
	return nil
}

func appendNote(notes, note string) string {
	note = strings.TrimSpace(note)
	if notes == "" {
		return note
	}
	return notes + "\n" + note
}
