package marketplace

import (
	"context"
	"slices"
	"strings"
)

// Kinds of a need's part.
const (
	PartCategory = "category" // the need's category
	PartTag      = "tag"      // one of the need's tags
)

// NeedPart is one thing a need asks for that the matcher scores: its
// category, or one of its tags.
type NeedPart struct {
	Kind  string `json:"kind"`
	Value string `json:"value"`
}

// PartnerOffer is a partner's published offer that covers parts of a need
// the lead lacks, with the matcher's score of it against the need and the
// reasons.
type PartnerOffer struct {
	ID       string        `json:"id"`
	Title    string        `json:"title"`
	Category string        `json:"category"`
	Tags     []string      `json:"tags"`
	Score    float64       `json:"score"`
	Reasons  []MatchReason `json:"reasons"`
	Covers   []NeedPart    `json:"covers"`
}

// PartnerSuggestion is a co-op that could answer a need with the lead: its
// directory entry, the parts it covers, the categories of its covering
// offers (its part in a joint quote) and the offers themselves, best first.
type PartnerSuggestion struct {
	Member     *MemberProfile  `json:"member"`
	Covers     []NeedPart      `json:"covers"`
	Categories []string        `json:"categories"`
	Score      float64         `json:"score"`
	Offers     []*PartnerOffer `json:"offers"`
}

// PartnerSuggestions are the parts of a need that the lead's own offers do
// not cover and the co-ops whose offers do.
type PartnerSuggestions struct {
	NeedID      string               `json:"need_id"`
	Missing     []NeedPart           `json:"missing"`
	Suggestions []*PartnerSuggestion `json:"suggestions"`
}

// Bounds of partner suggestions.
const (
	// MaxPartnerSuggestions is how many co-ops are suggested at most.
	MaxPartnerSuggestions = 10
	// partnerCandidates is how many of the need's best offers the matcher
	// is asked for; the suggestions are made from those.
	partnerCandidates = 100
)

// needParts returns the parts of a need: its category, then its tags.
func needParts(need *Listing) []NeedPart {
	parts := []NeedPart{{Kind: PartCategory, Value: need.Category}}
	for _, t := range need.Tags {
		parts = append(parts, NeedPart{Kind: PartTag, Value: t})
	}
	return parts
}

// coveredBy returns the parts an offer covers: the need's category when it
// is the offer's, each tag the offer carries too.
func coveredBy(parts []NeedPart, offer *Listing) []NeedPart {
	var out []NeedPart
	for _, p := range parts {
		switch {
		case p.Kind == PartCategory && offer.Category == p.Value,
			p.Kind == PartTag && slices.Contains(offer.Tags, p.Value):
			out = append(out, p)
		}
	}
	return out
}

