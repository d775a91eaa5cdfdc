package marketplace

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// checkQuote checks a quote's input.
func (s *Service) checkQuote(in QuoteInput) (QuoteInput, error) {
	var fe fieldErrors
	in.Covers, in.Note, in.ValidUntil, in.PriceUnit = strings.TrimSpace(in.Covers), strings.TrimSpace(in.Note), strings.TrimSpace(in.ValidUntil), strings.TrimSpace(in.PriceUnit)
	if in.PricePence < 1 || in.PricePence > MaxPricePence {
		fe.broke("price_pence", RulePositiveAmount, RuleParams{Max: MaxPricePence})
	}
	if !slices.Contains(PriceUnits, in.PriceUnit) {
		fe.broke("price_unit", RuleOneOf, RuleParams{Options: PriceUnits})
	}
	for _, f := range []struct {
		name, value string
		max         int
		required    bool
	}{{"covers", in.Covers, MaxQuoteCovers, true}, {"note", in.Note, MaxQuoteNote, false}} {
		switch {
		case f.value == "" && f.required:
			fe.broke(f.name, RuleRequired, RuleParams{})
		case utf8.RuneCountInString(f.value) > f.max:
			fe.broke(f.name, RuleMaxLength, RuleParams{Max: int64(f.max)})
		case hasControl(f.value, true):
			fe.broke(f.name, RuleControl, RuleParams{})
		}
	}
	if in.ValidUntil == "" {
		fe.broke("valid_until", RuleRequired, RuleParams{})
	} else if d, err := time.Parse("2006-01-02", in.ValidUntil); err != nil {
		fe.broke("valid_until", RuleInvalid, RuleParams{Value: "a date such as 2027-01-31"})
	} else if !d.After(s.now().Truncate(24 * time.Hour)) {
		fe.broke("valid_until", RuleFuture, RuleParams{})
	} else if d.After(s.now().AddDate(2, 0, 0)) {
		fe.broke("valid_until", RuleWithinYears, RuleParams{Max: 2})
	}
	return in, fe.err()
}

// SendQuote answers a published need with a quote from the signed-in
// user's member, which must be in good standing; the need's member is
// told. It returns ENOTFOUND for a need the user may not see, EINVALID for
// bad input or a listing that is not a published need, EFORBIDDEN for a
// member's own need or one that may not post, EPAYMENTREQUIRED while its
// dues are unpaid.
func (s *Service) SendQuote(ctx context.Context, needID string, in QuoteInput) (*Quote, error) {
	return s.sendQuote(ctx, needID, in, nil)
}

