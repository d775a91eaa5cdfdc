package search_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"cooptrade/marketplace"
	"cooptrade/search"
	"cooptrade/search/bleve"
	"cooptrade/search/searchtest"
)

// alertQueries are saved searches of every kind the contract suite tries:
// words with typos, hyphens, prefixes, stems, stop words and place names;
// every filter; near with reach, radius edges and remote listings.
var alertQueries = []string{
	"",
	"q=prnting", "q=catring", "q=insulatoin", "q=cooperative", "q=Co-operative", "q=co-operative+housing",
	"q=leaf", "q=vegan+cater", "q=leaflets+recycled", "q=leaflets+zebra", "q=catering+for+the+events",
	"q=cargo+manchester", "q=posters", "q=leaflets", "q=printing", "q=printed", "q=print", "q=printers",
	"q=welsh+newsletter", "q=zines", "q=van+driver", "q=bookkeeping+payroll", "q=websites", "q=Hebden",
	"q=calder+valley", "q=tenants+union", "q=retrofit",
	"kind=need", "kind=offer", "category=print-runs", "category=printing-publishing",
	"category=event-catering,office-cleaning", "tag=leaflets", "tag=leaflets&tag=campaign", "tag=cargo+bike",
	"tag=cargo", "value=living-wage", "value=living-wage&value=open-source", "member_kind=worker",
	"member_kind=enterprise", "min_price=100000&max_price=500000", "min_price=1000000", "max_price=2000",
	"near=M&radius_km=10", "near=OL&radius_km=1", "near=M&radius_km=10&remote=true", "near=EH&radius_km=5",
	"near=EH&radius_km=5&remote=true", "near=BS&radius_km=5&remote=true", "kind=need&near=M&radius_km=35",
	"kind=need&near=M&radius_km=36", "near=M14+4PX&radius_km=10&remote=true", "near=CF24+2DG",
	"q=printing&near=M&radius_km=10&value=living-wage",
	"q=printing&near=M&radius_km=10&value=living-wage&category=print-runs&max_price=10000",
	"q=recycled&kind=need&tag=welsh", "q=leaflets&kind=need&near=LS6&radius_km=50&remote=true&sort=nearest&limit=5",
	// Postcode districts, based and serving, regions and sizes (on the
	// places corpus as well).
	"near=LS6&radius_km=5", "near=LS6&radius_km=5&serving=false", "near=LS25&radius_km=5&serving=false",
	"near=M4&radius_km=5&serving=false", "near=M44&radius_km=5", "near=LS1+4AP&radius_km=25",
	"near=LS1+4AP&radius_km=25&serving=false", "near=CF10&radius_km=5", "near=M&radius_km=3", "near=HX7&radius_km=36",
	"region=wales", "region=yorkshire-humber,north-west", "nation=scotland", "nation=england&kind=need",
	"size=micro", "size=small,large", "member_kind=worker&region=wales",
}

// TestSavedQueryAgreesWithEngine checks that a saved search finds, one
// document at a time, exactly what the embedded engine finds over the
// contract's corpus.
func TestSavedQueryAgreesWithEngine(t *testing.T) {
	ctx := context.Background()
	engine, err := bleve.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { engine.Close() })
	docs := append(searchtest.Documents(), searchtest.PlacesDocuments()...)
	if err := engine.Upsert(ctx, docs); err != nil {
		t.Fatal(err)
	}
	for _, raw := range alertQueries {
		sq, err := search.ParseSavedQuery(raw)
		if err != nil {
			t.Errorf("%q: %v", raw, err)
			continue
		}
		q := sq.Query
		q.Limit, q.Facets = search.MaxLimit, nil
		res, err := engine.Search(ctx, q)
		if err != nil {
			t.Fatalf("%q: %v", raw, err)
		}
		var want []string
		for _, h := range res.Hits {
			want = append(want, h.ID)
		}
		var got []string
		for i := range docs {
			if sq.MatchesDocument(&docs[i]) {
				got = append(got, docs[i].ID)
			}
		}
		slices.Sort(want)
		slices.Sort(got)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%q: the saved search and the engine disagree (-engine +saved):\n%s", raw, diff)
		}
	}
}

