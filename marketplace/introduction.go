package marketplace

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
)

// Staff introduce the two sides of a match through a thread the
// marketplace relays, as an enquiry is: neither side learns the other's
// address unless it gives it in a message.

// introductionThreadID is the ID of the thread of an introduced match:
// derived from the match's, so that introducing again finds the thread
// rather than opening a second.
func introductionThreadID(matchID string) string {
	sum := sha256.Sum256([]byte("introduction\n" + matchID))
	return hex.EncodeToString(sum[:12])
}

// introductionThread returns the thread of an introduced match, opening
// it the first time.
func (s *Service) introductionThread(ctx context.Context, v *MatchView) (*Thread, error) {
	id := introductionThreadID(v.ID)
	t, err := s.Threads.FindThreadByID(ctx, id)
	if ErrorCode(err) != ENOTFOUND {
		return t, err
	}
	now := s.now()
	t = &Thread{
		ID: id, Kind: ThreadIntroduction, Status: ThreadOpen, MatchID: v.ID, ListingID: v.Offer.ID, ListingTitle: v.Offer.Title,
		SupplierMemberID: v.OfferMember.ID, SupplierName: v.OfferMember.Name, BuyerMemberID: v.NeedMember.ID, BuyerName: v.NeedMember.Name,
		People: []*ThreadPerson{}, Messages: []*ThreadMessage{}, Version: 1, CreatedAt: now, UpdatedAt: now,
	}
	err = s.Threads.CreateThread(ctx, t)
	if ErrorCode(err) == ECONFLICT {
		return s.Threads.FindThreadByID(ctx, id) // opened meanwhile
	}
	return t, err
}

// sendIntroductions opens the thread of an introduced match and sends
// each side one message with what the other wrote and the link to the
// thread: in the inbox, by mail with a reply address of the thread for
// each user, and to the member's webhook.
func (s *Service) sendIntroductions(ctx context.Context, v *MatchView, note string) error {
	if v.Offer == nil || v.Need == nil || v.OfferMember == nil || v.NeedMember == nil {
		return Errorf(ENOTFOUND, "A side of the match is missing.")
	}
	t, err := s.introductionThread(ctx, v)
	if err != nil {
		return err
	}
	for _, side := range []struct {
		side        Side
		to, other   *Member
		own, theirs *Listing
		forNeed     bool
	}{
		{SideBuyer, v.NeedMember, v.OfferMember, v.Need, v.Offer, true},
		{SideSupplier, v.OfferMember, v.NeedMember, v.Offer, v.Need, false},
	} {
		msg := IntroMessage{Member: side.to.Name, ForNeed: side.forNeed, Other: side.other, Own: side.own, Theirs: side.theirs,
			Note: note, ListingLink: s.link("/listings/" + side.theirs.ID)}
		data := map[string]string{"match_id": v.ID, "listing_id": side.theirs.ID, "member_id": side.other.ID, "thread_id": t.ID}
		if err := s.tellThreadSide(ctx, t, side.side, NotifyMatchIntroduced, "intro:"+v.ID, data,
			func(link string) Message { msg.Link = link; return msg }); err != nil {
			return err
		}
	}
	return nil
}