// sendQuote stores a quote: sent, or a draft when it has parts (a joint
// quote), which the need's member hears of once it is sent.
func (s *Service) sendQuote(ctx context.Context, needID string, in QuoteInput, parts []*QuotePart) (*Quote, error) {
	me := UserFromContext(ctx)
	if me == nil {
		return nil, Errorf(EUNAUTHORIZED, "Sign in first.")
	}
	if me.MemberID == "" {
		return nil, Errorf(EFORBIDDEN, "Members quote; staff do not.")
	}
	in, verr := s.checkQuote(in)
	need, err := s.Listings.FindListingByID(ctx, needID)
	if err != nil {
		return nil, err
	}
	needMember, err := s.Members.FindMemberByID(ctx, need.MemberID)
	if err != nil && ErrorCode(err) != ENOTFOUND {
		return nil, err
	}
	if needMember == nil || !need.ShownTo(me, needMember) {
		return nil, Errorf(ENOTFOUND, "No such listing.")
	}
	if need.Kind != KindNeed || !need.VisibleTo(needMember) {
		return nil, Invalid(Broken("listing_id", RuleNeedsOnly, RuleParams{Hint: ": quotes answer published needs"}))
	}
	if me.BelongsTo(need.MemberID) {
		return nil, Errorf(EFORBIDDEN, "This is your own need.")
	}
	for _, p := range parts {
		if p.MemberID == need.MemberID {
			return nil, Invalid(Broken("parts", RuleInvalid, RuleParams{Value: "the need's own member is no partner"}))
		}
	}
	if verr != nil {
		return nil, verr
	}
	if err := s.checkMayPost(ctx, me.MemberID); err != nil {
		return nil, err
	}
	mine, err := s.Members.FindMemberByID(ctx, me.MemberID)
	if err != nil {
		return nil, err
	}
	now := s.now()
	t := &Thread{
		ID: newThreadID(), Kind: ThreadQuote, Status: ThreadOpen, ListingID: need.ID, ListingTitle: need.Title,
		SupplierMemberID: mine.ID, SupplierName: mine.Name, BuyerMemberID: needMember.ID, BuyerName: needMember.Name,
		People: []*ThreadPerson{}, Messages: []*ThreadMessage{}, Version: 1, CreatedAt: now, UpdatedAt: now,
	}
	if err := s.Threads.CreateThread(ctx, t); err != nil {
		return nil, err
	}
	q := &Quote{
		NeedID: need.ID, NeedTitle: need.Title, NeedMemberID: needMember.ID, NeedMemberName: needMember.Name,
		MemberID: mine.ID, MemberName: mine.Name, PricePence: in.PricePence, PriceUnit: in.PriceUnit,
		Covers: in.Covers, ValidUntil: in.ValidUntil, Note: in.Note, Status: QuoteSent, ThreadID: t.ID,
		Version: 1, CreatedAt: now, UpdatedAt: now,
	}
	if len(parts) > 0 {
		parts[0].MemberName = mine.Name
		q.Parts, q.Status = parts, QuoteDraft
	}
	if err := s.Quotes.CreateQuote(ctx, q); err != nil {
		return nil, err
	}
	if q.Status == QuoteDraft {
		for _, p := range q.Parts[1:] {
			m, err := s.Members.FindMemberByID(ctx, p.MemberID)
			if err == nil {
				err = s.notifyMember(ctx, m, NotifyQuoteInvited, "quote:"+q.ID+":invited", QuoteNotice{Quote: q, Invited: true,
					Link: s.link("/listings/" + q.NeedID + "#quotes")}, map[string]string{"quote_id": q.ID, "need_id": q.NeedID})
			}
			if err != nil {
				s.logger().WarnContext(ctx, "cannot invite a partner", "quote", q.ID, "member", p.MemberID, "error", err)
			}
		}
		return q, nil
	}
	if err := s.notifyMember(ctx, needMember, NotifyQuoteNew, "quote:"+q.ID,
		QuoteNotice{Quote: q, Link: s.link("/listings/" + need.ID)}, map[string]string{"quote_id": q.ID, "need_id": need.ID}); err != nil {
		s.logger().WarnContext(ctx, "cannot tell of a quote", "quote", q.ID, "error", err)
	}
	return q, nil
}

// Who reads a quote.
const (
	quoteNeed    = "need"    // the need's member
	quoteLead    = "lead"    // the quoting member (a joint quote's lead)
	quotePartner = "partner" // a partner of a joint quote
)

// quoteFor returns a quote to the need's member (once it is sent), the
// quoting member or a joint quote's partner, saying which; anyone else
// gets ENOTFOUND. A lapsed or cancelled member still reads its quotes.
func (s *Service) quoteFor(ctx context.Context, id string) (*Quote, string, error) {
	me := UserFromContext(ctx)
	if me == nil {
		return nil, "", Errorf(EUNAUTHORIZED, "Sign in first.")
	}
	q, err := s.Quotes.FindQuoteByID(ctx, id)
	if err != nil {
		return nil, "", err
	}
	switch {
	case me.BelongsTo(q.NeedMemberID) && q.Status != QuoteDraft:
		return q, quoteNeed, nil
	case me.BelongsTo(q.MemberID):
		return q, quoteLead, nil
	case me.MemberID != "" && q.Part(me.MemberID) != nil:
		return q, quotePartner, nil
	}
	return nil, "", Errorf(ENOTFOUND, "No such quote.")
}

