package marketplace

import (
	"context"
	"sort"
	"strings"
	"time"
	"unicode/utf8"
)

// checkDeal checks what a side reports of a deal.
func (s *Service) checkDeal(in DealInput) (DealInput, error) {
	var fe fieldErrors
	in.What = strings.TrimSpace(in.What)
	in.Date = strings.TrimSpace(in.Date)
	if in.ValuePence < 1 || in.ValuePence > MaxPricePence {
		fe.broke("value_pence", RulePositiveAmount, RuleParams{Max: MaxPricePence})
	}
	switch {
	case in.What == "":
		fe.broke("what", RuleRequired, RuleParams{})
	case utf8.RuneCountInString(in.What) > MaxDealWhat:
		fe.broke("what", RuleMaxLength, RuleParams{Max: MaxDealWhat})
	case hasControl(in.What, true):
		fe.broke("what", RuleControl, RuleParams{})
	}
	if in.Date == "" {
		fe.broke("date", RuleRequired, RuleParams{})
	} else if d, err := time.Parse("2006-01-02", in.Date); err != nil {
		fe.broke("date", RuleInvalid, RuleParams{Value: "a date such as 2026-12-03"})
	} else if d.After(s.now().AddDate(0, 0, 1)) {
		fe.broke("date", RuleNotMoreThan, RuleParams{Other: "today"})
	} else if d.Before(s.now().AddDate(-5, 0, 0)) {
		fe.broke("date", RuleWithinYears, RuleParams{Max: 5})
	}
	return in, fe.err()
}

// ReportThreadDeal reports a deal that came of an enquiry (or a quote's
// or an introduction's thread), from either
// side of the thread (a member of the public with its link's token); the
// other side is asked to confirm it.
func (s *Service) ReportThreadDeal(ctx context.Context, threadID string, in DealInput) (*Deal, error) {
	in, verr := s.checkDeal(in)
	t, p, err := s.threadFor(ctx, threadID, in.Token)
	if err != nil {
		return nil, err
	}
	if verr != nil {
		return nil, verr
	}
	if t.Status == ThreadClosed {
		return nil, Errorf(ECONFLICT, "The thread is closed: the person who wrote it erased their data.")
	}
	if t.Status != ThreadOpen {
		return nil, Errorf(ECONFLICT, "The enquiry is not confirmed yet.")
	}
	l, err := s.Listings.FindListingByID(ctx, t.ListingID)
	if err != nil && ErrorCode(err) != ENOTFOUND {
		return nil, err
	}
	origin := OriginEnquiry
	switch t.Kind {
	case ThreadQuote:
		origin = OriginQuote
	case ThreadIntroduction:
		origin = OriginIntroduction
	}
	now := s.now()
	d := &Deal{
		Origin: origin, ThreadID: t.ID, ListingID: t.ListingID,
		SupplierMemberID: t.SupplierMemberID, SupplierName: t.SupplierName, BuyerMemberID: t.BuyerMemberID, BuyerName: t.BuyerName,
		ValuePence: in.ValuePence, Date: in.Date, What: in.What, ReportedBy: p.Side, Status: DealReported,
		Version: 1, CreatedAt: now, UpdatedAt: now,
	}
	if l != nil {
		d.Category, d.Area, d.District = l.Category, l.Area, l.District
	}
	if t.MatchID != "" {
		// An introduction's deal is placed as ReportMatchDeal places it:
		// where the need is.
		d.MatchID = t.MatchID
		if m, err := s.Matches.FindMatchByID(ctx, t.MatchID); err == nil {
			d.Category, d.Area, d.District = m.Category, m.Area, m.District
		}
	}
	if err := s.Deals.CreateDeal(ctx, d); err != nil {
		return nil, err
	}
	reporter := p.Name
	if p.Side == SideSupplier {
		reporter = t.SupplierName
	}
	if err := s.tellThreadSide(ctx, t, p.Side.Other(), NotifyDealReported, "deal:"+d.ID,
		map[string]string{"deal_id": d.ID, "thread_id": t.ID},
		func(link string) Message { return DealNotice{Deal: d, Reporter: reporter, Link: link} }); err != nil {
		s.logger().WarnContext(ctx, "cannot tell of a deal", "deal", d.ID, "error", err)
	}
	return d, nil
}

