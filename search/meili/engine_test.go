package meili_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"cooptrade/marketplace"
	"cooptrade/search"
	"cooptrade/search/meili"
	"cooptrade/search/searchtest"
)

func TestOpen(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		f := newFake(t)
		e, err := meili.Open(context.Background(), meili.Config{URL: f.srv.URL, APIKey: "masterKey", PollInterval: time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		defer e.Close()
		reqs := f.requests()
		if len(reqs) != 2 {
			t.Fatalf("got %d requests, want 2: %+v", len(reqs), reqs)
		}
		if got, want := reqs[0].Method+" "+reqs[0].Path, "POST /indexes"; got != want {
			t.Errorf("first request: got %s, want %s", got, want)
		}
		if diff := cmp.Diff(jsonOf(t, `{"uid":"listings","primaryKey":"id"}`), jsonOf(t, reqs[0].Body)); diff != "" {
			t.Errorf("create index body (-want +got):\n%s", diff)
		}
		if got, want := reqs[1].Method+" "+reqs[1].Path, "PATCH /indexes/listings/settings"; got != want {
			t.Errorf("second request: got %s, want %s", got, want)
		}
		if diff := cmp.Diff(jsonOf(t, string(fixture(t, "settings.json"))), jsonOf(t, reqs[1].Body)); diff != "" {
			t.Errorf("settings (-want +got):\n%s", diff)
		}
		for _, r := range reqs {
			if r.Auth != "Bearer masterKey" {
				t.Errorf("%s %s: Authorization %q, want the bearer key", r.Method, r.Path, r.Auth)
			}
		}
	})
	t.Run("IndexExists", func(t *testing.T) {
		// The index creation task fails because the index is there:
		// that is fine, and the settings are applied all the same.
		f := newFake(t,
			route{method: "GET", path: "/tasks/7", status: 200, fixture: "task_failed_index_exists.json"},
			route{method: "PATCH", path: "/indexes/listings/settings", status: 202, fixture: "task_enqueued_settings.json"})
		_, err := meili.Open(context.Background(), meili.Config{URL: f.srv.URL, PollInterval: time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		if n := len(f.requests()); n != 2 {
			t.Errorf("got %d requests, want 2", n)
		}
	})
	t.Run("ErrUnavailable", func(t *testing.T) {
		f := newFake(t)
		f.srv.Close()
		_, err := meili.Open(context.Background(), meili.Config{URL: f.srv.URL})
		if got := marketplace.ErrorCode(err); got != marketplace.EUNAVAILABLE {
			t.Errorf("got %q (%v), want %q", got, err, marketplace.EUNAVAILABLE)
		}
	})
	t.Run("ErrNoURL", func(t *testing.T) {
		_, err := meili.Open(context.Background(), meili.Config{})
		if got := marketplace.ErrorCode(err); got != marketplace.EINVALID {
			t.Errorf("got %q (%v), want %q", got, err, marketplace.EINVALID)
		}
	})
}

func TestFilter(t *testing.T) {
	m1, _ := marketplace.FindDistrict("M1")
	near := &search.Near{Postcode: "M1", District: "M1", Area: "M", Lat: m1.Lat, Lon: m1.Lon, RadiusKM: 3}
	based := `district IN ["M1", "M2", "M3", "M4", "M12", "M13", "M15", "M60", "M61", "M99"]`
	for _, tc := range []struct {
		name string
		q    search.Query
		want string
	}{
		{"Public", search.Query{}, `kind = "offer" AND member_kind = "enterprise"`},
		{"Members", search.Query{Audience: search.AudienceMembers}, ``},
		{"PublicNeeds", search.Query{Kind: marketplace.KindNeed}, `kind = "none" AND member_kind = "enterprise"`},
		{"Categories", search.Query{Audience: search.AudienceMembers, Categories: []string{"print-runs", "book-publishing"}},
			`category IN ["print-runs", "book-publishing"]`},
		{"TagsAndValues", search.Query{Tags: []string{"cargo bike", "delivery"}, Values: []string{"living-wage"}, MemberKind: marketplace.MemberWorker},
			`kind = "offer" AND tags = "cargo bike" AND tags = "delivery" AND values = "living-wage" AND member_kind = "none"`},
		{"MembersWorkers", search.Query{Audience: search.AudienceMembers, MemberKind: marketplace.MemberWorker}, `member_kind = "worker"`},
		// Based within 3 km of M1, or serving M1 from further away.
		{"Near", search.Query{Near: near}, `kind = "offer" AND member_kind = "enterprise" AND (` + based + ` OR reach_areas = "M" OR reach_districts IN ["M1"])`},
		{"NearRemote", search.Query{Near: near, IncludeRemote: true}, `kind = "offer" AND member_kind = "enterprise" AND (` + based + ` OR reach_areas = "M" OR reach_districts IN ["M1"] OR remote = true)`},
		{"NearBasedOnly", search.Query{Near: near, BasedOnly: true}, `kind = "offer" AND member_kind = "enterprise" AND (` + based + `)`},
		{"Suppliers", search.Query{Sizes: []string{"micro", "small"}, Regions: []string{"london"}, Nations: []string{"england"}},
			`kind = "offer" AND member_kind = "enterprise" AND member_size IN ["micro", "small"] AND region IN ["london"] AND nation IN ["england"]`},
		{"HostileRegion", search.Query{Regions: []string{`london"] OR kind = "need`}}, `kind = "offer" AND member_kind = "enterprise" AND region IN ["london\"] OR kind = \"need"]`},
		{"Price", search.Query{MinPricePence: 100, MaxPricePence: 5000}, `kind = "offer" AND member_kind = "enterprise" AND priced = true AND price_max >= 100 AND price_min <= 5000`},
		{"HostileTag", search.Query{Tags: []string{`a" OR kind = "need`}}, `kind = "offer" AND tags = "a\" OR kind = \"need" AND member_kind = "enterprise"`},
		{"Backslash", search.Query{Tags: []string{`\" OR 1 = 1 OR tags = "\`}}, `kind = "offer" AND tags = "\\\" OR 1 = 1 OR tags = \"\\" AND member_kind = "enterprise"`},
		{"GeoWord", search.Query{Tags: []string{`_geoRadius(0, 0, 1)`}}, `kind = "offer" AND tags = "_geoRadius(0, 0, 1)" AND member_kind = "enterprise"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := meili.Filter(&tc.q); got != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
}

func TestSearch(t *testing.T) {
	t.Run("Request", func(t *testing.T) {
		f := newFake(t, route{method: "POST", path: "/indexes/listings/search", status: 200, fixture: "search_page1.json"})
		e := open(t, f, meili.Config{})
		q := search.Query{
			Words: `The  Co-operative's prnting " OR kind = need`, Categories: []string{"print-runs"},
			Near: &search.Near{Postcode: "HX7", District: "HX7", Area: "HX", Lat: 53.72, Lon: -1.90, RadiusKM: 10},
			Sort: search.SortNearest, Facets: []search.Facet{search.FacetCategory, search.FacetTags}, Limit: 2, Offset: 2,
		}
		if _, err := e.Search(context.Background(), q); err != nil {
			t.Fatal(err)
		}
		reqs := f.requests()
		if len(reqs) != 1 || reqs[0].Path != "/indexes/listings/search" || reqs[0].Method != http.MethodPost {
			t.Fatalf("got %+v, want one POST /indexes/listings/search", reqs)
		}
		want := `{
			"q": "cooperatives prnting kind need",
			"filter": "kind = \"offer\" AND category IN [\"print-runs\"] AND member_kind = \"enterprise\" AND (area IN [\"HX\"] OR district IN [\"BD6\", \"BD12\", \"BD13\", \"BD14\", \"HD3\", \"HD6\"] OR reach_areas = \"HX\" OR reach_districts IN [\"HX7\"])",
			"sort": ["_geoPoint(53.72, -1.9):asc"],
			"facets": ["category", "tags"],
			"matchingStrategy": "all",
			"attributesToRetrieve": ["id", "doc"],
			"hitsPerPage": 2,
			"page": 2,
			"hybrid": null
		}`
		if diff := cmp.Diff(jsonOf(t, want), jsonOf(t, reqs[0].Body)); diff != "" {
			t.Errorf("search body (-want +got):\n%s", diff)
		}
	})
	t.Run("Response", func(t *testing.T) {
		f := newFake(t, route{method: "POST", path: "/indexes/listings/search", status: 200, fixture: "search_page1.json"})
		e := open(t, f, meili.Config{})
		q := search.Query{Words: "prnting", Facets: []search.Facet{search.FacetCategory, search.FacetKind, search.FacetValues}, Limit: 2}
		res, err := e.Search(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		docs := searchtest.Documents()
		want := &search.Result{
			Hits:  []search.Hit{search.NewHit(&docs[0], &q, q.Terms()), search.NewHit(&docs[1], &q, q.Terms())},
			Total: 3,
			Facets: map[search.Facet][]search.FacetCount{
				search.FacetCategory: {{Value: "graphic-design", Count: 1}, {Value: "print-runs", Count: 1}, {Value: "risograph-screen-print", Count: 1}},
				search.FacetKind:     {{Value: "offer", Count: 3}},
				search.FacetValues:   {},
			},
			NextCursor: q.NextCursor(2, 3),
		}
		if diff := cmp.Diff(want, res); diff != "" {
			t.Errorf("result (-want +got):\n%s", diff)
		}
		if res.NextCursor == "" {
			t.Error("no next cursor on page 1 of 2")
		}
		if got := res.Hits[0].Highlights; len(got) != 1 || got[0] != "printing" {
			t.Errorf("highlights: got %q, want [printing]", got)
		}
	})
	t.Run("PublicNeeds", func(t *testing.T) {
		f := newFake(t)
		e := open(t, f, meili.Config{})
		res, err := e.Search(context.Background(), search.Query{Kind: marketplace.KindNeed})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Hits) != 0 || len(f.requests()) != 0 {
			t.Errorf("the public asking for needs: got %d hits after %d requests, want none", len(res.Hits), len(f.requests()))
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		f := newFake(t)
		e := open(t, f, meili.Config{})
		_, err := e.Search(context.Background(), search.Query{Categories: []string{`x" OR kind = "need`}})
		if got := marketplace.ErrorCode(err); got != marketplace.EINVALID {
			t.Errorf("got %q (%v), want %q", got, err, marketplace.EINVALID)
		}
		if n := len(f.requests()); n != 0 {
			t.Errorf("an invalid query was sent (%d requests)", n)
		}
	})
}

func TestErrors(t *testing.T) {
	for _, tc := range []struct {
		name    string
		status  int
		fixture string
		code    string
		detail  string // what the error keeps for the logs
	}{
		{"InvalidFilter", 400, "error_invalid_search_filter.json", marketplace.EINTERNAL, "invalid_search_filter"},
		{"MissingKey", 401, "error_missing_authorization_header.json", marketplace.EUNAVAILABLE, "missing_authorization_header"},
		{"InvalidKey", 403, "error_invalid_api_key.json", marketplace.EUNAVAILABLE, "https://docs.meilisearch.com/errors#invalid_api_key"},
		{"IndexNotFound", 404, "error_index_not_found.json", marketplace.EUNAVAILABLE, "Index `listings` not found."},
		{"Internal", 500, "error_internal.json", marketplace.EUNAVAILABLE, "Corrupted task queue"},
		{"BadGateway", 502, "bad_gateway.html", marketplace.EUNAVAILABLE, "status 502"},
		{"Unavailable", 503, "bad_gateway.html", marketplace.EUNAVAILABLE, "status 503"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t, route{method: "POST", path: "/indexes/listings/search", status: tc.status, fixture: tc.fixture})
			e := open(t, f, meili.Config{})
			_, err := e.Search(context.Background(), search.Query{Words: "print"})
			if got := marketplace.ErrorCode(err); got != tc.code {
				t.Errorf("code: got %q (%v), want %q", got, err, tc.code)
			}
			if err == nil || !strings.Contains(err.Error(), tc.detail) {
				t.Errorf("error %v does not say %q", err, tc.detail)
			}
			if tc.code == marketplace.EUNAVAILABLE && marketplace.ErrorMessage(err) != "Search is unavailable right now." {
				t.Errorf("message: got %q", marketplace.ErrorMessage(err))
			}
			if n := len(f.requests()); n != 1 {
				t.Errorf("got %d requests, want 1 (no retries)", n)
			}
		})
	}
	t.Run("Slow", func(t *testing.T) {
		f := newFake(t, route{method: "POST", path: "/indexes/listings/search", status: 200, fixture: "search_page1.json", delay: time.Minute})
		e := open(t, f, meili.Config{})
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		_, err := e.Search(ctx, search.Query{Words: "print"})
		if got := marketplace.ErrorCode(err); got != marketplace.EUNAVAILABLE {
			t.Errorf("got %q (%v), want %q", got, err, marketplace.EUNAVAILABLE)
		}
	})
	t.Run("Down", func(t *testing.T) {
		f := newFake(t)
		e := open(t, f, meili.Config{})
		f.srv.Close()
		_, err := e.Search(context.Background(), search.Query{Words: "print"})
		if got := marketplace.ErrorCode(err); got != marketplace.EUNAVAILABLE {
			t.Errorf("search: got %q (%v), want %q", got, err, marketplace.EUNAVAILABLE)
		}
		if got := marketplace.ErrorCode(e.Ping(context.Background())); got != marketplace.EUNAVAILABLE {
			t.Errorf("ping: got %q, want %q", got, marketplace.EUNAVAILABLE)
		}
	})
}

func TestUpsert(t *testing.T) {
	docs := searchtest.Documents()
	t.Run("Batches", func(t *testing.T) {
		f := newFake(t)
		e := open(t, f, meili.Config{BatchSize: 5})
		if err := e.Upsert(context.Background(), docs); err != nil {
			t.Fatal(err)
		}
		reqs := f.requests()
		if len(reqs) != 3 {
			t.Fatalf("got %d requests, want 3 batches of at most 5 for 12 documents", len(reqs))
		}
		var sent []string
		for _, r := range reqs {
			if got, want := r.Method+" "+r.Path, "POST /indexes/listings/documents?primaryKey=id"; got != want {
				t.Errorf("got %s, want %s", got, want)
			}
			var batch []map[string]any
			if err := json.Unmarshal([]byte(r.Body), &batch); err != nil {
				t.Fatal(err)
			}
			for _, d := range batch {
				sent = append(sent, d["id"].(string))
			}
		}
		var want []string
		for _, d := range docs {
			want = append(want, d.ID)
		}
		if diff := cmp.Diff(want, sent); diff != "" {
			t.Errorf("documents sent (-want +got):\n%s", diff)
		}
	})
	t.Run("Document", func(t *testing.T) {
		f := newFake(t)
		e := open(t, f, meili.Config{})
		if err := e.Upsert(context.Background(), docs[:1]); err != nil {
			t.Fatal(err)
		}
		var got []map[string]any
		json.Unmarshal([]byte(f.requests()[0].Body), &got)
		want := jsonOf(t, string(fixture(t, "document_riso.json")))
		if diff := cmp.Diff(want, any(toAny(got))); diff != "" {
			t.Errorf("document (-want +got):\n%s", diff)
		}
	})
	t.Run("ErrTaskFailed", func(t *testing.T) {
		f := newFake(t)
		e := open(t, f, meili.Config{})
		f.routes = []route{{method: "GET", path: "/tasks/7", status: 200, fixture: "task_failed_document_id.json"}}
		err := e.Upsert(context.Background(), docs[:2])
		if got := marketplace.ErrorCode(err); got != marketplace.EINTERNAL {
			t.Errorf("got %q (%v), want %q", got, err, marketplace.EINTERNAL)
		}
		if err == nil || !strings.Contains(err.Error(), "invalid_document_id") {
			t.Errorf("error %v does not name the code", err)
		}
	})
	t.Run("ErrNoSpace", func(t *testing.T) {
		f := newFake(t)
		e := open(t, f, meili.Config{})
		f.routes = []route{{method: "GET", path: "/tasks/7", status: 200, fixture: "task_failed_no_space.json"}}
		err := e.Upsert(context.Background(), docs[:2])
		if got := marketplace.ErrorCode(err); got != marketplace.EUNAVAILABLE {
			t.Errorf("got %q (%v), want %q", got, err, marketplace.EUNAVAILABLE)
		}
	})
	t.Run("ErrTaskTimeout", func(t *testing.T) {
		// The task never finishes: the write gives up at TaskTimeout.
		f := newFake(t)
		e := open(t, f, meili.Config{TaskTimeout: 50 * time.Millisecond})
		f.routes = []route{{method: "GET", path: "/tasks/7", status: 200, fixture: "task_processing.json"}}
		err := e.Upsert(context.Background(), docs[:2])
		if got := marketplace.ErrorCode(err); got != marketplace.EUNAVAILABLE {
			t.Errorf("got %q (%v), want %q", got, err, marketplace.EUNAVAILABLE)
		}
	})
}

func TestDelete(t *testing.T) {
	f := newFake(t)
	e := open(t, f, meili.Config{})
	if err := e.Delete(context.Background(), []string{searchtest.RisoOffer, searchtest.CourierOffer}); err != nil {
		t.Fatal(err)
	}
	reqs := f.requests()
	if len(reqs) != 1 || reqs[0].Method+" "+reqs[0].Path != "POST /indexes/listings/documents/delete-batch" {
		t.Fatalf("got %+v, want one POST /indexes/listings/documents/delete-batch", reqs)
	}
	if diff := cmp.Diff(jsonOf(t, `["5f0000000000000000000001","5f0000000000000000000009"]`), jsonOf(t, reqs[0].Body)); diff != "" {
		t.Errorf("ids (-want +got):\n%s", diff)
	}
}

func TestRebuild(t *testing.T) {
	docs := searchtest.Documents()
	t.Run("OK", func(t *testing.T) {
		f := newFake(t)
		e := open(t, f, meili.Config{BatchSize: 100})
		batches := func(yield func([]search.Document, error) bool) {
			if yield(docs[:6], nil) {
				yield(docs[6:], nil)
			}
		}
		if err := e.Rebuild(context.Background(), batches); err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range f.requests() {
			got = append(got, r.Method+" "+r.Path)
		}
		want := []string{
			"DELETE /indexes/listings_rebuild",
			"POST /indexes",
			"PATCH /indexes/listings_rebuild/settings",
			"POST /indexes/listings_rebuild/documents?primaryKey=id",
			"POST /indexes/listings_rebuild/documents?primaryKey=id",
			"POST /swap-indexes",
			"DELETE /indexes/listings_rebuild",
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("requests (-want +got):\n%s", diff)
		}
		swap := f.requests()[5]
		if diff := cmp.Diff(jsonOf(t, `[{"indexes":["listings","listings_rebuild"]}]`), jsonOf(t, swap.Body)); diff != "" {
			t.Errorf("swap body (-want +got):\n%s", diff)
		}
		if swap.Auth != "Bearer masterKey" {
			t.Errorf("swap: Authorization %q", swap.Auth)
		}
	})
	t.Run("ErrBatch", func(t *testing.T) {
		f := newFake(t)
		e := open(t, f, meili.Config{})
		failed := marketplace.Errorf(marketplace.EUNAVAILABLE, "the store went away")
		batches := func(yield func([]search.Document, error) bool) {
			if yield(docs[:6], nil) {
				yield(nil, failed)
			}
		}
		err := e.Rebuild(context.Background(), batches)
		if marketplace.ErrorCode(err) != marketplace.EUNAVAILABLE {
			t.Errorf("got %v, want the batch's error", err)
		}
		for _, r := range f.requests() {
			if r.Path == "/swap-indexes" {
				t.Error("swapped in a half-built index")
			}
		}
		if last := f.requests()[len(f.requests())-1]; last.Method+" "+last.Path != "DELETE /indexes/listings_rebuild" {
			t.Errorf("last request %s %s, want the half-built index deleted", last.Method, last.Path)
		}
	})
	t.Run("ErrSwap", func(t *testing.T) {
		f := newFake(t, route{method: "POST", path: "/swap-indexes", status: 404, fixture: "error_index_not_found.json"})
		e := open(t, f, meili.Config{})
		err := e.Rebuild(context.Background(), func(yield func([]search.Document, error) bool) { yield(docs, nil) })
		if got := marketplace.ErrorCode(err); got != marketplace.EUNAVAILABLE {
			t.Errorf("got %q (%v), want %q", got, err, marketplace.EUNAVAILABLE)
		}
	})
}

func TestPing(t *testing.T) {
	f := newFake(t)
	e := open(t, f, meili.Config{})
	if err := e.Ping(context.Background()); err != nil {
		t.Fatal(err)
	}
	if reqs := f.requests(); len(reqs) != 1 || reqs[0].Path != "/health" {
		t.Errorf("got %+v, want GET /health", reqs)
	}
}

func toAny(v any) any {
	b, _ := json.Marshal(v)
	var out any
	json.Unmarshal(b, &out)
	return out
}
