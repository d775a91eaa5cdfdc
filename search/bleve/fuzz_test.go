package bleve_test

import (
	"context"
	"net/url"
	"testing"

	"cooptrade/marketplace"
	"cooptrade/search"
	"cooptrade/search/searchtest"
)

// FuzzSearch parses made-up query strings as the API does, for the public
// and for members, and runs those that parse on the contract's corpus. A
// query string is either refused as EINVALID naming a parameter, or
// answered; never a crash, another error, or more hits than asked for.
func FuzzSearch(f *testing.F) {
	e := MustOpen(f)
	if err := e.Upsert(context.Background(), searchtest.Documents()); err != nil {
		f.Fatal(err)
	}
	for _, q := range []string{
		"q=prnting&near=LS6&radius_km=30", "q=leaflets&kind=need", "category=print-runs&facets=category,tags,area,values",
		"min_price=100&max_price=50", "sort=nearest&near=EC1A", "q=*&limit=100", "cursor=NaN", "q=\"riso\" OR 1=1",
		"tag=a&tag=b&tag=c&tag=d&tag=e&tag=f&tag=g&tag=h&tag=i&tag=j&tag=k", "radius_km=-5&near=ZZ", "q=%00%ff",
		"remote=maybe", "value=living-wage&member_kind=worker", "q=" + url.QueryEscape("café ☕ ŵ"),
	} {
		f.Add(q, false)
		f.Add(q, true)
	}
	f.Fuzz(func(t *testing.T, raw string, signedIn bool) {
		v, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		q, err := search.ParseQuery(v, signedIn)
		if err != nil {
			if marketplace.ErrorCode(err) != marketplace.EINVALID || len(marketplace.ErrorFields(err)) == 0 {
				t.Fatalf("%q refused as %v", raw, err)
			}
			return
		}
		res, err := e.Search(context.Background(), q)
		if err != nil {
			t.Fatalf("%q: %v", raw, err)
		}
		if len(res.Hits) > q.PageSize() {
			t.Fatalf("%q: %d hits for a page of %d", raw, len(res.Hits), q.PageSize())
		}
		for _, h := range res.Hits {
			if h.Kind == marketplace.KindNeed && !signedIn {
				t.Fatalf("%q: a need for the public", raw)
			}
		}
	})
}