// ReportMatchDeal reports a deal that came of a match staff introduced,
// from either side; the other member is asked to confirm it.
func (s *Service) ReportMatchDeal(ctx context.Context, matchID string, in DealInput) (*Deal, error) {
	me := UserFromContext(ctx)
	if me == nil {
		return nil, Errorf(EUNAUTHORIZED, "Sign in first.")
	}
	in, verr := s.checkDeal(in)
	m, err := s.Matches.FindMatchByID(ctx, matchID)
	if err != nil {
		return nil, err
	}
	var side Side
	switch {
	case me.BelongsTo(m.OfferMemberID):
		side = SideSupplier
	case me.BelongsTo(m.NeedMemberID):
		side = SideBuyer
	default:
		return nil, Errorf(ENOTFOUND, "No such match.")
	}
	if verr != nil {
		return nil, verr
	}
	if m.IntroducedAt == nil {
		return nil, Errorf(ECONFLICT, "Staff have not introduced the two sides of this match.")
	}
	supplier, err := s.Members.FindMemberByID(ctx, m.OfferMemberID)
	if err != nil {
		return nil, err
	}
	buyer, err := s.Members.FindMemberByID(ctx, m.NeedMemberID)
	if err != nil {
		return nil, err
	}
	now := s.now()
	d := &Deal{
		Origin: OriginIntroduction, MatchID: m.ID, ListingID: m.OfferID, Category: m.Category, Area: m.Area, District: m.District,
		SupplierMemberID: supplier.ID, SupplierName: supplier.Name, BuyerMemberID: buyer.ID, BuyerName: buyer.Name,
		ValuePence: in.ValuePence, Date: in.Date, What: in.What, ReportedBy: side, Status: DealReported,
		Version: 1, CreatedAt: now, UpdatedAt: now,
	}
	if t, err := s.Threads.FindThreadByID(ctx, introductionThreadID(m.ID)); err == nil {
		d.ThreadID = t.ID // shown in the introduction's thread too
	}
	if err := s.Deals.CreateDeal(ctx, d); err != nil {
		return nil, err
	}
	other, reporter := buyer, supplier.Name
	if side == SideBuyer {
		other, reporter = supplier, buyer.Name
	}
	if err := s.notifyMember(ctx, other, NotifyDealReported, "deal:"+d.ID,
		DealNotice{Deal: d, Reporter: reporter, Link: s.link("/deals")},
		map[string]string{"deal_id": d.ID, "match_id": m.ID}); err != nil {
		s.logger().WarnContext(ctx, "cannot tell of a deal", "deal", d.ID, "error", err)
	}
	return d, nil
}

// dealFor returns a deal and the side the reader takes: a signed-in user
// of either side, or a member of the public with its thread's token.
// Anyone else gets ENOTFOUND.
func (s *Service) dealFor(ctx context.Context, id, token string) (*Deal, Side, error) {
	d, err := s.Deals.FindDealByID(ctx, id)
	if err != nil {
		return nil, "", err
	}
	if side, ok := d.SideOf(UserFromContext(ctx)); ok {
		return d, side, nil
	}
	if d.ThreadID != "" && token != "" && d.BuyerMemberID == "" {
		if _, p, err := s.threadFor(ctx, d.ThreadID, token); err == nil && p.Side == SideBuyer {
			return d, SideBuyer, nil
		}
	}
	return nil, "", Errorf(ENOTFOUND, "No such deal.")
}

