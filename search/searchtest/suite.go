package searchtest

import (
	"context"
	"maps"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"cooptrade/marketplace"
	"cooptrade/search"
)

// Run runs the contract against the engines newEngine makes. Each call of
// newEngine must return a fresh, empty engine that the test may close (Run
// closes none; newEngine registers its own cleanup).
func Run(t *testing.T, newEngine func(t *testing.T) search.Engine) {
	ctx := context.Background()
	e := newEngine(t)
	if err := e.Ping(ctx); err != nil {
		t.Fatalf("Ping: %v", err)
	}
	if err := e.Upsert(ctx, Documents()); err != nil {
		t.Fatalf("Upsert: %v", err)
	}
	offers := []string{RisoOffer, LeafletOffer, WebsiteOffer, RetrofitOffer, CateringOffer, CleaningOffer, BookkeepingOffer, CourierOffer, DesignOffer}
	needs := []string{LeafletNeed, PrinterNeed, VanNeed}
	// The public sees co-operatives' offers: a worker member is a person,
	// and the bookkeeping offer is one's.
	public := slices.DeleteFunc(slices.Clone(offers), func(id string) bool { return id == BookkeepingOffer })

	t.Run("Everything", func(t *testing.T) {
		expect(t, e, search.Query{}, public)
		expect(t, e, search.Query{Audience: search.AudiencePublic}, public)
		expect(t, e, search.Query{Audience: search.AudienceMembers}, append(offers, needs...))
	})
	t.Run("Words", func(t *testing.T) { testWords(t, e) })
	t.Run("Filters", func(t *testing.T) { testFilters(t, e, offers, needs) })
	t.Run("Near", func(t *testing.T) { testNear(t, e) })
	t.Run("Sort", func(t *testing.T) { testSort(t, e, offers, public) })
	t.Run("Facets", func(t *testing.T) { testFacets(t, e) })
	t.Run("Pagination", func(t *testing.T) { testPagination(t, e, offers, needs) })
	t.Run("Hits", func(t *testing.T) { testHits(t, e) })
	t.Run("Hostile", func(t *testing.T) { testHostile(t, e, offers) })
	t.Run("Invalid", func(t *testing.T) {
		_, err := e.Search(ctx, search.Query{Categories: []string{`print-runs" OR kind = "need`}})
		if got := marketplace.ErrorCode(err); got != marketplace.EINVALID {
			t.Errorf("unknown category: got code %q (%v), want %q", got, err, marketplace.EINVALID)
		}
		_, err = e.Search(ctx, search.Query{Sort: search.SortNearest})
		if got := marketplace.ErrorCode(err); got != marketplace.EINVALID {
			t.Errorf("nearest without near: got code %q (%v), want %q", got, err, marketplace.EINVALID)
		}
	})
	t.Run("Places", func(t *testing.T) { testPlaces(t, newEngine(t)) })
	t.Run("Changes", func(t *testing.T) { testChanges(t, newEngine(t)) })
	t.Run("Rebuild", func(t *testing.T) { testRebuild(t, newEngine(t)) })
}

