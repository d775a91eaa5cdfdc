package bleve_test

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"cooptrade/marketplace"
	"cooptrade/search"
	"cooptrade/search/bleve"
	"cooptrade/search/searchtest"
)

// MustOpen opens an engine on a temporary directory, closed at the end of
// the test.
func MustOpen(tb testing.TB) *bleve.Engine {
	tb.Helper()
	e, err := bleve.Open(tb.TempDir())
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { e.Close() })
	return e
}

func TestContract(t *testing.T) {
	searchtest.Run(t, func(t *testing.T) search.Engine { return MustOpen(t) })
}

func TestOpen_Reopen(t *testing.T) {
	// The index and the table behind filters and facets survive a
	// restart, after a rebuild too.
	dir := t.TempDir()
	ctx := context.Background()
	e, err := bleve.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	docs := searchtest.Documents()
	if err := e.Rebuild(ctx, func(yield func([]search.Document, error) bool) { yield(docs[:8], nil) }); err != nil {
		t.Fatal(err)
	}
	if err := e.Upsert(ctx, docs[8:]); err != nil {
		t.Fatal(err)
	}
	if err := e.Delete(ctx, []string{searchtest.CourierOffer}); err != nil {
		t.Fatal(err)
	}
	q := search.Query{Values: []string{"living-wage"}, Facets: search.AllFacets, Near: near("M", 10), IncludeRemote: true}
	before, err := e.Search(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	e = MustOpenDir(t, dir)
	after, err := e.Search(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(before, after); diff != "" {
		t.Errorf("after reopening (-want +got):\n%s", diff)
	}
	if len(after.Hits) != 3 {
		t.Errorf("got %d hits, want 3 (riso, leaflets, websites)", len(after.Hits))
	}
	if n, _ := e.Count(); n != len(docs)-1 {
		t.Errorf("count: got %d, want %d", n, len(docs)-1)
	}
}

func TestClose(t *testing.T) {
	e := MustOpen(t)
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for name, err := range map[string]error{
		"Search":  func() error { _, err := e.Search(ctx, search.Query{}); return err }(),
		"Upsert":  e.Upsert(ctx, searchtest.Documents()),
		"Delete":  e.Delete(ctx, []string{searchtest.RisoOffer}),
		"Ping":    e.Ping(ctx),
		"Rebuild": e.Rebuild(ctx, func(func([]search.Document, error) bool) {}),
	} {
		if got := marketplace.ErrorCode(err); got != marketplace.EUNAVAILABLE {
			t.Errorf("%s after Close: got %q (%v), want %q", name, got, err, marketplace.EUNAVAILABLE)
		}
	}
}

func TestRebuild_WritesMeanwhile(t *testing.T) {
	// Writes made while a rebuild runs are in the rebuilt index, even
	// when the rebuild's batches say otherwise.
	ctx := context.Background()
	e := MustOpen(t)
	docs := searchtest.Documents()
	batches := func(yield func([]search.Document, error) bool) {
		if !yield(docs[:4], nil) {
			return
		}
		// Meanwhile: the courier offer is posted, the riso offer is
		// taken down, and the leaflet offer changes its title.
		changed := docs[1]
		changed.Title = "Leaflets, flyers and zines printed on recycled paper"
		if err := e.Upsert(ctx, []search.Document{docs[8], changed}); err != nil {
			t.Error(err)
		}
		if err := e.Delete(ctx, []string{searchtest.RisoOffer}); err != nil {
			t.Error(err)
		}
		yield(docs[4:8], nil)
	}
	if err := e.Rebuild(ctx, batches); err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, d := range docs[1:9] {
		if d.Kind == marketplace.KindOffer {
			want = append(want, d.ID)
		}
	}
	res, err := e.Search(ctx, search.Query{Limit: 100, Audience: search.AudienceMembers, Kind: marketplace.KindOffer})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, h := range res.Hits {
		got = append(got, h.ID)
	}
	slices.Sort(want)
	slices.Sort(got)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("hits (-want +got):\n%s", diff)
	}
	res, err = e.Search(ctx, search.Query{Words: "zines"})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Hits) != 1 || res.Hits[0].ID != searchtest.LeafletOffer {
		t.Errorf("zines: got %+v, want the changed leaflet offer only", res.Hits)
	}
}