// FindDeal returns a deal to one of its sides.
func (s *Service) FindDeal(ctx context.Context, id, token string) (*Deal, Side, error) {
	return s.dealFor(ctx, id, token)
}

// FindThreadDeals returns the deals of a thread, to one of its parties.
func (s *Service) FindThreadDeals(ctx context.Context, threadID, token string) ([]*Deal, error) {
	if _, _, err := s.threadFor(ctx, threadID, token); err != nil {
		return nil, err
	}
	return s.Deals.FindDealsOf(ctx, "thread:"+threadID)
}

// FindMyDeals returns every deal of the signed-in user's member, newest
// first.
func (s *Service) FindMyDeals(ctx context.Context) ([]*Deal, error) {
	ds, _, err := s.myDeals(ctx, "", 0)
	return ds, err
}

// FindMyDealPage returns a page of FindMyDeals: at most limit deals (the
// default page size when 0) after cursor, and the cursor of the next page
// ("" on the last).
func (s *Service) FindMyDealPage(ctx context.Context, cursor string, limit int) ([]*Deal, string, error) {
	return s.myDeals(ctx, cursor, clampLimit(limit))
}

// myDeals pages FindMyDeals (all when limit is 0).
func (s *Service) myDeals(ctx context.Context, cursor string, limit int) ([]*Deal, string, error) {
	me := UserFromContext(ctx)
	if me == nil {
		return nil, "", Errorf(EUNAUTHORIZED, "Sign in first.")
	}
	if me.MemberID == "" {
		return nil, "", nil
	}
	return s.Deals.FindDeals(ctx, DealFilter{Party: "member:" + me.MemberID, Cursor: cursor, Limit: limit})
}

// MyConfirmedTrade returns how many of the signed-in user's member's
// deals are confirmed, and their value: the sum over every page of
// FindMyDeals.
func (s *Service) MyConfirmedTrade(ctx context.Context) (int, int64, error) {
	me := UserFromContext(ctx)
	if me == nil {
		return 0, 0, Errorf(EUNAUTHORIZED, "Sign in first.")
	}
	if me.MemberID == "" {
		return 0, 0, nil
	}
	ds, err := s.Deals.FindDealsOf(ctx, "member:"+me.MemberID)
	var n int
	var value int64
	for _, d := range ds {
		if d.Status == DealConfirmed {
			n, value = n+1, value+d.ValuePence
		}
	}
	return n, value, err
}

// AnswerDeal confirms (confirm) or disputes a deal, from the side that did
// not report it; a dispute says why (note). Confirming a confirmed deal
// again changes nothing. EFORBIDDEN for the side that reported it,
// ECONFLICT for a deal already answered otherwise.
func (s *Service) AnswerDeal(ctx context.Context, id, token string, confirm bool, note string) (*Deal, error) {
	note = strings.TrimSpace(note)
	for attempt := 0; ; attempt++ {
		d, side, err := s.dealFor(ctx, id, token)
		if err != nil {
			return nil, err
		}
		if side == d.ReportedBy {
			return nil, Errorf(EFORBIDDEN, "The other side confirms or disputes the deal you reported.")
		}
		want := DealConfirmed
		if !confirm {
			want = DealDisputed
			switch {
			case note == "":
				return nil, Invalid(Broken("note", RuleRequired, RuleParams{Hint: ": say what is not right"}))
			case utf8.RuneCountInString(note) > MaxDealWhat:
				return nil, Invalid(Broken("note", RuleMaxLength, RuleParams{Max: MaxDealWhat}))
			case hasControl(note, true):
				return nil, Invalid(Broken("note", RuleControl, RuleParams{}))
			}
		}
		if d.Status == want && confirm {
			return d, nil
		}
		if d.Status != DealReported {
			return nil, Errorf(ECONFLICT, "The deal is %s already.", d.Status)
		}
		now := s.now()
		d.Status, d.UpdatedAt = want, now
		if confirm {
			d.ConfirmedAt = &now
		} else {
			d.DisputeNote = note
		}
		d.Version++
		err = s.Deals.UpdateDeal(ctx, d)
		if ErrorCode(err) == EPRECONDITION && attempt < 5 {
			continue
		}
		return d, err
	}
}

