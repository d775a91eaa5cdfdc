package searchtest

import (
	"context"
	"net/url"
	"testing"

	"cooptrade/marketplace"
	"cooptrade/search"
)

// IDs of the places corpus's listings.
const (
	HeadingleyOffer = "5f0000000000000000000101" // LS6, radius 5, micro enterprise
	GarforthOffer   = "5f0000000000000000000102" // LS25, radius 5, small enterprise
	AncoatsOffer    = "5f0000000000000000000103" // M4, radius 2, medium enterprise
	IrlamOffer      = "5f0000000000000000000104" // M44, radius 2, large enterprise
	DigbethOffer    = "5f0000000000000000000105" // B1, radius 200: serves Leeds from Birmingham
	CardiffOffer    = "5f0000000000000000000106" // CF10, radius 10, by a worker member
)

// placeNeeds are needs placed one in each region the offers leave out,
// by ID.
var placeNeeds = map[string]string{
	"5f0000000000000000000111": "NE1 4ST",  // north-east
	"5f0000000000000000000112": "NG1 5FT",  // east-midlands
	"5f0000000000000000000113": "CB1 2LA",  // east
	"5f0000000000000000000114": "EC1A 1BB", // london
	"5f0000000000000000000115": "BN1 1AA",  // south-east
	"5f0000000000000000000116": "BS1 4DJ",  // south-west
	"5f0000000000000000000117": "EH1 1YZ",  // scotland
	"5f0000000000000000000118": "BT1 5GS",  // northern-ireland
}

// PlacesCorpus returns a federation of bicycle repairers placed to tell
// postcode districts of one area apart (LS6 from LS25, M4 from M44), a
// supplier based near from one serving from further away, and each region,
// nation, size and kind of member apart.
func PlacesCorpus() ([]*marketplace.Member, []*marketplace.Listing) {
	mk := func(id, name string, kind marketplace.MemberKind, postcode string, headcount int) *marketplace.Member {
		m := member(id, name, kind, postcode, marketplace.StandingActive)
		m.Headcount = headcount
		return m
	}
	members := []*marketplace.Member{
		mk("5e0000000000000000000101", "Headingley Bikes", marketplace.MemberEnterprise, "LS6 1AA", 4),
		mk("5e0000000000000000000102", "Garforth Bikes", marketplace.MemberEnterprise, "LS25 1AA", 30),
		mk("5e0000000000000000000103", "Ancoats Bikes", marketplace.MemberEnterprise, "M4 1HN", 120),
		mk("5e0000000000000000000104", "Irlam Bikes", marketplace.MemberEnterprise, "M44 5AA", 300),
		mk("5e0000000000000000000105", "Digbeth Bikes", marketplace.MemberEnterprise, "B1 1BB", 0),
		mk("5e0000000000000000000106", "Sam Jones", marketplace.MemberWorker, "CF10 1AA", 1),
		mk("5e0000000000000000000107", "Federation Riders", marketplace.MemberEnterprise, "LS6 1AA", 0),
	}
	offer := func(id string, m int, postcode string, radius int) *marketplace.Listing {
		return listing(id, members[m].ID, marketplace.KindOffer, "Bicycle repairs and servicing",
			"Repairs of every kind of bicycle, cargo bikes too.", "bicycles", postcode, false, radius, 0, 0, "", m+1, "bikes")
	}
	listings := []*marketplace.Listing{
		offer(HeadingleyOffer, 0, "LS6 1AA", 5),
		offer(GarforthOffer, 1, "LS25 1AA", 5),
		offer(AncoatsOffer, 2, "M4 1HN", 2),
		offer(IrlamOffer, 3, "M44 5AA", 2),
		offer(DigbethOffer, 4, "B1 1BB", 200),
		offer(CardiffOffer, 5, "CF10 1AA", 10),
	}
	n := 10
	for id, postcode := range placeNeeds {
		n++
		listings = append(listings, listing(id, members[6].ID, marketplace.KindNeed, "Bicycle repairs wanted",
			"A fleet of twelve bikes to service.", "bicycles", postcode, false, 0, 0, 0, "", n, "bikes"))
	}
	return members, listings
}

// PlacesDocuments returns the documents of PlacesCorpus.
func PlacesDocuments() []search.Document {
	return documentsOf(PlacesCorpus())
}

