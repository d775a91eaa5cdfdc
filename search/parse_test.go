package search_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"cooptrade/marketplace"
	"cooptrade/search"
)

func TestParseQuery(t *testing.T) {
	m1, _ := marketplace.FindDistrict("M1")
	ls6, _ := marketplace.FindDistrict("LS6")
	ls, _ := marketplace.FindPostcodeArea("LS")
	for _, tc := range []struct {
		name     string
		params   url.Values
		signedIn bool
		want     search.Query
	}{
		{"Empty", url.Values{}, false,
			search.Query{Audience: search.AudiencePublic, Facets: search.AllFacets}},
		{"Members", url.Values{"kind": {"need"}}, true,
			search.Query{Kind: marketplace.KindNeed, Audience: search.AudienceMembers, Facets: search.AllFacets}},
		{"Words", url.Values{"q": {"  prnting\tleaflets\x00 manchester \n"}}, false,
			search.Query{Words: "prnting leaflets manchester", Audience: search.AudiencePublic, Facets: search.AllFacets}},
		{"LongWords", url.Values{"q": {strings.Repeat("a", 500)}}, false,
			search.Query{Words: strings.Repeat("a", search.MaxWordsLen), Audience: search.AudiencePublic, Facets: search.AllFacets}},
		{"Filters", url.Values{
			"category": {"print-runs,book-publishing", "print-runs"}, "tag": {"Cargo  Bike", "cargo bike", ""},
			"value": {"living-wage", "living-wage,fair-tax"}, "member_kind": {"worker"},
			"min_price": {"1000"}, "max_price": {"50000"}, "sort": {"price_asc"}, "facets": {"tags,area"}, "limit": {"50"},
		}, false, search.Query{
			Categories: []string{"print-runs", "book-publishing"}, Tags: []string{"cargo bike"},
			Values: []string{"living-wage", "fair-tax"}, MemberKind: marketplace.MemberWorker,
			MinPricePence: 1000, MaxPricePence: 50000, Sort: search.SortPriceAsc,
			Facets: []search.Facet{search.FacetTags, search.FacetArea}, Limit: 50, Audience: search.AudiencePublic,
		}},
		{"Sector", url.Values{"category": {"cleaning"}, "facets": {"none"}}, false, search.Query{
			Categories: []string{"office-cleaning", "domestic-cleaning", "specialist-cleaning"}, Audience: search.AudiencePublic,
		}},
		{"NearPostcode", url.Values{"near": {"m1 1ad"}, "radius_km": {"40"}, "remote": {"1"}, "sort": {"nearest"}}, false, search.Query{
			Near:          &search.Near{Postcode: "M1 1AD", District: "M1", Area: "M", Lat: m1.Lat, Lon: m1.Lon, RadiusKM: 40},
			IncludeRemote: true, Sort: search.SortNearest, Audience: search.AudiencePublic, Facets: search.AllFacets,
		}},
		{"Places", url.Values{"near": {"LS6"}, "serving": {"false"}, "region": {"yorkshire-humber,north-west"}, "nation": {"england"}, "size": {"micro", "small"}}, false, search.Query{
			Near:      &search.Near{Postcode: "LS6", District: "LS6", Area: "LS", Lat: ls6.Lat, Lon: ls6.Lon, RadiusKM: search.DefaultRadiusKM},
			BasedOnly: true, Regions: []string{"yorkshire-humber", "north-west"}, Nations: []string{"england"},
			Sizes: []string{"micro", "small"}, Audience: search.AudiencePublic, Facets: search.AllFacets,
		}},
		{"NearArea", url.Values{"near": {"ls"}}, false, search.Query{
			Near:     &search.Near{Postcode: "LS", Area: "LS", Lat: ls.Lat, Lon: ls.Lon, RadiusKM: search.DefaultRadiusKM},
			Audience: search.AudiencePublic, Facets: search.AllFacets,
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := search.ParseQuery(tc.params, tc.signedIn)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if err := got.Validate(); err != nil {
				t.Errorf("the parsed query is not valid: %v", err)
			}
		})
	}
}