func testWords(t *testing.T, e search.Engine) {
	members := search.AudienceMembers
	t.Run("Typo", func(t *testing.T) {
		// "prnting" is one letter short of "printing" (titles of the riso
		// offer, descriptions of the leaflet and design offers, a tag of
		// the printer need).
		expect(t, e, search.Query{Words: "prnting"}, []string{RisoOffer, LeafletOffer, DesignOffer})
		expect(t, e, search.Query{Words: "prnting", Audience: members}, []string{RisoOffer, LeafletOffer, DesignOffer, PrinterNeed})
		expect(t, e, search.Query{Words: "catring"}, []string{CateringOffer})
		expect(t, e, search.Query{Words: "insulatoin"}, []string{RetrofitOffer})
	})
	t.Run("Hyphens", func(t *testing.T) {
		// "co-operative(s)" in titles (websites, retrofit) and member
		// names (Calder Valley Print Workers', Leith Cleaning).
		want := []string{RisoOffer, LeafletOffer, WebsiteOffer, RetrofitOffer, CleaningOffer}
		expect(t, e, search.Query{Words: "cooperative"}, want)
		expect(t, e, search.Query{Words: "Co-operative"}, want)
		expect(t, e, search.Query{Words: "co-operative housing"}, []string{RetrofitOffer})
	})
	t.Run("Prefix", func(t *testing.T) {
		expect(t, e, search.Query{Words: "leaf"}, []string{LeafletOffer, DesignOffer})
		// Category names are searched too: print runs are "leaflets,
		// posters, booklets".
		expect(t, e, search.Query{Words: "leaf", Audience: members}, []string{LeafletOffer, LeafletNeed, DesignOffer, PrinterNeed})
		expect(t, e, search.Query{Words: "vegan cater"}, []string{CateringOffer})
	})
	t.Run("AllWords", func(t *testing.T) {
		expect(t, e, search.Query{Words: "leaflets recycled", Audience: members}, []string{LeafletOffer, LeafletNeed, PrinterNeed})
		expect(t, e, search.Query{Words: "leaflets zebra"}, nil)
		// Stop words are not searched for.
		expect(t, e, search.Query{Words: "catering for the events"}, []string{CateringOffer})
	})
	t.Run("Places", func(t *testing.T) {
		// An area's name finds the listings placed there.
		expect(t, e, search.Query{Words: "cargo manchester"}, []string{CourierOffer})
	})
	t.Run("TitleFirst", func(t *testing.T) {
		// "posters" is in the riso offer's title, the design offer's
		// description and the leaflet offer's category name.
		res := expect(t, e, search.Query{Words: "posters"}, []string{RisoOffer, LeafletOffer, DesignOffer})
		if len(res.Hits) == 0 || res.Hits[0].ID != RisoOffer {
			t.Errorf("posters: first hit %v, want %s (posters in its title)", ids(res), RisoOffer)
		}
		// "leaflets" is in the leaflet offer's title and the design
		// offer's description.
		expectOrder(t, e, search.Query{Words: "leaflets"}, []string{LeafletOffer, DesignOffer})
		res = run(t, e, search.Query{Words: "prnting"})
		if len(res.Hits) == 0 || res.Hits[0].ID != RisoOffer {
			t.Errorf("prnting: first hit %v, want %s (printing in its title)", ids(res), RisoOffer)
		}
	})
}

func testFilters(t *testing.T, e search.Engine, offers, needs []string) {
	members := search.AudienceMembers
	t.Run("Kind", func(t *testing.T) {
		expect(t, e, search.Query{Kind: marketplace.KindNeed, Audience: members}, needs)
		expect(t, e, search.Query{Kind: marketplace.KindOffer, Audience: members}, offers)
		// The public never sees needs, whatever the query says.
		expect(t, e, search.Query{Kind: marketplace.KindNeed}, nil)
		expect(t, e, search.Query{Words: "leaflets", Audience: search.AudiencePublic}, []string{LeafletOffer, DesignOffer})
	})
	t.Run("Category", func(t *testing.T) {
		expect(t, e, search.Query{Categories: []string{"print-runs"}}, []string{LeafletOffer})
		expect(t, e, search.Query{Categories: []string{"print-runs"}, Audience: members}, []string{LeafletOffer, LeafletNeed, PrinterNeed})
		expect(t, e, parse(t, url.Values{"category": {"printing-publishing"}}, false), []string{RisoOffer, LeafletOffer})
		expect(t, e, search.Query{Categories: []string{"event-catering", "office-cleaning"}}, []string{CateringOffer, CleaningOffer})
	})
	t.Run("Tags", func(t *testing.T) {
		expect(t, e, search.Query{Tags: []string{"leaflets"}, Audience: members}, []string{LeafletOffer, LeafletNeed})
		expect(t, e, search.Query{Tags: []string{"leaflets", "campaign"}, Audience: members}, []string{LeafletNeed})
		expect(t, e, search.Query{Tags: []string{"cargo bike"}}, []string{CourierOffer})
		expect(t, e, search.Query{Tags: []string{"cargo"}}, nil)
	})
	t.Run("Values", func(t *testing.T) {
		expect(t, e, search.Query{Values: []string{"living-wage"}}, []string{RisoOffer, LeafletOffer, WebsiteOffer, CleaningOffer, CourierOffer})
		expect(t, e, search.Query{Values: []string{"living-wage", "open-source"}}, []string{WebsiteOffer, CourierOffer})
	})
	t.Run("MemberKind", func(t *testing.T) {
		expect(t, e, search.Query{MemberKind: marketplace.MemberWorker, Audience: members}, []string{BookkeepingOffer})
		// Worker members are people: never shown to the public.
		expect(t, e, search.Query{MemberKind: marketplace.MemberWorker}, nil)
		expect(t, e, search.Query{Words: "bookkeeping"}, nil)
	})
	t.Run("Price", func(t *testing.T) {
		// Price ranges that overlap £1,000 to £5,000; unpriced left out.
		expect(t, e, search.Query{MinPricePence: 100000, MaxPricePence: 500000}, []string{LeafletOffer, WebsiteOffer, RetrofitOffer, DesignOffer})
		expect(t, e, search.Query{MinPricePence: 100000, MaxPricePence: 500000, Audience: members}, []string{LeafletOffer, WebsiteOffer, RetrofitOffer, DesignOffer, PrinterNeed})
		expect(t, e, search.Query{MinPricePence: 1000000}, []string{WebsiteOffer, RetrofitOffer})
		expect(t, e, search.Query{MaxPricePence: 2000}, []string{CateringOffer, CleaningOffer})
	})
	t.Run("Combined", func(t *testing.T) {
		near := nearArea(t, "M", 10)
		expect(t, e, search.Query{Words: "printing", Near: near, Values: []string{"living-wage"}}, []string{RisoOffer, LeafletOffer})
		expect(t, e, search.Query{Words: "printing", Near: near, Values: []string{"living-wage"}, Categories: []string{"print-runs"}, MaxPricePence: 10000}, []string{LeafletOffer})
		expect(t, e, search.Query{Words: "recycled", Kind: marketplace.KindNeed, Tags: []string{"welsh"}, Audience: members}, []string{PrinterNeed})
	})
}

