package bleve_test

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	blevesearch "github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/mapping"
	bsearch "github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"

	"cooptrade/marketplace"
	"cooptrade/marketplace/corpus"
	"cooptrade/search"
	"cooptrade/search/bleve"
)

// benchSizes are the corpus sizes benchmarked: the federation's real size
// and ten times it. Pick one with -bench 'Search/n=10000'.
var benchSizes = []int{10_000, 100_000}

// Mix is a fixed mix of what buyers type: words with typos, filters,
// distance, facets (the API asks for all by default) and sorts.
var Mix = []struct {
	params   url.Values
	signedIn bool
}{
	{url.Values{"q": {"prnting leaflets"}}, false},
	{url.Values{"q": {"catering"}, "near": {"M1"}, "radius_km": {"30"}}, false},
	{url.Values{"q": {"websites accesible"}, "category": {"software-digital"}}, false},
	{url.Values{"q": {"retrofit insulation"}, "near": {"LS6"}, "radius_km": {"50"}, "remote": {"true"}, "sort": {"nearest"}}, true},
	{url.Values{"q": {"cooperative bookkeeping"}, "value": {"living-wage"}}, false},
	{url.Values{"q": {"riso"}, "sort": {"newest"}}, false},
	{url.Values{"near": {"BS"}, "radius_km": {"25"}, "kind": {"offer"}}, true},
	{url.Values{"q": {"vegan"}, "min_price": {"500"}, "max_price": {"5000"}, "sort": {"price_asc"}}, false},
	{url.Values{"q": {"solar instalation"}, "near": {"CF10"}, "radius_km": {"80"}}, false},
	{url.Values{"q": {"cargo bike deliveries manchester"}}, false},
	{url.Values{"q": {"translation welsh"}, "near": {"SA1"}, "radius_km": {"40"}, "remote": {"true"}}, false},
	{url.Values{"category": {"print-runs"}, "sort": {"newest"}}, true},
	{url.Values{"q": {"sourdough bread"}, "member_kind": {"enterprise"}}, false},
	{url.Values{"q": {"facilitation"}, "sort": {"price_desc"}}, false},
	{url.Values{"q": {"heat pumps"}, "tag": {"heating"}, "near": {"G1"}, "radius_km": {"100"}}, false},
	{url.Values{"q": {"graphic desgin branding"}, "near": {"E8"}, "radius_km": {"20"}, "remote": {"true"}}, false},
	{url.Values{"q": {"office cleaning living wage"}, "near": {"M"}, "radius_km": {"15"}}, true},
	{url.Values{"q": {"bid writting"}, "kind": {"offer"}}, false},
	{url.Values{"q": {"joinery"}, "near": {"BN1"}, "radius_km": {"60"}, "sort": {"nearest"}}, false},
	{url.Values{}, false},
}

var benchData = struct {
	sync.Mutex
	docs map[int][]search.Document
}{docs: map[int][]search.Document{}}

// benchDocs returns the visible documents of a generated federation of n
// listings.
func benchDocs(n int) []search.Document {
	benchData.Lock()
	defer benchData.Unlock()
	if docs, ok := benchData.docs[n]; ok {
		return docs
	}
	members, listings := corpus.Generate(corpus.Config{Seed: 42, Listings: n})
	byID := map[string]*marketplace.Member{}
	for _, m := range members {
		byID[m.ID] = m
	}
	var docs []search.Document
	for _, l := range listings {
		if m := byID[l.MemberID]; search.Visible(l, m) {
			docs = append(docs, search.NewDocument(l, m))
		}
	}
	benchData.docs[n] = docs
	return docs
}

func batches(docs []search.Document, size int) func(func([]search.Document, error) bool) {
	return func(yield func([]search.Document, error) bool) {
		for i := 0; i < len(docs); i += size {
			if !yield(docs[i:min(i+size, len(docs))], nil) {
				return
			}
		}
	}
}

// BenchmarkIndex measures Rebuild from the generated corpus.
func BenchmarkIndex(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			docs := benchDocs(n)
			b.ResetTimer()
			for range b.N {
				e := MustOpen(b)
				start := time.Now()
				if err := e.Rebuild(context.Background(), batches(docs, 1000)); err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(float64(len(docs))/time.Since(start).Seconds(), "docs/s")
			}
		})
	}
}