func TestParseQuery_Invalid(t *testing.T) {
	valid := url.Values{"q": {"print"}}
	cursor := func() string {
		q, _ := search.ParseQuery(valid, false)
		return q.NextCursor(20, 100)
	}()
	for _, tc := range []struct {
		params   url.Values
		signedIn bool
		fields   []string
	}{
		{url.Values{"kind": {"need"}}, false, []string{"kind"}},
		{url.Values{"kind": {"offers"}}, true, []string{"kind"}},
		{url.Values{"category": {"print-runs,plumbing"}}, false, []string{"category"}},
		{url.Values{"tag": {"a\"b"}}, false, []string{"tag"}},
		{url.Values{"tag": {strings.Repeat("x", 33)}}, false, []string{"tag"}},
		{url.Values{"value": {"cheap"}}, false, []string{"value"}},
		{url.Values{"member_kind": {"coop"}}, false, []string{"member_kind"}},
		{url.Values{"near": {"XX1 1XX"}}, false, []string{"near"}},
		{url.Values{"near": {"_geo"}}, false, []string{"near"}},
		{url.Values{"near": {"M1"}, "radius_km": {"0"}}, false, []string{"radius_km"}},
		{url.Values{"near": {"M1"}, "radius_km": {"1001"}}, false, []string{"radius_km"}},
		{url.Values{"near": {"M1"}, "radius_km": {"ten"}}, false, []string{"radius_km"}},
		{url.Values{"radius_km": {"10"}}, false, []string{"radius_km"}},
		{url.Values{"remote": {"yes please"}}, false, []string{"remote"}},
		{url.Values{"near": {"LS30"}}, false, []string{"near"}},
		{url.Values{"serving": {"sometimes"}}, false, []string{"serving"}},
		{url.Values{"region": {"midlands"}}, false, []string{"region"}},
		{url.Values{"region": {`london" OR kind = "need`}}, false, []string{"region"}},
		{url.Values{"nation": {"cornwall"}}, false, []string{"nation"}},
		{url.Values{"size": {"huge"}}, false, []string{"size"}},
		{url.Values{"min_price": {"-1"}}, false, []string{"min_price"}},
		{url.Values{"max_price": {"1e9"}}, false, []string{"max_price"}},
		{url.Values{"min_price": {"500"}, "max_price": {"100"}}, false, []string{"min_price"}},
		{url.Values{"sort": {"cheapest"}}, false, []string{"sort"}},
		{url.Values{"sort": {"nearest"}}, false, []string{"sort"}},
		{url.Values{"facets": {"colour"}}, false, []string{"facets"}},
		{url.Values{"limit": {"101"}}, false, []string{"limit"}},
		{url.Values{"limit": {"0"}}, false, []string{"limit"}},
		{url.Values{"cursor": {"not a cursor"}}, false, []string{"cursor"}},
		{url.Values{"cursor": {cursor}, "q": {"bakery"}}, false, []string{"cursor"}},
		{url.Values{"kind": {"need"}, "limit": {"500"}, "near": {"nowhere"}}, false, []string{"kind", "near", "limit"}},
	} {
		t.Run(tc.params.Encode(), func(t *testing.T) {
			_, err := search.ParseQuery(tc.params, tc.signedIn)
			if got := marketplace.ErrorCode(err); got != marketplace.EINVALID {
				t.Fatalf("got %q (%v), want %q", got, err, marketplace.EINVALID)
			}
			var got []string
			for _, f := range marketplace.ErrorFields(err) {
				got = append(got, f.Field)
			}
			if diff := cmp.Diff(tc.fields, got); diff != "" {
				t.Errorf("fields (-want +got):\n%s", diff)
			}
		})
	}
	// The cursor of a search goes on with the same search.
	q, err := search.ParseQuery(url.Values{"q": {"print"}, "cursor": {cursor}}, false)
	if err != nil || q.Offset != 20 {
		t.Errorf("own cursor: got offset %d, %v; want 20", q.Offset, err)
	}
}

func TestQuery_Validate(t *testing.T) {
	ok := []search.Query{
		{},
		{Words: "x", Kind: marketplace.KindOffer, Categories: []string{"bakery"}, Sort: search.SortNewest, Limit: 100, Offset: search.MaxOffset},
	}
	for _, q := range ok {
		if err := q.Validate(); err != nil {
			t.Errorf("%+v: %v", q, err)
		}
	}
	bad := []search.Query{
		{Kind: "both"},
		{Categories: []string{"printing"}},
		{Values: []string{"cheap"}},
		{MemberKind: "coop"},
		{Near: &search.Near{Area: "ZZ", RadiusKM: 5}},
		{Near: &search.Near{Area: "M", RadiusKM: 0}},
		{MinPricePence: 10, MaxPricePence: 5},
		{Sort: search.SortNearest},
		{Sort: "cheapest"},
		{Facets: []search.Facet{"colour"}},
		{Offset: search.MaxOffset + 1},
		{Limit: search.MaxLimit + 1},
		{Audience: "staff"},
	}
	for _, q := range bad {
		if got := marketplace.ErrorCode(q.Validate()); got != marketplace.EINVALID {
			t.Errorf("%+v: got %q, want %q", q, got, marketplace.EINVALID)
		}
	}
}