func testPlaces(t *testing.T, e search.Engine) {
	members, listings := PlacesCorpus()
	docs := documentsOf(members, listings)
	if len(docs) != len(listings) {
		t.Fatalf("%d documents of %d listings", len(docs), len(listings))
	}
	if err := e.Upsert(context.Background(), docs); err != nil {
		t.Fatal(err)
	}
	all := search.AudienceMembers
	based := func(district string, km int) *search.Near { return nearDistrict(t, district, km) }

	t.Run("Districts", func(t *testing.T) {
		// LS6 and LS25 are both "LS", 16 km apart; M4 and M44 both
		// "M", 15 km apart.
		expect(t, e, search.Query{Near: based("LS6", 5), BasedOnly: true}, []string{HeadingleyOffer})
		expect(t, e, search.Query{Near: based("LS25", 5), BasedOnly: true}, []string{GarforthOffer})
		expect(t, e, search.Query{Near: based("M4", 5), BasedOnly: true}, []string{AncoatsOffer})
		expect(t, e, search.Query{Near: based("M44", 5), BasedOnly: true}, []string{IrlamOffer})
		// M60 is a district for central Manchester's large users: 0.2 km
		// from M4.
		expect(t, e, search.Query{Near: based("M60", 1), BasedOnly: true}, []string{AncoatsOffer})
		// A radius of 20 km from LS6 takes in LS25.
		expect(t, e, search.Query{Near: based("LS6", 20), BasedOnly: true}, []string{HeadingleyOffer, GarforthOffer})
	})
	t.Run("BasedServing", func(t *testing.T) {
		q := parse(t, url.Values{"near": {"LS1 4AP"}, "radius_km": {"25"}, "sort": {"nearest"}}, false)
		expectOrder(t, e, q, []string{HeadingleyOffer, GarforthOffer, DigbethOffer})
		res := run(t, e, q)
		want := map[string]search.Relation{HeadingleyOffer: search.RelationBased, GarforthOffer: search.RelationBased, DigbethOffer: search.RelationServing}
		for _, h := range res.Hits {
			if h.Relation != want[h.ID] {
				t.Errorf("%s: relation %q, want %q", h.ID, h.Relation, want[h.ID])
			}
			if h.ID == DigbethOffer && (h.DistrictName != "Birmingham" || h.DistanceKM == nil || *h.DistanceKM < 140 || *h.DistanceKM > 160) {
				t.Errorf("Digbeth offer: %+v; want Birmingham, about 150 km", h)
			}
		}
		q = parse(t, url.Values{"near": {"LS1 4AP"}, "radius_km": {"25"}, "serving": {"false"}}, false)
		expect(t, e, q, []string{HeadingleyOffer, GarforthOffer})
		// From Cardiff, Birmingham's 200 km reach Cardiff too; the
		// worker member is based there, and only members see it.
		offers := marketplace.KindOffer
		expect(t, e, search.Query{Near: based("CF10", 5), Audience: all, Kind: offers}, []string{CardiffOffer, DigbethOffer})
		expect(t, e, search.Query{Near: based("CF10", 5), BasedOnly: true, Audience: all, Kind: offers}, []string{CardiffOffer})
		expect(t, e, search.Query{Near: based("CF10", 5)}, []string{DigbethOffer})
		expect(t, e, search.Query{Near: based("CF10", 5), BasedOnly: true}, []string{})
	})
	t.Run("Regions", func(t *testing.T) {
		byRegion := map[string][]string{}
		for _, d := range docs {
			byRegion[d.Region] = append(byRegion[d.Region], d.ID)
		}
		for _, r := range marketplace.Regions {
			if len(byRegion[r]) == 0 {
				t.Fatalf("the places corpus has nothing in %s", r)
			}
			expect(t, e, search.Query{Regions: []string{r}, Audience: all}, byRegion[r])
			expect(t, e, parse(t, url.Values{"region": {r}}, true), byRegion[r])
		}
		expect(t, e, search.Query{Nations: []string{marketplace.NationWales}, Audience: all}, []string{CardiffOffer})
		expect(t, e, search.Query{Regions: []string{"yorkshire-humber"}, Kind: marketplace.KindOffer}, []string{HeadingleyOffer, GarforthOffer})
	})
	t.Run("Suppliers", func(t *testing.T) {
		offers := marketplace.KindOffer
		expect(t, e, search.Query{Sizes: []string{marketplace.SizeMicro}, Audience: all, Kind: offers}, []string{HeadingleyOffer, CardiffOffer})
		// A worker member is a person: never in the public's search.
		expect(t, e, search.Query{Sizes: []string{marketplace.SizeMicro}}, []string{HeadingleyOffer})
		expect(t, e, search.Query{Sizes: []string{marketplace.SizeSmall, marketplace.SizeLarge}}, []string{GarforthOffer, IrlamOffer})
		expect(t, e, search.Query{MemberKind: marketplace.MemberWorker, Audience: all, Kind: offers}, []string{CardiffOffer})
		expect(t, e, search.Query{MemberKind: marketplace.MemberWorker}, []string{})
		res := run(t, e, search.Query{Kind: offers, Audience: all, Facets: search.AllFacets})
		for f, want := range map[search.Facet][]search.FacetCount{
			search.FacetMemberKind: {fc("enterprise", 5), fc("worker", 1)},
			search.FacetSize:       {fc("micro", 2), fc("large", 1), fc("medium", 1), fc("small", 1)},
			search.FacetRegion:     {fc("north-west", 2), fc("yorkshire-humber", 2), fc("wales", 1), fc("west-midlands", 1)},
			search.FacetNation:     {fc("england", 5), fc("wales", 1)},
		} {
			if got := res.Facets[f]; !equalCounts(got, want) {
				t.Errorf("facet %s: got %v, want %v", f, got, want)
			}
		}
	})
}

func equalCounts(a, b []search.FacetCount) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