// BenchmarkSearch runs the mix on the engine and, beside it, the same
// queries on raw Bleve with the obvious plan (stemmed fields with
// fuzziness 1, scored filters, a geo-distance query, Bleve's facets and
// sorts), reporting p50 and p99 per query.
func BenchmarkSearch(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			docs := benchDocs(n)
			queries := make([]search.Query, len(Mix))
			for i, m := range Mix {
				q, err := search.ParseQuery(m.params, m.signedIn)
				if err != nil {
					b.Fatalf("%v: %v", m.params, err)
				}
				queries[i] = q
			}
			b.Run("engine", func(b *testing.B) {
				e := benchEngine(b, n, docs)
				runMix(b, queries, func(q search.Query) (int, error) {
					res, err := e.Search(context.Background(), q)
					if err != nil {
						return 0, err
					}
					return res.Total, nil
				})
			})
			b.Run("raw", func(b *testing.B) {
				idx := rawIndex(b, docs)
				runMix(b, queries, func(q search.Query) (int, error) {
					res, err := idx.Search(rawRequest(q))
					if err != nil {
						return 0, err
					}
					return int(res.Total), nil
				})
			})
		})
	}
}

// benchEngine opens an engine holding docs. With BENCH_INDEX_DIR set, the
// index is kept there between runs (for working on the query plan).
func benchEngine(b *testing.B, n int, docs []search.Document) *bleve.Engine {
	dir := os.Getenv("BENCH_INDEX_DIR")
	if dir == "" {
		e := MustOpen(b)
		if err := e.Rebuild(context.Background(), batches(docs, 1000)); err != nil {
			b.Fatal(err)
		}
		return e
	}
	e, err := bleve.Open(filepath.Join(dir, strconv.Itoa(n)))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { e.Close() })
	if c, _ := e.Count(); c != len(docs) {
		if err := e.Rebuild(context.Background(), batches(docs, 1000)); err != nil {
			b.Fatal(err)
		}
	}
	return e
}

func runMix(b *testing.B, queries []search.Query, do func(search.Query) (int, error)) {
	// One warm-up round.
	for _, q := range queries {
		if _, err := do(q); err != nil {
			b.Fatal(err)
		}
	}
	times := make([]time.Duration, 0, b.N)
	perQuery := make([][]time.Duration, len(queries))
	b.ResetTimer()
	for i := range b.N {
		start := time.Now()
		if _, err := do(queries[i%len(queries)]); err != nil {
			b.Fatal(err)
		}
		d := time.Since(start)
		times = append(times, d)
		perQuery[i%len(queries)] = append(perQuery[i%len(queries)], d)
	}
	b.StopTimer()
	if os.Getenv("BENCH_VERBOSE") != "" {
		for i, ts := range perQuery {
			slices.Sort(ts)
			if len(ts) > 0 {
				ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
				fmt.Fprintf(os.Stderr, "%2d p50 %6.2f  p90 %6.2f  max %6.2f ms  %v\n", i, ms(ts[len(ts)/2]), ms(ts[len(ts)*9/10]), ms(ts[len(ts)-1]), Mix[i].params)
			}
		}
	}
	slices.Sort(times)
	pct := func(p float64) float64 {
		return float64(times[min(len(times)-1, int(p*float64(len(times))))].Microseconds()) / 1000
	}
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
}