func testNear(t *testing.T, e search.Engine) {
	members := search.AudienceMembers
	t.Run("Reach", func(t *testing.T) {
		// Within 10 km of the centre of the M area is only M14; the
		// Halifax print offers (HX7, 60 and 80 km) serve Manchester.
		expect(t, e, search.Query{Near: nearArea(t, "M", 10)}, []string{RisoOffer, LeafletOffer, WebsiteOffer, CourierOffer})
		expect(t, e, search.Query{Near: nearArea(t, "M", 10), Audience: members}, []string{RisoOffer, LeafletOffer, LeafletNeed, WebsiteOffer, CourierOffer})
		// OL1 is 13.6 km from M14: the courier's 10 km do not reach it;
		// the websites' 100 km and the Halifax offers do.
		expect(t, e, search.Query{Near: nearDistrict(t, "OL1", 1)}, []string{RisoOffer, LeafletOffer, WebsiteOffer})
	})
	t.Run("Remote", func(t *testing.T) {
		expect(t, e, search.Query{Near: nearArea(t, "M", 10), IncludeRemote: true, Audience: members, Kind: marketplace.KindOffer}, []string{RisoOffer, LeafletOffer, WebsiteOffer, CourierOffer, BookkeepingOffer})
		expect(t, e, search.Query{Near: nearArea(t, "M", 10), IncludeRemote: true}, []string{RisoOffer, LeafletOffer, WebsiteOffer, CourierOffer})
		// The websites (from Manchester, 100 km) are remote too.
		expect(t, e, search.Query{Near: nearDistrict(t, "EH6", 5)}, []string{CleaningOffer})
		expect(t, e, search.Query{Near: nearDistrict(t, "EH6", 5), IncludeRemote: true, Audience: members, Kind: marketplace.KindOffer}, []string{CleaningOffer, WebsiteOffer, BookkeepingOffer})
		// The retrofit offer's 40 km from CF24 fall short of BS5 (42.6 km).
		expect(t, e, search.Query{Near: nearDistrict(t, "BS5", 5)}, []string{CateringOffer, DesignOffer})
		expect(t, e, search.Query{Near: nearDistrict(t, "BS5", 5), IncludeRemote: true, Audience: members, Kind: marketplace.KindOffer}, []string{CateringOffer, DesignOffer, WebsiteOffer, BookkeepingOffer})
	})
	t.Run("Edge", func(t *testing.T) {
		d := marketplace.DistrictDistance("M14", "HX7")
		if d <= 35 || d >= 36 {
			t.Fatalf("M14 to HX7 is %.2f km; the test expects 35 to 36", d)
		}
		q := search.Query{Kind: marketplace.KindNeed, Audience: members}
		q.Near = nearDistrict(t, "M14", 35)
		expect(t, e, q, []string{LeafletNeed})
		q.Near = nearDistrict(t, "M14", 36)
		expect(t, e, q, []string{LeafletNeed, VanNeed})
		res := run(t, e, search.Query{Words: "van driver", Near: nearDistrict(t, "M14", 36), Audience: members})
		if len(res.Hits) != 1 || res.Hits[0].DistanceKM == nil {
			t.Fatalf("van driver near M14: got %v, want %s with a distance", ids(res), VanNeed)
		}
		if got, want := *res.Hits[0].DistanceKM, float64(int(d*10+0.5))/10; got != want {
			t.Errorf("distance: got %v km, want %v", got, want)
		}
	})
	t.Run("Parsed", func(t *testing.T) {
		q := parse(t, url.Values{"near": {"M14 4PX"}, "radius_km": {"10"}, "remote": {"true"}}, false)
		expect(t, e, q, []string{RisoOffer, LeafletOffer, WebsiteOffer, CourierOffer})
		q = parse(t, url.Values{"near": {"M14 4PX"}, "radius_km": {"10"}, "remote": {"true"}, "kind": {"offer"}}, true)
		expect(t, e, q, []string{RisoOffer, LeafletOffer, WebsiteOffer, CourierOffer, BookkeepingOffer})
		q = parse(t, url.Values{"near": {"M14 4PX"}, "radius_km": {"10"}, "remote": {"true"}, "serving": {"false"}}, false)
		expect(t, e, q, []string{WebsiteOffer, CourierOffer})
		q = parse(t, url.Values{"near": {"M14 4PX"}, "radius_km": {"10"}, "remote": {"true"}, "serving": {"false"}, "kind": {"offer"}}, true)
		expect(t, e, q, []string{WebsiteOffer, CourierOffer, BookkeepingOffer})
	})
}