// SuggestPartners suggests partners for a joint quote to a need from the
// signed-in user's member (the lead): it finds the parts of the need (its
// category and tags) that none of the lead's open offers within reach
// covers, asks the matcher (the candidate pool, CandidatePool.BestMatches)
// for the need's best offers, and keeps the co-ops in good standing whose
// offers cover a missing part, with the matcher's score and reasons. The
// lead, the need's member, worker members (who cannot join a consortium),
// members not in good standing, those already invited to the lead's draft
// joint quotes to the need and those in exclude are left out. Who may ask
// is who may quote: ENOTFOUND for a need the user may not see, EINVALID for
// a listing that is not a published need, EFORBIDDEN for the need's own
// member, staff or a member that may not post, EPAYMENTREQUIRED while the
// lead's dues are unpaid.
//
// It reads by _id only: the need, both members, the lead's offers through
// the member's lookup, the quotes of the need through theirs, and the
// candidates' members and offers; the candidates come from the matcher's
// in-memory pool, which scans storage once, when a process first uses it.
func (s *Service) SuggestPartners(ctx context.Context, needID string, exclude []string) (*PartnerSuggestions, error) {
	me, need, needMember, err := s.needToQuote(ctx, needID)
	if err != nil {
		return nil, err
	}
	now := s.now()
	mine, _, err := s.Listings.FindListings(ctx, ListingFilter{MemberID: me.MemberID, Kind: KindOffer, Statuses: []ListingStatus{StatusPublished}})
	if err != nil {
		return nil, err
	}
	covered := map[NeedPart]bool{}
	parts := needParts(need)
	for _, o := range mine {
		// The matcher's own hard constraints: open, related, within reach.
		if o.Open(now) && CategoriesRelated(o.Category, need.Category) && Reaches(o, need) {
			for _, p := range coveredBy(parts, o) {
				covered[p] = true
			}
		}
	}
	out := &PartnerSuggestions{NeedID: need.ID, Missing: []NeedPart{}, Suggestions: []*PartnerSuggestion{}}
	for _, p := range parts {
		if !covered[p] {
			out.Missing = append(out.Missing, p)
		}
	}
	if len(out.Missing) == 0 {
		return out, nil
	}
	left := map[string]bool{me.MemberID: true, need.MemberID: true}
	for _, id := range exclude {
		left[id] = true
	}
	quotes, err := s.Quotes.FindQuotesOf(ctx, "need:"+need.ID)
	if err != nil {
		return nil, err
	}
	for _, q := range quotes {
		if q.MemberID == me.MemberID && q.Status == QuoteDraft {
			for _, p := range q.Parts {
				left[p.MemberID] = true
			}
		}
	}
	best, err := s.Pool.BestMatches(ctx, need, needMember.Standing.Listed(), now, partnerCandidates)
	if err != nil {
		return nil, err
	}
	var memberIDs []string
	for _, m := range best {
		if !left[m.OfferMemberID] {
			memberIDs = append(memberIDs, m.OfferMemberID)
		}
	}
	members, err := s.Members.FindMembersByIDs(ctx, memberIDs)
	if err != nil {
		return nil, err
	}
	var offerIDs []string
	for _, m := range best {
		if p := members[m.OfferMemberID]; p != nil && !left[p.ID] && p.Kind == MemberEnterprise && p.Standing.MayPost() {
			offerIDs = append(offerIDs, m.OfferID)
		}
	}
	offers, err := s.Listings.FindListingsByIDs(ctx, offerIDs)
	if err != nil {
		return nil, err
	}
	byMember := map[string]*PartnerSuggestion{}
	for _, m := range best { // best first, so each member's offers are too
		o := offers[m.OfferID]
		if o == nil || o.MemberID != m.OfferMemberID || !o.Open(now) {
			continue
		}
		covers := coveredBy(out.Missing, o)
		if len(covers) == 0 {
			continue
		}
		sg := byMember[o.MemberID]
		if sg == nil {
			sg = &PartnerSuggestion{Member: members[o.MemberID].ProfileFor(UserFromContext(ctx)), Score: m.Score}
			byMember[o.MemberID] = sg
			out.Suggestions = append(out.Suggestions, sg)
		}
		sg.Offers = append(sg.Offers, &PartnerOffer{ID: o.ID, Title: o.Title, Category: o.Category, Tags: o.Tags,
			Score: m.Score, Reasons: m.Reasons, Covers: covers})
		for _, c := range covers {
			if !slices.Contains(sg.Covers, c) {
				sg.Covers = append(sg.Covers, c)
			}
		}
		if !slices.Contains(sg.Categories, o.Category) {
			sg.Categories = append(sg.Categories, o.Category)
		}
	}
	// Those covering most of what is missing first, then the best scored.
	slices.SortStableFunc(out.Suggestions, func(a, b *PartnerSuggestion) int {
		if len(a.Covers) != len(b.Covers) {
			return len(b.Covers) - len(a.Covers)
		}
		if a.Score != b.Score {
			if a.Score > b.Score {
				return -1
			}
			return 1
		}
		return strings.Compare(a.Member.Name, b.Member.Name)
	})
	if len(out.Suggestions) > MaxPartnerSuggestions {
		out.Suggestions = out.Suggestions[:MaxPartnerSuggestions]
	}
	return out, nil
}

// needToQuote returns the signed-in user, a need and its member when the
// user's member may quote on the need, with the errors SendQuote gives
// otherwise.
func (s *Service) needToQuote(ctx context.Context, needID string) (*User, *Listing, *Member, error) {
	me := UserFromContext(ctx)
	if me == nil {
		return nil, nil, nil, Errorf(EUNAUTHORIZED, "Sign in first.")
	}
	if me.MemberID == "" {
		return nil, nil, nil, Errorf(EFORBIDDEN, "Members quote; staff do not.")
	}
	need, err := s.Listings.FindListingByID(ctx, needID)
	if err != nil {
		return nil, nil, nil, err
	}
	needMember, err := s.Members.FindMemberByID(ctx, need.MemberID)
	if err != nil && ErrorCode(err) != ENOTFOUND {
		return nil, nil, nil, err
	}
	if needMember == nil || !need.ShownTo(me, needMember) {
		return nil, nil, nil, Errorf(ENOTFOUND, "No such listing.")
	}
	if need.Kind != KindNeed || !need.VisibleTo(needMember) {
		return nil, nil, nil, Invalid(Broken("listing_id", RuleNeedsOnly, RuleParams{Hint: ": quotes answer published needs"}))
	}
	if me.BelongsTo(need.MemberID) {
		return nil, nil, nil, Errorf(EFORBIDDEN, "This is your own need.")
	}
	if err := s.checkMayPost(ctx, me.MemberID); err != nil {
		return nil, nil, nil, err
	}
	return me, need, needMember, nil
}