// FindQuote returns a quote to the need's member or the quoting member.
func (s *Service) FindQuote(ctx context.Context, id string) (*Quote, error) {
	q, _, err := s.quoteFor(ctx, id)
	return q, err
}

// FindNeedQuotes returns the quotes to a need: every one to the need's
// member, side by side; a quoting member only its own.
func (s *Service) FindNeedQuotes(ctx context.Context, needID string) ([]*Quote, error) {
	me := UserFromContext(ctx)
	if me == nil {
		return nil, Errorf(EUNAUTHORIZED, "Sign in first.")
	}
	if _, err := s.FindListing(ctx, needID); err != nil {
		return nil, err
	}
	qs, err := s.Quotes.FindQuotesOf(ctx, "need:"+needID)
	if err != nil {
		return nil, err
	}
	out := []*Quote{}
	for _, q := range qs {
		if (me.BelongsTo(q.NeedMemberID) && q.Status != QuoteDraft) || me.BelongsTo(q.MemberID) || (me.MemberID != "" && q.Part(me.MemberID) != nil) {
			out = append(out, q)
		}
	}
	return out, nil
}

// FindMyQuotes returns every quote the signed-in user's member sent,
// oldest first.
func (s *Service) FindMyQuotes(ctx context.Context) ([]*Quote, error) {
	qs, _, err := s.myQuotes(ctx, "", 0)
	return qs, err
}

// FindMyQuotePage returns a page of FindMyQuotes: at most limit quotes
// (the default page size when 0) after cursor, and the cursor of the next
// page ("" on the last).
func (s *Service) FindMyQuotePage(ctx context.Context, cursor string, limit int) ([]*Quote, string, error) {
	return s.myQuotes(ctx, cursor, clampLimit(limit))
}

// myQuotes pages FindMyQuotes (all when limit is 0).
func (s *Service) myQuotes(ctx context.Context, cursor string, limit int) ([]*Quote, string, error) {
	me := UserFromContext(ctx)
	if me == nil {
		return nil, "", Errorf(EUNAUTHORIZED, "Sign in first.")
	}
	if me.MemberID == "" {
		return []*Quote{}, "", nil
	}
	qs, next, err := s.Quotes.FindQuotes(ctx, QuoteFilter{Key: "member:" + me.MemberID, Cursor: cursor, Limit: limit})
	if qs == nil {
		qs = []*Quote{}
	}
	return qs, next, err
}

// Decisions on a quote.
const (
	QuoteAccept   = "accept"   // by the need's member: records a deal
	QuoteDecline  = "decline"  // by the need's member
	QuoteWithdraw = "withdraw" // by the quoting member, until accepted
)

