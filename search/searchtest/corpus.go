package searchtest

import (
	"time"

	"cooptrade/marketplace"
	"cooptrade/search"
)

// Now is the time the corpus is written at.
var Now = time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)

// IDs of the corpus's listings, by what the tests call them.
const (
	RisoOffer        = "5f0000000000000000000001" // HX offer, radius 60: risograph printing, zines, posters
	LeafletOffer     = "5f0000000000000000000002" // HX offer, radius 80: leaflets and booklets printed
	LeafletNeed      = "5f0000000000000000000003" // M need: 5,000 A5 leaflets
	WebsiteOffer     = "5f0000000000000000000004" // M offer, remote, radius 100: websites for co-operatives
	RetrofitOffer    = "5f0000000000000000000005" // CF offer, radius 40: insulation for co-operative housing
	CateringOffer    = "5f0000000000000000000006" // BS offer, radius 30: vegan catering
	CleaningOffer    = "5f0000000000000000000007" // EH offer, radius 20: office cleaning
	BookkeepingOffer = "5f0000000000000000000008" // UK-wide offer without a place, by a worker member
	CourierOffer     = "5f0000000000000000000009" // M offer, radius 10, unpriced
	DesignOffer      = "5f0000000000000000000010" // BS offer, radius 200: design, mentions leaflets, posters and printing
	PrinterNeed      = "5f0000000000000000000011" // CF need: printer for a Welsh newsletter
	VanNeed          = "5f0000000000000000000012" // HX need, unpriced: van and driver
	LapsedOffer      = "5f0000000000000000000013" // LS offer of a lapsed member: never visible
	DraftOffer       = "5f0000000000000000000014" // HX draft offer: never visible
)

// Corpus returns the contract's federation: seven members (one lapsed) and
// fourteen listings, twelve of them visible (nine offers, three needs).
// Each call returns fresh values.
func Corpus() ([]*marketplace.Member, []*marketplace.Listing) {
	members := []*marketplace.Member{
		member("5e0000000000000000000001", "Calder Valley Print Workers' Co-operative", marketplace.MemberEnterprise, "HX7 8AD", marketplace.StandingActive, "living-wage", "co-op-marque"),
		member("5e0000000000000000000002", "Moss Side Digital Co-op", marketplace.MemberEnterprise, "M14 4PX", marketplace.StandingActive, "open-source", "living-wage"),
		member("5e0000000000000000000003", "Easton Kitchen Collective", marketplace.MemberEnterprise, "BS5 6JY", marketplace.StandingPastDue, "organic"),
		member("5e0000000000000000000004", "Leith Cleaning Co-operative", marketplace.MemberEnterprise, "EH6 6QU", marketplace.StandingActive, "living-wage"),
		member("5e0000000000000000000005", "Priya Patel", marketplace.MemberWorker, "LS6 1AA", marketplace.StandingActive),
		member("5e0000000000000000000006", "Splott Retrofit Co-op", marketplace.MemberEnterprise, "CF24 2DG", marketplace.StandingActive, "welsh-language", "net-zero-plan"),
		member("5e0000000000000000000007", "Kirkstall Joinery Co-op", marketplace.MemberEnterprise, "LS5 3BT", marketplace.StandingLapsed),
	}
	m := func(i int) string { return members[i-1].ID }
	offer, need := marketplace.KindOffer, marketplace.KindNeed
	listings := []*marketplace.Listing{
		listing(RisoOffer, m(1), offer, "Risograph printing of zines and posters, short runs",
			"Two-colour riso on recycled stock, 50 to 2,000 copies. Collection from our Hebden Bridge shop or posted.",
			"risograph-screen-print", "HX7 8AD", false, 60, 4000, 90000, "job", 1, "risograph", "zines", "posters"),
		listing(LeafletOffer, m(1), offer, "Leaflets and booklets printed on recycled paper",
			"Litho and digital printing from 500 copies, folded and trimmed, delivered by van.",
			"print-runs", "HX7 8AD", false, 80, 6000, 400000, "job", 2, "leaflets", "booklets"),
		listing(LeafletNeed, m(2), need, "5,000 A5 leaflets needed for a tenants' union campaign",
			"Double-sided, full colour, recycled paper. Artwork ready as PDF.",
			"print-runs", "M14 4PX", false, 0, 20000, 60000, "job", 3, "leaflets", "campaign"),
		listing(WebsiteOffer, m(2), offer, "Accessible websites for co-operatives and charities",
			"We build on WordPress and Hugo, tested with screen readers, hosted on renewable energy.",
			"web-development", "M14 4PX", true, 100, 150000, 1200000, "job", 4, "websites", "accessibility"),
		listing(RetrofitOffer, m(6), offer, "Retrofit insulation for co-operative housing",
			"Solid wall insulation, draught-proofing and ventilation for Victorian terraces.",
			"retrofit-insulation", "CF24 2DG", false, 40, 200000, 4500000, "job", 5, "retrofit", "insulation"),
		listing(CateringOffer, m(3), offer, "Vegan catering for conferences and events",
			"Hot lunches and buffets cooked from organic veg, with reusable crockery.",
			"event-catering", "BS5 6JY", false, 30, 800, 2500, "item", 6, "catering", "vegan"),
		listing(CleaningOffer, m(4), offer, "Office cleaning with eco products",
			"Evening and weekend cleaning of offices and community centres.",
			"office-cleaning", "EH6 6QU", false, 20, 1800, 2400, "hour", 7, "cleaning", "offices"),
		listing(BookkeepingOffer, m(5), offer, "Bookkeeping and payroll for small co-ops",
			"Xero bookkeeping, VAT returns and year-end accounts, done online.",
			"bookkeeping-accounts", "", true, 0, 9000, 30000, "month", 8, "bookkeeping", "payroll"),
		listing(CourierOffer, m(2), offer, "Cycle courier deliveries across Manchester",
			"Same-day deliveries by cargo bike, parcels up to 150 kg.",
			"cycle-courier", "M14 4PX", false, 10, 0, 0, "", 9, "cargo bike", "delivery"),
		listing(DesignOffer, m(3), offer, "Graphic design for campaigns",
			"We design leaflets and posters ready for printing, and brand guidelines.",
			"graphic-design", "BS5 6JY", false, 200, 30000, 600000, "job", 10, "graphic design", "branding"),
		listing(PrinterNeed, m(6), need, "Printer wanted for a bilingual Welsh newsletter",
			"Eight pages, 1,000 copies every quarter, on recycled paper.",
			"print-runs", "CF24 2DG", false, 0, 50000, 150000, "job", 11, "printing", "welsh"),
		listing(VanNeed, m(1), need, "Van and driver needed to move our print shop",
			"About 40 crates over one weekend.",
			"removals-haulage", "HX7 8AD", false, 0, 0, 0, "", 12, "removals"),
		listing(LapsedOffer, m(7), offer, "Joinery and shopfitting from reclaimed timber",
			"Counters and shelving for cafés, printing shops and bars.",
			"carpentry-joinery", "LS5 3BT", false, 50, 30000, 900000, "job", 13, "joinery"),
		listing(DraftOffer, m(1), offer, "Screen printing of tote bags",
			"Printing on organic cotton totes, from 25 bags.",
			"risograph-screen-print", "HX7 8AD", false, 60, 300, 900, "item", 14, "screen printing"),
	}
	listings[len(listings)-1].Status = marketplace.StatusDraft
	listings[len(listings)-1].PublishedAt = nil
	return members, listings
}