// TradeByMonths returns the confirmed trade agreed from from (inclusive)
// to to (exclusive), staff only. The sums are made in one pass in Go.
func (s *Service) TradeByMonths(ctx context.Context, from, to time.Time) (*TradeFigures, error) {
	if err := s.requireStaff(ctx, "see the federation's figures"); err != nil {
		return nil, err
	}
	if !from.Before(to) {
		return nil, Invalid(Broken("from", RuleBefore, RuleParams{Other: "to"}))
	}
	f := &TradeFigures{From: from.UTC(), To: to.UTC()}
	origins, sectors, areas, months := map[string]*TradeGroup{}, map[string]*TradeGroup{}, map[string]*TradeGroup{}, map[string]*TradeGroup{}
	suppliers, nations, regions := map[string]*TradeGroup{}, map[string]*TradeGroup{}, map[string]*TradeGroup{}
	add := func(m map[string]*TradeGroup, key string, d *Deal) {
		g := m[key]
		if g == nil {
			g = &TradeGroup{Key: key}
			m[key] = g
		}
		g.Deals++
		g.ValuePence += d.ValuePence
	}
	err := s.Deals.WalkDeals(ctx, func(d *Deal) error {
		day, err := time.Parse("2006-01-02", d.Date)
		if d.Status != DealConfirmed || err != nil || day.Before(from) || !day.Before(to) {
			return nil
		}
		f.Deals++
		f.ValuePence += d.ValuePence
		add(origins, string(d.Origin), d)
		sector := ""
		if c, ok := Taxonomy.Category(d.Category); ok {
			sector = c.Sector
		}
		add(sectors, sector, d)
		add(areas, d.Area, d)
		// The district's nation and region; a deal without one (older,
		// or of a listing placed by area) counts where most of its
		// area's districts are.
		region, nation := PlaceRegion(d.District, d.Area)
		add(nations, nation, d)
		add(regions, region, d)
		add(months, day.Format("2006-01"), d)
		parts := d.Parts
		if len(parts) == 0 {
			parts = []DealPart{{MemberID: d.SupplierMemberID, MemberName: d.SupplierName, ValuePence: d.ValuePence}}
		}
		for i, p := range parts {
			g := suppliers[p.MemberID]
			if g == nil {
				g = &TradeGroup{Key: p.MemberID, Name: p.MemberName}
				suppliers[p.MemberID] = g
			}
			if i == 0 {
				g.Deals++ // a deal counts once, for its lead
			}
			g.ValuePence += p.ValuePence
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	f.ByOrigin = make([]TradeGroup, 0, len(DealOrigins))
	for _, o := range DealOrigins {
		g := TradeGroup{Key: string(o)}
		if origins[string(o)] != nil {
			g = *origins[string(o)]
		}
		f.ByOrigin = append(f.ByOrigin, g)
	}
	f.BySector, f.ByArea, f.ByMonth = tradeGroups(sectors, false), tradeGroups(areas, false), tradeGroups(months, true)
	f.BySupplier = tradeGroups(suppliers, false)
	f.ByNation, f.ByRegion = tradeGroups(nations, false), tradeGroups(regions, false)
	return f, nil
}

// tradeGroups lists groups by value, then key (or by key, for months).
func tradeGroups(m map[string]*TradeGroup, byKey bool) []TradeGroup {
	out := make([]TradeGroup, 0, len(m))
	for _, g := range m {
		out = append(out, *g)
	}
	sort.Slice(out, func(i, j int) bool {
		if !byKey && out[i].ValuePence != out[j].ValuePence {
			return out[i].ValuePence > out[j].ValuePence
		}
		return out[i].Key < out[j].Key
	})
	return out
}