// DecideQuote accepts, declines or withdraws a sent quote. Accepting
// records a confirmed deal of the quote's price (both sides agreed to it)
// and tells the quoting member. EFORBIDDEN for the wrong side, ECONFLICT
// for a quote no longer sent.
func (s *Service) DecideQuote(ctx context.Context, id, decision string) (*Quote, error) {
	for attempt := 0; ; attempt++ {
		q, who, err := s.quoteFor(ctx, id)
		if err != nil {
			return nil, err
		}
		ofNeed := who == quoteNeed
		var next QuoteStatus
		switch decision {
		case QuoteAccept, QuoteDecline:
			if !ofNeed {
				return nil, Errorf(EFORBIDDEN, "The need's member accepts or declines its quotes.")
			}
			next = QuoteAccepted
			if decision == QuoteDecline {
				next = QuoteDeclined
			}
		case QuoteWithdraw:
			if who != quoteLead {
				return nil, Errorf(EFORBIDDEN, "The quoting member (a joint quote's lead) withdraws its quote.")
			}
			next = QuoteWithdrawn
		default:
			return nil, Invalid(Broken("decision", RuleOneOf, RuleParams{Options: []string{QuoteAccept, QuoteDecline, QuoteWithdraw}}))
		}
		if q.Status == next {
			return q, nil
		}
		if q.Status != QuoteSent && !(q.Status == QuoteDraft && next == QuoteWithdrawn) {
			return nil, Errorf(ECONFLICT, "The quote is %s already.", q.Status)
		}
		now := s.now()
		var d *Deal
		if next == QuoteAccepted {
			d = &Deal{
				ID: newThreadID(), Origin: OriginQuote, ThreadID: q.ThreadID, ListingID: q.NeedID,
				SupplierMemberID: q.MemberID, SupplierName: q.MemberName, BuyerMemberID: q.NeedMemberID, BuyerName: q.NeedMemberName,
				ValuePence: q.PricePence, Date: now.Format("2006-01-02"), What: Truncate(q.Covers, MaxDealWhat),
				ReportedBy: SideBuyer, Status: DealConfirmed, ConfirmedAt: &now, Version: 1, CreatedAt: now, UpdatedAt: now,
			}
			if need, err := s.Listings.FindListingByID(ctx, q.NeedID); err == nil {
				d.Category, d.Area, d.District = need.Category, need.Area, need.District
			}
			if q.Joint() {
				d.Origin = OriginJointQuote
				for _, p := range q.Parts {
					d.Parts = append(d.Parts, DealPart{MemberID: p.MemberID, MemberName: p.MemberName, ValuePence: p.SharePence})
				}
			}
			q.DealID = d.ID
		}
		q.Status, q.UpdatedAt = next, now
		q.Version++
		err = s.Quotes.UpdateQuote(ctx, q)
		if ErrorCode(err) == EPRECONDITION && attempt < 5 {
			continue
		}
		if err != nil {
			return nil, err
		}
		if d != nil {
			// Stored after the quote, under the ID the quote names: a
			// crash between the two leaves an accepted quote whose deal
			// is missing, which accepting again cannot mend; rare, and
			// staff can record it.
			if err := s.Deals.CreateDeal(ctx, d); err != nil {
				return nil, err
			}
			m, err := s.Members.FindMemberByID(ctx, q.MemberID)
			if err == nil {
				err = s.notifyMember(ctx, m, NotifyQuoteAccepted, "quote:"+q.ID+":accepted",
					QuoteNotice{Quote: q, Accepted: true, Link: s.link("/deals")}, map[string]string{"quote_id": q.ID, "deal_id": d.ID})
			}
			if err != nil {
				s.logger().WarnContext(ctx, "cannot tell of an accepted quote", "quote", q.ID, "error", err)
			}
		}
		return q, nil
	}
}

// SendJointQuote drafts a quote to a need from the signed-in user's member
// (the lead) with partner members, each with its part: the categories of
// the work it does and its share of the price (the shares add up to the
// price; the lead's part is first). Each partner is told and accepts its
// place (JoinQuote) before the lead sends the quote (SendDraftQuote); until
// then the need's member does not see it.
func (s *Service) SendJointQuote(ctx context.Context, needID string, in JointQuoteInput) (*Quote, error) {
	me := UserFromContext(ctx)
	if me == nil {
		return nil, Errorf(EUNAUTHORIZED, "Sign in first.")
	}
	var fe fieldErrors
	switch {
	case len(in.Parts) < 2:
		fe.broke("parts", RuleMinItems, RuleParams{Min: 2})
	case len(in.Parts) > MaxQuoteParts:
		fe.broke("parts", RuleMaxItems, RuleParams{Max: MaxQuoteParts})
	case in.Parts[0].MemberID != me.MemberID:
		fe.broke("parts[0].member_id", RuleInvalid, RuleParams{Value: "the lead's own part comes first"})
	}
	var sum int64
	seen := map[string]bool{}
	var parts []*QuotePart
	for i, p := range in.Parts {
		field := "parts[" + strconv.Itoa(i) + "]"
		if seen[p.MemberID] || p.MemberID == "" {
			fe.broke(field+".member_id", RuleInvalid, RuleParams{Value: "each member once"})
		}
		seen[p.MemberID] = true
		if p.SharePence < 1 || p.SharePence > MaxPricePence {
			fe.broke(field+".share_pence", RulePositiveAmount, RuleParams{Max: MaxPricePence})
		}
		sum += p.SharePence
		if len(p.Categories) == 0 || len(p.Categories) > 10 {
			fe.broke(field+".categories", RuleMinItems, RuleParams{Min: 1})
		}
		for _, c := range p.Categories {
			if _, ok := Taxonomy.Category(c); !ok {
				fe.broke(field+".categories", RuleCategory, RuleParams{Value: c})
				break
			}
		}
		parts = append(parts, &QuotePart{MemberID: p.MemberID, Categories: p.Categories, SharePence: p.SharePence, Accepted: i == 0})
	}
	if err := fe.err(); err != nil {
		return nil, err
	}
	if sum != in.PricePence {
		return nil, Invalid(Broken("parts", RuleInvalid, RuleParams{Value: "the shares add up to the price"}))
	}
	for _, p := range parts[1:] {
		m, err := s.Members.FindMemberByID(ctx, p.MemberID)
		if err != nil || !m.Standing.MayPost() || m.Kind != MemberEnterprise {
			return nil, Invalid(Broken("parts", RuleInvalid, RuleParams{Value: "partners are co-ops in good standing"}))
		}
		p.MemberName = m.Name
	}
	return s.sendQuote(ctx, needID, in.QuoteInput, parts)
}