func testSort(t *testing.T, e search.Engine, offers, public []string) {
	offersOnly := search.Query{Audience: search.AudienceMembers, Kind: marketplace.KindOffer}
	t.Run("Newest", func(t *testing.T) {
		// The corpus's listings were published in order.
		want := slices.Clone(offers)
		slices.Reverse(want)
		q := offersOnly
		q.Sort = search.SortNewest
		expectOrder(t, e, q, want)
		want = slices.Clone(public)
		slices.Reverse(want)
		expectOrder(t, e, search.Query{Sort: search.SortNewest}, want)
	})
	t.Run("PriceAsc", func(t *testing.T) {
		q := offersOnly
		q.Sort = search.SortPriceAsc
		expectOrder(t, e, q, []string{CateringOffer, CleaningOffer, RisoOffer, LeafletOffer, BookkeepingOffer, DesignOffer, WebsiteOffer, RetrofitOffer, CourierOffer})
	})
	t.Run("PriceDesc", func(t *testing.T) {
		q := offersOnly
		q.Sort = search.SortPriceDesc
		expectOrder(t, e, q, []string{RetrofitOffer, WebsiteOffer, DesignOffer, LeafletOffer, RisoOffer, BookkeepingOffer, CateringOffer, CleaningOffer, CourierOffer})
		expectOrder(t, e, search.Query{Sort: search.SortPriceDesc}, []string{RetrofitOffer, WebsiteOffer, DesignOffer, LeafletOffer, RisoOffer, CateringOffer, CleaningOffer, CourierOffer})
	})
	t.Run("Nearest", func(t *testing.T) {
		q := search.Query{Near: nearArea(t, "M", 300), IncludeRemote: true, Sort: search.SortNearest, Audience: search.AudienceMembers, Kind: marketplace.KindOffer}
		res := expect(t, e, q, offers)
		last := -1.0
		for i, h := range res.Hits {
			if h.DistanceKM == nil {
				if i != len(res.Hits)-1 || h.ID != BookkeepingOffer {
					t.Errorf("hit %d (%s) has no distance; only the last, %s, should have none", i, h.ID, BookkeepingOffer)
				}
				continue
			}
			if *h.DistanceKM < last {
				t.Errorf("hit %d (%s) at %.1f km comes after one at %.1f km", i, h.ID, *h.DistanceKM, last)
			}
			last = *h.DistanceKM
		}
	})
}