func TestSavedQueryMatches(t *testing.T) {
	members, listings := searchtest.Corpus()
	byID := map[string]*marketplace.Member{}
	for _, m := range members {
		byID[m.ID] = m
	}
	find := func(id string) *marketplace.AlertListing {
		for _, l := range listings {
			if l.ID == id {
				return &marketplace.AlertListing{Listing: l, Member: byID[l.MemberID]}
			}
		}
		t.Fatalf("no listing %s in the corpus", id)
		return nil
	}
	for _, tc := range []struct {
		query   string
		listing string
		want    bool
	}{
		{"q=leaflets&kind=need", searchtest.LeafletNeed, true},
		// Needs are for signed-in users, and alerts belong to them.
		{"kind=need", searchtest.VanNeed, true},
		{"q=prnting", searchtest.RisoOffer, true},
		// "leaflets" one typo away, "printed" by its stem.
		{"q=leaflts+printed", searchtest.LeafletOffer, true},
		{"q=leaflets+zebra", searchtest.LeafletOffer, false},
		// Reach: the Halifax leaflet offer's 80 km reach Manchester.
		{"near=M&radius_km=1", searchtest.LeafletOffer, true},
		{"near=M&radius_km=1", searchtest.CateringOffer, false},
		{"near=EH&radius_km=5", searchtest.BookkeepingOffer, false},
		{"near=EH&radius_km=5&remote=true", searchtest.BookkeepingOffer, true},
		{"max_price=2000", searchtest.CourierOffer, false},
		{"tag=cargo+bike&member_kind=enterprise", searchtest.CourierOffer, true},
	} {
		sq, err := search.ParseSavedQuery(tc.query)
		if err != nil {
			t.Fatalf("%q: %v", tc.query, err)
		}
		al := find(tc.listing)
		// Twice: the second time reads what the first left in the memo.
		for range 2 {
			if got := sq.Matches(al); got != tc.want {
				t.Errorf("%q matches %s: %v; want %v", tc.query, al.Listing.Title, got, tc.want)
			}
		}
	}
}

func TestParseSavedQuery(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		sq, err := search.ParseSavedQuery("?q=leaflets&kind=need&category=printing-publishing&near=LS6+1AA&radius_km=30&remote=true&max_price=60000")
		if err != nil {
			t.Fatal(err)
		}
		kinds, cats := sq.Scope()
		if diff := cmp.Diff([]marketplace.ListingKind{marketplace.KindNeed}, kinds); diff != "" {
			t.Errorf("kinds (-want +got):\n%s", diff)
		}
		if len(cats) != 4 || !slices.Contains(cats, "print-runs") {
			t.Errorf("categories %v; want the four of printing-publishing", cats)
		}
		if got, want := sq.Describe(), "“leaflets”, needs, in 4 categories, within 30 km of LS6 1AA or UK-wide, priced up to £600"; got != want {
			t.Errorf("Describe() = %q; want %q", got, want)
		}
		every, err := search.ParseSavedQuery("")
		if err != nil {
			t.Fatal(err)
		}
		if kinds, cats := every.Scope(); len(kinds) != 2 || cats != nil {
			t.Errorf("an empty search's scope: %v %v; want both kinds, any category", kinds, cats)
		}
		if got := every.Describe(); got != "Every new listing" {
			t.Errorf("an empty search: Describe() = %q", got)
		}
		places, err := search.ParseSavedQuery("near=LS6&radius_km=10&serving=false&region=yorkshire-humber&size=micro")
		if err != nil {
			t.Fatal(err)
		}
		if got, want := places.Describe(), "By members of micro size, in Yorkshire and the Humber, based within 10 km of LS6"; got != want {
			t.Errorf("Describe() = %q; want %q", got, want)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		for query, field := range map[string]string{
			"kind=gift":               "kind",
			"colour=red":              "colour",
			"near=ZZ99":               "near",
			"radius_km=5":             "radius_km",
			"q=%zz":                   "query",
			"category=plumbing":       "category",
			"min_price=9&max_price=1": "min_price",
		} {
			_, err := search.ParseSavedQuery(query)
			if marketplace.ErrorCode(err) != marketplace.EINVALID {
				t.Errorf("%q: %v; want invalid", query, err)
				continue
			}
			var fields []string
			for _, f := range marketplace.ErrorFields(err) {
				fields = append(fields, f.Field)
			}
			if !slices.Contains(fields, field) {
				t.Errorf("%q: fields %v; want %q among them", query, fields, field)
			}
		}
	})
}

// BenchmarkSavedQueryMatches measures testing one listing against a saved
// search with words, filters and a place, the words read once per listing
// as the alerts job does.
func BenchmarkSavedQueryMatches(b *testing.B) {
	members, listings := searchtest.Corpus()
	sq, err := search.ParseSavedQuery("q=leaflets+recycled&kind=need&near=M&radius_km=50&remote=true")
	if err != nil {
		b.Fatal(err)
	}
	al := &marketplace.AlertListing{Listing: listings[2], Member: members[1]}
	for b.Loop() {
		al.Memo = nil
		sq.Matches(al)
	}
}

func ExampleParseSavedQuery() {
	members, listings := searchtest.Corpus()
	// The Manchester need for 5,000 leaflets, some 55 km from Leeds.
	need := &marketplace.AlertListing{Listing: listings[2], Member: members[1]}
	for _, radius := range []string{"30", "60"} {
		sq, err := search.ParseSavedQuery("q=leaflets&kind=need&near=LS6&radius_km=" + radius + "&remote=true")
		if err != nil {
			fmt.Println(err)
			return
		}
		kinds, categories := sq.Scope()
		fmt.Println(sq.Describe(), kinds, categories == nil, sq.Matches(need))
	}
	// Output:
	// “leaflets”, needs, within 30 km of LS6 or UK-wide [need] true false
	// “leaflets”, needs, within 60 km of LS6 or UK-wide [need] true true
}
