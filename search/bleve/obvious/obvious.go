// Package obvious is what the search benchmarks measure against: a fixed
// mix of what buyers type, the documents of a generated federation, and
// raw Bleve answering the mix with the obvious plan (stemmed fields with
// fuzziness 1, filters as scored term queries, a geo-distance query, and
// Bleve's own facets and sorts), the floor the engine and the HTTP API are
// compared with in one run.
//
// It is imported by benchmarks only.
package obvious

import (
	"fmt"
	"iter"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"time"

	blevesearch "github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/mapping"
	bsearch "github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"

	"cooptrade/marketplace"
	"cooptrade/marketplace/corpus"
	"cooptrade/search"
)

// Query is one query of the mix, as API parameters, and whether a
// signed-in member asks it (needs are shown to members only).
type Query struct {
	Params   url.Values
	SignedIn bool
}

// Mix is a fixed mix of what buyers type: words with typos, filters,
// distance, facets (the API asks for all by default) and sorts.
var Mix = []Query{
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

var documents = struct {
	sync.Mutex
	docs map[int][]search.Document
}{docs: map[int][]search.Document{}}

// Documents returns the visible documents of a generated federation of n
// listings (made once per size and process).
func Documents(n int) []search.Document {
	documents.Lock()
	defer documents.Unlock()
	if docs, ok := documents.docs[n]; ok {
		return docs
	}
	members, listings := corpus.Generate(corpus.Config{Seed: 42, Listings: n})
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
	documents.docs[n] = docs
	return docs
}

// Batches yields docs in batches of size, for Engine.Rebuild.
func Batches(docs []search.Document, size int) iter.Seq2[[]search.Document, error] {
	return func(yield func([]search.Document, error) bool) {
		for i := 0; i < len(docs); i += size {
			if !yield(docs[i:min(i+size, len(docs))], nil) {
				return
			}
		}
	}
}

// NewIndex builds the obvious index of docs under dir: stemmed text,
// keyword fields, numbers and a geo point, in Bleve's default (scorch)
// store, and waits until its background merging has settled.
func NewIndex(dir string, docs []search.Document) (blevesearch.Index, error) {
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
	idx, err := blevesearch.New(filepath.Join(dir, "obvious"), im)
	if err != nil {
		return nil, err
	}
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
				idx.Close()
				return nil, err
			}
		}
		if err := idx.Batch(batch); err != nil {
			idx.Close()
			return nil, err
		}
	}
	Settle(idx)
	return idx, nil
}

// Settle waits until the index's background work (persisting and merging
// segments) has stopped for a second, so that it is measured as it serves
// in the steady state rather than while it competes with its own merges.
func Settle(idx blevesearch.Index) {
	state := func() string {
		st, _ := idx.StatsMap()["index"].(map[string]any)
		return fmt.Sprint(st["CurRootEpoch"], st["TotFileMergeLoopEnd"], st["TotPersistLoopEnd"], st["TotFileSegmentsAtRoot"])
	}
	last, since := state(), time.Now()
	for deadline := time.Now().Add(2 * time.Minute); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if s := state(); s != last {
			last, since = s, time.Now()
		} else if time.Since(since) > time.Second {
			return
		}
	}
}

// Request is the obvious plan for a query: each word fuzzy on the stemmed
// title (boosted) or description, filters as scored term queries, a
// geo-distance query, and Bleve's own facets and sorts.
func Request(q search.Query) *blevesearch.SearchRequest {
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
	if kinds := q.Kinds(); len(kinds) == 1 {
		must = append(must, termQ("kind", string(kinds[0])))
	}
	if len(q.Categories) > 0 {
		var anyOf []query.Query
		for _, c := range q.Categories {
			anyOf = append(anyOf, termQ("category", c))
		}
		must = append(must, blevesearch.NewDisjunctionQuery(anyOf...))
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
		req.AddFacet(string(f), blevesearch.NewFacetRequest(string(f), search.MaxFacetValues))
	}
	return req
}