func testFacets(t *testing.T, e search.Engine) {
	t.Run("Written", func(t *testing.T) {
		q := search.Query{Categories: []string{"print-runs"}, Audience: search.AudienceMembers, Facets: search.AllFacets}
		res := run(t, e, q)
		want := map[search.Facet][]search.FacetCount{
			search.FacetCategory: {fc("print-runs", 3)},
			search.FacetKind:     {fc("need", 2), fc("offer", 1)},
			search.FacetValues:   {fc("living-wage", 2), fc("co-op-marque", 1), fc("net-zero-plan", 1), fc("open-source", 1), fc("welsh-language", 1)},
			search.FacetTags:     {fc("leaflets", 2), fc("booklets", 1), fc("campaign", 1), fc("printing", 1), fc("welsh", 1)},
			search.FacetArea:     {fc("CF", 1), fc("HX", 1), fc("M", 1)},
			// The corpus's members give no headcount: no size.
			search.FacetMemberKind: {fc("enterprise", 3)},
			search.FacetSize:       {},
			search.FacetRegion:     {fc("north-west", 1), fc("wales", 1), fc("yorkshire-humber", 1)},
			search.FacetNation:     {fc("england", 2), fc("wales", 1)},
		}
		if diff := cmp.Diff(want, res.Facets); diff != "" {
			t.Errorf("facets (-want +got):\n%s", diff)
		}
	})
	t.Run("EqualHits", func(t *testing.T) {
		docs := map[string]search.Document{}
		for _, d := range Documents() {
			docs[d.ID] = d
		}
		for _, q := range []search.Query{
			{Facets: search.AllFacets, Limit: 100},
			{Words: "printing", Facets: search.AllFacets, Limit: 100, Audience: search.AudienceMembers},
			{Near: nearArea(t, "M", 30), IncludeRemote: true, Facets: search.AllFacets, Limit: 100},
			{Values: []string{"living-wage"}, Facets: []search.Facet{search.FacetTags}, Limit: 100},
		} {
			res := run(t, e, q)
			want := map[search.Facet]map[string]int{}
			for _, f := range q.Facets {
				want[f] = map[string]int{}
			}
			for _, h := range res.Hits {
				d := docs[h.ID]
				for _, f := range q.Facets {
					switch f {
					case search.FacetCategory:
						want[f][d.Category]++
					case search.FacetKind:
						want[f][string(d.Kind)]++
					case search.FacetValues:
						for _, v := range d.Values {
							want[f][v]++
						}
					case search.FacetTags:
						for _, v := range d.Tags {
							want[f][v]++
						}
					case search.FacetArea:
						if d.Area != "" {
							want[f][d.Area]++
						}
					case search.FacetMemberKind:
						if d.MemberKind != "" {
							want[f][string(d.MemberKind)]++
						}
					case search.FacetSize:
						if d.MemberSize != "" {
							want[f][d.MemberSize]++
						}
					case search.FacetRegion:
						if d.Region != "" {
							want[f][d.Region]++
						}
					case search.FacetNation:
						if d.Nation != "" {
							want[f][d.Nation]++
						}
					}
				}
			}
			got := map[search.Facet]map[string]int{}
			for f, counts := range res.Facets {
				got[f] = map[string]int{}
				for _, c := range counts {
					got[f][c.Value] = c.Count
				}
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%+v: facets (-want +got):\n%s", q, diff)
			}
		}
	})
	t.Run("None", func(t *testing.T) {
		res := run(t, e, search.Query{Words: "printing"})
		if len(res.Facets) != 0 {
			t.Errorf("facets not asked for: got %v", res.Facets)
		}
	})
}