// JoinQuote is a partner taking its place in a joint quote; a member not
// invited finds no such quote. A lapsed or cancelled member may not join.
func (s *Service) JoinQuote(ctx context.Context, id string) (*Quote, error) {
	for attempt := 0; ; attempt++ {
		q, who, err := s.quoteFor(ctx, id)
		if err != nil {
			return nil, err
		}
		me := UserFromContext(ctx)
		if who != quotePartner {
			return nil, Errorf(ENOTFOUND, "No such invitation.")
		}
		if err := s.checkMayPost(ctx, me.MemberID); err != nil {
			return nil, err
		}
		p := q.Part(me.MemberID)
		if p.Accepted {
			return q, nil
		}
		if q.Status != QuoteDraft {
			return nil, Errorf(ECONFLICT, "The quote is %s already.", q.Status)
		}
		p.Accepted = true
		q.Version++
		q.UpdatedAt = s.now()
		err = s.Quotes.UpdateQuote(ctx, q)
		if ErrorCode(err) == EPRECONDITION && attempt < 5 {
			continue
		}
		return q, err
	}
}

// SendDraftQuote sends a joint quote once every partner accepted its
// place; the need's member is told. ECONFLICT while a partner has not.
func (s *Service) SendDraftQuote(ctx context.Context, id string) (*Quote, error) {
	q, who, err := s.quoteFor(ctx, id)
	if err != nil {
		return nil, err
	}
	if who != quoteLead {
		return nil, Errorf(EFORBIDDEN, "The lead sends the joint quote.")
	}
	if q.Status != QuoteDraft {
		return nil, Errorf(ECONFLICT, "The quote is %s already.", q.Status)
	}
	for _, p := range q.Parts {
		if !p.Accepted {
			return nil, Errorf(ECONFLICT, "%s has not accepted its part yet.", p.MemberName)
		}
	}
	if err := s.checkMayPost(ctx, q.MemberID); err != nil {
		return nil, err
	}
	q.Status, q.UpdatedAt = QuoteSent, s.now()
	q.Version++
	if err := s.Quotes.UpdateQuote(ctx, q); err != nil {
		return nil, err
	}
	needMember, err := s.Members.FindMemberByID(ctx, q.NeedMemberID)
	if err == nil {
		err = s.notifyMember(ctx, needMember, NotifyQuoteNew, "quote:"+q.ID,
			QuoteNotice{Quote: q, Link: s.link("/listings/" + q.NeedID)}, map[string]string{"quote_id": q.ID, "need_id": q.NeedID})
	}
	if err != nil {
		s.logger().WarnContext(ctx, "cannot tell of a quote", "quote", q.ID, "error", err)
	}
	return q, nil
}
