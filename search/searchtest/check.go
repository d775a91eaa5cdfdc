package searchtest

import (
	"context"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"cooptrade/marketplace"
	"cooptrade/search"
)

func run(t *testing.T, e search.Engine, q search.Query) *search.Result {
	t.Helper()
	res, err := e.Search(context.Background(), q)
	if err != nil {
		t.Fatalf("Search(%+v): %v", q, err)
	}
	return res
}

// expect checks that q finds exactly want, in any order, with limit 100.
func expect(t *testing.T, e search.Engine, q search.Query, want []string) *search.Result {
	t.Helper()
	if q.Limit == 0 {
		q.Limit = search.MaxLimit
	}
	res := run(t, e, q)
	if diff := cmp.Diff(sorted(want), sorted(ids(res))); diff != "" {
		t.Errorf("Search(%s): hits (-want +got):\n%s", describe(q), diff)
	}
	if res.Total != len(want) {
		t.Errorf("Search(%s): total %d, want %d", describe(q), res.Total, len(want))
	}
	return res
}

// expectOrder checks that q finds exactly want, in that order.
func expectOrder(t *testing.T, e search.Engine, q search.Query, want []string) {
	t.Helper()
	q.Limit = search.MaxLimit
	res := run(t, e, q)
	if diff := cmp.Diff(want, ids(res)); diff != "" {
		t.Errorf("Search(%s): hits in order (-want +got):\n%s", describe(q), diff)
	}
}

func parse(t *testing.T, v url.Values, signedIn bool) search.Query {
	t.Helper()
	q, err := search.ParseQuery(v, signedIn)
	if err != nil {
		t.Fatalf("ParseQuery(%v): %v", v, err)
	}
	return q
}

func nearArea(t *testing.T, code string, km int) *search.Near {
	t.Helper()
	a, ok := marketplace.FindPostcodeArea(code)
	if !ok {
		t.Fatalf("no area %s", code)
	}
	return &search.Near{Postcode: a.Code, Area: a.Code, Lat: a.Lat, Lon: a.Lon, RadiusKM: km}
}

func nearDistrict(t *testing.T, code string, km int) *search.Near {
	t.Helper()
	d, ok := marketplace.FindDistrict(code)
	if !ok {
		t.Fatalf("no district %s", code)
	}
	return &search.Near{Postcode: d.Code, District: d.Code, Area: d.Area, Lat: d.Lat, Lon: d.Lon, RadiusKM: km}
}

func ids(res *search.Result) []string {
	out := []string{}
	for _, h := range res.Hits {
		out = append(out, h.ID)
	}
	return out
}

func sorted(s []string) []string {
	out := append([]string{}, s...)
	slices.Sort(out)
	return out
}

func describe(q search.Query) string {
	var b strings.Builder
	if q.Words != "" {
		w := q.Words
		if len(w) > 40 {
			w = w[:40] + "…"
		}
		b.WriteString("words=" + w + " ")
	}
	if q.Kind != "" {
		b.WriteString("kind=" + string(q.Kind) + " ")
	}
	if len(q.Categories) > 0 {
		b.WriteString("categories=" + strings.Join(q.Categories, ",") + " ")
	}
	if len(q.Tags) > 0 {
		b.WriteString("tags=" + strings.Join(q.Tags, ",") + " ")
	}
	if len(q.Values) > 0 {
		b.WriteString("values=" + strings.Join(q.Values, ",") + " ")
	}
	if q.Near != nil {
		b.WriteString("near=" + q.Near.Area + "/" + strconv.Itoa(q.Near.RadiusKM) + " ")
	}
	if q.IncludeRemote {
		b.WriteString("remote ")
	}
	if q.Sort != "" {
		b.WriteString("sort=" + string(q.Sort) + " ")
	}
	b.WriteString("audience=" + string(q.Audience))
	return b.String()
}

func fc(value string, count int) search.FacetCount {
	return search.FacetCount{Value: value, Count: count}
}