func testPagination(t *testing.T, e search.Engine, offers, needs []string) {
	all := append(slices.Clone(offers), needs...)
	for _, tc := range []struct {
		params url.Values
		want   []string
	}{
		{url.Values{}, all},
		{url.Values{"sort": {"newest"}}, all},
		{url.Values{"sort": {"price_asc"}}, all},
		{url.Values{"sort": {"price_desc"}}, all},
		{url.Values{"near": {"M"}, "radius_km": {"300"}, "remote": {"true"}, "sort": {"nearest"}}, all},
		{url.Values{"q": {"recycled"}}, []string{RisoOffer, LeafletOffer, LeafletNeed, PrinterNeed}},
	} {
		for _, limit := range []string{"1", "2", "5"} {
			p := maps.Clone(tc.params)
			p.Set("limit", limit)
			var seen []string
			for page := 0; ; page++ {
				if page > len(all) {
					t.Fatalf("%v: more pages than listings", p)
				}
				res := run(t, e, parse(t, p, true))
				if res.Total != len(tc.want) {
					t.Errorf("%v page %d: total %d, want %d", p, page, res.Total, len(tc.want))
				}
				seen = append(seen, ids(res)...)
				if res.NextCursor == "" {
					break
				}
				p.Set("cursor", res.NextCursor)
			}
			if diff := cmp.Diff(sorted(tc.want), sorted(seen)); diff != "" {
				t.Errorf("%v: pages hold (-want +got):\n%s", p, diff)
			}
		}
	}
}

func testHits(t *testing.T, e search.Engine) {
	res := run(t, e, search.Query{Words: "prnting", Near: nearDistrict(t, "OL1", 1)})
	if len(res.Hits) == 0 || res.Hits[0].ID != RisoOffer {
		t.Fatalf("got %v, want %s first", ids(res), RisoOffer)
	}
	km := float64(int(marketplace.DistrictDistance("OL1", "HX7")*10+0.5)) / 10
	var d search.Document
	for _, doc := range Documents() {
		if doc.ID == RisoOffer {
			d = doc
		}
	}
	want := search.Hit{
		ID: RisoOffer, Kind: marketplace.KindOffer, Title: d.Title, Snippet: d.Description,
		Highlights: []string{"printing"}, Category: "risograph-screen-print", Tags: []string{"risograph", "zines", "posters"},
		MemberName: "Calder Valley Print Workers' Co-operative", MemberSlug: "calder-valley-print-workers-co-operative",
		Area: "HX", AreaName: "Halifax", District: "HX7", DistrictName: "Calderdale", Region: "yorkshire-humber",
		DistanceKM: &km, Relation: search.RelationServing, PriceMinPence: 4000, PriceMaxPence: 90000, PriceUnit: "job",
		PublishedAt: d.PublishedAt,
	}
	if diff := cmp.Diff(want, res.Hits[0]); diff != "" {
		t.Errorf("hit (-want +got):\n%s", diff)
	}
}

// Hostile are strings that must neither fail a search nor widen it.
var Hostile = []string{
	`" OR kind = need`,
	`leaflets" OR kind = "need`,
	`\"`,
	`\`,
	`_geo`,
	`_geoRadius(53.47, -2.24, 100000000)`,
	`kind = need OR kind != need`,
	`category IN [print-runs] OR 1 = 1`,
	`*`,
	`'; DROP TABLE listings; --`,
	"leaf\x00lets\x01\x7f\u200b",
	"\u202eleaflets",
	strings.Repeat("leaflets ", 1200),
	strings.Repeat("x", 10_000),
}

func testHostile(t *testing.T, e search.Engine, offers []string) {
	for _, h := range Hostile {
		name := h
		if len(name) > 30 {
			name = name[:30]
		}
		// As words: never a need for the public, never outside the
		// category asked for.
		res := run(t, e, search.Query{Words: h})
		for _, id := range ids(res) {
			if !slices.Contains(offers, id) {
				t.Errorf("%q: hit %s is not a public offer", name, id)
			}
		}
		res = run(t, e, search.Query{Words: h, Categories: []string{"print-runs"}})
		for _, hit := range res.Hits {
			if hit.Category != "print-runs" {
				t.Errorf("%q in print-runs: hit %s is in %s", name, hit.ID, hit.Category)
			}
		}
		// As a tag: matches no listing.
		expect(t, e, search.Query{Tags: []string{h}, Audience: search.AudienceMembers}, nil)
		// Through the API parameters: parsed or refused, never more.
		v := url.Values{"q": {h}, "tag": {h}, "category": {h}, "near": {h}}
		if _, err := search.ParseQuery(v, false); marketplace.ErrorCode(err) != marketplace.EINVALID {
			t.Errorf("%q as category, tag and near: got %v, want EINVALID", name, err)
		}
	}
}