// rawIndex builds the obvious index: stemmed text, stored fields, a geo
// point.
func rawIndex(b *testing.B, docs []search.Document) blevesearch.Index {
	dm := mapping.NewDocumentStaticMapping()
	for _, f := range []string{"title", "description", "member_name"} {
		fm := mapping.NewTextFieldMapping()
		fm.Analyzer = en.AnalyzerName
		dm.AddFieldMappingsAt(f, fm)
	}
	for _, f := range []string{"kind", "category", "tags", "values", "area", "member_kind"} {
		dm.AddFieldMappingsAt(f, mapping.NewKeywordFieldMapping())
	}
	for _, f := range []string{"price_min", "price_max", "published"} {
		dm.AddFieldMappingsAt(f, mapping.NewNumericFieldMapping())
	}
	dm.AddFieldMappingsAt("loc", mapping.NewGeoPointFieldMapping())
	im := blevesearch.NewIndexMapping()
	im.DefaultMapping = dm
	idx, err := blevesearch.New(b.TempDir()+"/raw", im)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { idx.Close() })
	for i := 0; i < len(docs); i += 1000 {
		batch := idx.NewBatch()
		for _, d := range docs[i:min(i+1000, len(docs))] {
			doc := map[string]any{
				"title": d.Title, "description": d.Description, "member_name": d.MemberName,
				"kind": string(d.Kind), "category": d.Category, "tags": d.Tags, "values": d.Values,
				"area": d.Area, "member_kind": string(d.MemberKind),
				"price_min": float64(d.PriceMinPence), "price_max": float64(d.PriceMaxPence),
				"published": float64(d.PublishedAt.Unix()),
			}
			if d.Area != "" {
				doc["loc"] = []float64{d.Lon, d.Lat}
			}
			if err := batch.Index(d.ID, doc); err != nil {
				b.Fatal(err)
			}
		}
		if err := idx.Batch(batch); err != nil {
			b.Fatal(err)
		}
	}
	return idx
}

// rawRequest is the obvious plan for a query.
func rawRequest(q search.Query) *blevesearch.SearchRequest {
	var must []query.Query
	for _, w := range strings.Fields(q.Words) {
		t := blevesearch.NewMatchQuery(w)
		t.SetField("title")
		t.SetFuzziness(1)
		t.SetBoost(3)
		d := blevesearch.NewMatchQuery(w)
		d.SetField("description")
		d.SetFuzziness(1)
		must = append(must, blevesearch.NewDisjunctionQuery(t, d))
	}
	termQ := func(field, v string) query.Query {
		t := blevesearch.NewTermQuery(v)
		t.SetField(field)
		return t
	}
	kinds := q.Kinds()
	if len(kinds) == 1 {
		must = append(must, termQ("kind", string(kinds[0])))
	}
	if len(q.Categories) > 0 {
		var any []query.Query
		for _, c := range q.Categories {
			any = append(any, termQ("category", c))
		}
		must = append(must, blevesearch.NewDisjunctionQuery(any...))
	}
	for _, t := range q.Tags {
		must = append(must, termQ("tags", t))
	}
	for _, v := range q.Values {
		must = append(must, termQ("values", v))
	}
	if q.MemberKind != "" {
		must = append(must, termQ("member_kind", string(q.MemberKind)))
	}
	if q.Near != nil {
		g := blevesearch.NewGeoDistanceQuery(q.Near.Lon, q.Near.Lat, fmt.Sprintf("%dkm", q.Near.RadiusKM))
		g.SetField("loc")
		must = append(must, g)
	}
	if q.Priced() {
		lo, hi := float64(q.MinPricePence), float64(q.MaxPricePence)
		r1 := blevesearch.NewNumericRangeQuery(&lo, nil)
		r1.SetField("price_max")
		r2 := blevesearch.NewNumericRangeQuery(nil, &hi)
		r2.SetField("price_min")
		must = append(must, r1, r2)
	}
	var root query.Query = blevesearch.NewMatchAllQuery()
	if len(must) > 0 {
		root = blevesearch.NewConjunctionQuery(must...)
	}
	req := blevesearch.NewSearchRequestOptions(root, q.PageSize(), q.Offset, false)
	req.Fields = []string{"title", "description", "member_name", "category", "area", "price_min", "price_max"}
	switch q.SortOrder() {
	case search.SortNewest:
		req.SortBy([]string{"-published"})
	case search.SortPriceAsc:
		req.SortBy([]string{"price_min"})
	case search.SortPriceDesc:
		req.SortBy([]string{"-price_max"})
	case search.SortNearest:
		gs, err := bsearch.NewSortGeoDistance("loc", "km", q.Near.Lon, q.Near.Lat, false)
		if err == nil {
			req.SortByCustom(bsearch.SortOrder{gs})
		}
	}
	for _, f := range q.Facets {
		field := string(f)
		req.AddFacet(field, blevesearch.NewFacetRequest(field, search.MaxFacetValues))
	}
	return req
}