func TestSearch_Cancelled(t *testing.T) {
	e := MustOpen(t)
	if err := e.Upsert(context.Background(), searchtest.Documents()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := e.Search(ctx, search.Query{Words: "printing"})
	if got := marketplace.ErrorCode(err); got != marketplace.EUNAVAILABLE {
		t.Errorf("got %q (%v), want %q", got, err, marketplace.EUNAVAILABLE)
	}
}

// MustOpenDir opens the engine under dir, closed at the end of the test.
func MustOpenDir(tb testing.TB, dir string) *bleve.Engine {
	tb.Helper()
	e, err := bleve.Open(dir)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { e.Close() })
	return e
}

func near(code string, km int) *search.Near {
	a, _ := marketplace.FindPostcodeArea(code)
	return &search.Near{Postcode: a.Code, Area: a.Code, Lat: a.Lat, Lon: a.Lon, RadiusKM: km}
}

// TestStopWordsInQueries: the stop words the stemmed fields drop ("about",
// "up", "all") neither require anything nor hide what the other words find.
func TestStopWordsInQueries(t *testing.T) {
	e, err := bleve.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	ctx := context.Background()
	if err := e.Upsert(ctx, searchtest.Documents()); err != nil {
		t.Fatal(err)
	}
	count := func(words string) int {
		t.Helper()
		q := search.Query{Words: words, Audience: search.AudienceMembers}
		res, err := e.Search(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		return res.Total
	}
	base := count("leaflets")
	if base == 0 {
		t.Fatal("the corpus has no leaflets")
	}
	for _, words := range []string{"leaflets about", "about leaflets", "leaflets up", "all leaflets"} {
		if got := count(words); got != base {
			t.Errorf("%q finds %d; %q finds %d", words, got, "leaflets", base)
		}
	}
}

// TestOpenHeldElsewhere: a second Open of an index in use fails with a
// clear error after a few seconds, instead of hanging or replacing it.
func TestOpenHeldElsewhere(t *testing.T) {
	dir := t.TempDir()
	first, err := bleve.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer first.Close()
	if err := first.Upsert(context.Background(), searchtest.Documents()); err != nil {
		t.Fatal(err)
	}
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	first, err = bleve.Open(dir) // reopened: the index exists on disk now
	if err != nil {
		t.Fatal(err)
	}
	defer first.Close()
	if second, err := bleve.Open(dir); err == nil {
		second.Close()
		t.Fatal("a second Open of an index in use succeeded")
	} else if !strings.Contains(err.Error(), "in use by another process") {
		t.Fatalf("second Open: %v", err)
	}
	n, err := first.Count()
	if err != nil || n != len(searchtest.Documents()) {
		t.Fatalf("the first engine's index after the second Open: %d, %v", n, err)
	}
}

func TestDocuments(t *testing.T) {
	e := MustOpen(t)
	ctx := context.Background()
	docs := searchtest.Documents()
	if err := e.Upsert(ctx, docs); err != nil {
		t.Fatal(err)
	}
	if err := e.Delete(ctx, []string{searchtest.RisoOffer}); err != nil {
		t.Fatal(err)
	}
	got, err := e.Documents(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var want, have []string
	for _, d := range docs {
		if d.ID != searchtest.RisoOffer {
			want = append(want, d.ID+"@"+strconv.FormatInt(d.Version, 10))
		}
	}
	for _, d := range got {
		have = append(have, d.ID+"@"+strconv.FormatInt(d.Version, 10))
	}
	slices.Sort(want)
	slices.Sort(have)
	if diff := cmp.Diff(want, have); diff != "" {
		t.Fatalf("documents (-want +got):\n%s", diff)
	}
}