// Documents returns the documents of the corpus's visible listings, in
// the order of Corpus.
func Documents() []search.Document {
	members, listings := Corpus()
	return documentsOf(members, listings)
}

func documentsOf(members []*marketplace.Member, listings []*marketplace.Listing) []search.Document {
	byID := map[string]*marketplace.Member{}
	for _, m := range members {
		byID[m.ID] = m
	}
	var docs []search.Document
	for _, l := range listings {
		if m := byID[l.MemberID]; l.VisibleTo(m) {
			docs = append(docs, search.NewDocument(l, m))
		}
	}
	return docs
}

func member(id, name string, kind marketplace.MemberKind, postcode string, standing marketplace.Standing, values ...string) *marketplace.Member {
	m := &marketplace.Member{
		ID: id, Kind: kind, Name: name, Email: "hello@example.coop", Postcode: postcode,
		Standing: standing, Values: values, Version: 1,
		CreatedAt: Now.Add(-400 * 24 * time.Hour), UpdatedAt: Now.Add(-400 * 24 * time.Hour),
	}
	m.Normalize()
	return m
}

// listing makes a published listing, published n hours before Now (later
// ones are newer).
func listing(id, memberID string, kind marketplace.ListingKind, title, desc, category, postcode string, remote bool,
	radius int, lo, hi int64, unit string, n int, tags ...string) *marketplace.Listing {
	published := Now.Add(-time.Duration(100-n) * time.Hour)
	expires := Now.Add(60 * 24 * time.Hour)
	l := &marketplace.Listing{
		ID: id, MemberID: memberID, Kind: kind, Title: title, Description: desc, Category: category,
		Tags: tags, Postcode: postcode, Remote: remote, RadiusKM: radius,
		PriceMinPence: lo, PriceMaxPence: hi, PriceUnit: unit,
		Status: marketplace.StatusPublished, Version: 1,
		CreatedAt: published.Add(-time.Hour), UpdatedAt: published, PublishedAt: &published, ExpiresAt: &expires,
	}
	if kind == marketplace.KindNeed {
		d := Now.Add(30 * 24 * time.Hour)
		l.Deadline = &d
	}
	l.Normalize()
	return l
}
