package search_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	blevesearch "github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/mapping"
	bsearch "github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/valyala/fasthttp"
	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo/options"

	"cooptrade/marketplace"
	"cooptrade/marketplace/argon2"
	"cooptrade/marketplace/corpus"
	"cooptrade/marketplace/httpapi"
	"cooptrade/marketplace/mongo"
	"cooptrade/marketplace/mongo/mongotest"
	"cooptrade/search"
	"cooptrade/search/bleve"
)

// conns is how many connections (and goroutines) load each path at once
// (BENCH_CONNS, default 4).
var conns = envInt("BENCH_CONNS", 4)

// minSamples is the fewest requests measured on each path.
const minSamples = 1000

// regexListings is the size of the MongoDB $regex comparison: the
// federation's real size, where scanning is how small marketplaces search.
const regexListings = 2000

// Mix is a fixed mix of what buyers type: words with typos, filters,
// distance, facets (the API asks for all by default) and sorts. It is the
// mix of search/bleve's benchmark, so that the figures compare.
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

// BenchmarkSearch runs the mix at each size through the HTTP API and,
// interleaved round by round so that the machine's noise falls on all
// alike, on the engine directly and on raw Bleve; the MongoDB $regex scan
// at 2,000 listings is measured once per run. Each path is loaded by
// conns goroutines at once, each running the whole mix from its own
// starting point. Latencies are per request, as the client sees them.
func BenchmarkSearch(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		b.Run(fmt.Sprintf("listings=%dk", n/1000), func(b *testing.B) {
			f := setup(b, n)
			b.Run("mix", f.run)
		})
	}
}

// fixture is one size's setup: the API serving the engine, the engine, and
// raw Bleve over the same documents.
type fixture struct {
	queries []benchQuery
	client  *fasthttp.HostClient
	token   string
	engine  *bleve.Engine
	raw     blevesearch.Index
}

type benchQuery struct {
	uri      string
	signedIn bool
	q        search.Query
}

func setup(b *testing.B, n int) *fixture {
	ctx := context.Background()
	f := &fixture{}
	for _, m := range Mix {
		q, err := search.ParseQuery(m.params, m.signedIn)
		if err != nil {
			b.Fatalf("%v: %v", m.params, err)
		}
		f.queries = append(f.queries, benchQuery{uri: "/v1/search?" + m.params.Encode(), signedIn: m.signedIn, q: q})
	}
	docs := documents(n)

	var err error
	f.engine, err = bleve.Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { f.engine.Close() })
	if err := f.engine.Rebuild(ctx, batches(docs)); err != nil {
		b.Fatal(err)
	}
	f.raw = rawIndex(b, docs)

	// The API, as `marketplace serve` builds it, with a signed-in user for
	// the queries that look at needs.
	db := mongotest.NewDB(b)
	svc := &marketplace.Service{
		Members: mongo.NewMemberStore(db), Users: mongo.NewUserStore(db), Tokens: mongo.NewTokenStore(db),
		Listings: mongo.NewListingStore(db), Audit: mongo.NewAuditStore(db), Passwords: &argon2.Hasher{},
		Logger: slog.New(slog.DiscardHandler),
	}
	if _, err := svc.AddStaff(ctx, "bench@federation.example", "Bench", "a long bench password"); err != nil {
		b.Fatal(err)
	}
	if f.token, _, err = svc.Login(ctx, "bench@federation.example", "a long bench password"); err != nil {
		b.Fatal(err)
	}
	srv := httpapi.New(httpapi.Config{Service: svc, Search: f.engine, Logger: slog.New(slog.DiscardHandler), Registry: prometheus.NewRegistry()})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	b.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
		<-done
	})
	f.client = &fasthttp.HostClient{Addr: ln.Addr().String(), MaxConns: conns, ReadTimeout: 30 * time.Second}

	// The API answers what the engine answers.
	for _, q := range f.queries {
		body, err := f.get(q)
		if err != nil {
			b.Fatal(err)
		}
		var res struct{ Total int }
		if err := json.Unmarshal(body, &res); err != nil {
			b.Fatalf("%s: %v", q.uri, err)
		}
		want, err := f.engine.Search(ctx, q.q)
		if err != nil {
			b.Fatal(err)
		}
		if res.Total != want.Total {
			b.Fatalf("%s: the API found %d; the engine %d", q.uri, res.Total, want.Total)
		}
	}
	regexOnce.Do(func() { regexTimes = measureRegex(b, f.queries) })
	runtime.GC()
	return f
}

// get runs a query through the API and returns the body of its answer.
func (f *fixture) get(q benchQuery) ([]byte, error) {
	req, res := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
	defer fasthttp.ReleaseRequest(req)
	defer fasthttp.ReleaseResponse(res)
	req.SetRequestURI("http://" + f.client.Addr + q.uri)
	if q.signedIn {
		req.Header.Set("Authorization", "Bearer "+f.token)
	}
	if err := f.client.Do(req, res); err != nil {
		return nil, err
	}
	if res.StatusCode() != 200 {
		return nil, fmt.Errorf("%s: status %d: %s", q.uri, res.StatusCode(), res.Body())
	}
	return append([]byte(nil), res.Body()...), nil
}

// path is one way of answering the mix.
type path struct {
	name  string
	query func(q benchQuery) error
	times [][]time.Duration // by query
}

func (f *fixture) run(b *testing.B) {
	ctx := context.Background()
	paths := []*path{
		{name: "http", query: func(q benchQuery) error {
			_, err := f.get(q)
			return err
		}},
		{name: "engine", query: func(q benchQuery) error {
			_, err := f.engine.Search(ctx, q.q)
			return err
		}},
		{name: "raw", query: func(q benchQuery) error {
			_, err := f.raw.SearchInContext(ctx, rawRequest(q.q))
			return err
		}},
	}
	// One warm-up round, then b.N measured rounds.
	for _, p := range paths {
		if err := round(p, f.queries, nil); err != nil {
			b.Fatal(err)
		}
		p.times = make([][]time.Duration, len(f.queries))
	}
	// At least minSamples requests per path, so that p99 means something.
	rounds := max(b.N, (minSamples+conns*len(f.queries)-1)/(conns*len(f.queries)))
	b.ResetTimer()
	for range rounds {
		for _, p := range paths {
			if err := round(p, f.queries, p.times); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.StopTimer()

	pct := map[string][2]float64{}
	for _, p := range paths {
		all := slices.Concat(p.times...)
		pct[p.name] = [2]float64{percentile(all, 0.50), percentile(all, 0.99)}
		b.ReportMetric(pct[p.name][0], p.name+"-p50-ms")
		b.ReportMetric(pct[p.name][1], p.name+"-p99-ms")
		if os.Getenv("BENCH_VERBOSE") != "" {
			for i, ts := range p.times {
				fmt.Fprintf(os.Stderr, "%-6s %2d p50 %7.2f  p99 %7.2f ms  %s\n", p.name, i, percentile(ts, 0.5), percentile(ts, 0.99), f.queries[i].uri)
			}
		}
	}
	regex := [2]float64{percentile(regexTimes, 0.50), percentile(regexTimes, 0.99)}
	b.ReportMetric(regex[0], "regex2k-p50-ms")
	b.ReportMetric(regex[1], "regex2k-p99-ms")
	b.ReportMetric(pct["http"][1]/pct["raw"][1], "http/raw-p99")
	b.ReportMetric(pct["http"][0]/pct["raw"][0], "http/raw-p50")
	b.ReportMetric(regex[0]/pct["http"][0], "regex2k/http-p50")
	b.ReportMetric(float64(len(slices.Concat(paths[0].times...))), "requests")
	b.ReportMetric(0, "ns/op")
}

// round runs the mix once per goroutine, conns goroutines at once, each
// from its own starting point, and records each query's latency in times
// (when not nil).
func round(p *path, queries []benchQuery, times [][]time.Duration) error {
	var wg sync.WaitGroup
	var mu sync.Mutex
	errs := make([]error, conns)
	for g := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			local := make([]time.Duration, len(queries))
			for k := range queries {
				i := (g*len(queries)/conns + k) % len(queries)
				start := time.Now()
				if err := p.query(queries[i]); err != nil {
					errs[g] = fmt.Errorf("%s: %w", p.name, err)
					return
				}
				local[i] = time.Since(start)
			}
			if times != nil {
				mu.Lock()
				for i, d := range local {
					times[i] = append(times[i], d)
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// percentile returns the p-th percentile of ts, in milliseconds.
func percentile(ts []time.Duration, p float64) float64 {
	if len(ts) == 0 {
		return 0
	}
	s := slices.Clone(ts)
	slices.Sort(s)
	return float64(s[min(len(s)-1, int(p*float64(len(s))))].Microseconds()) / 1000
}

var (
	regexOnce  sync.Once
	regexTimes []time.Duration
)

// measureRegex stores a federation of 2,000 listings in MongoDB (FerretDB
// unless MONGODB_URI says otherwise) and runs the mix as $regex scans,
// two rounds at the same concurrency as the other paths. The scan answers
// less than the query asks (words, kind and category only: no typos, no
// distance, no facets, no member standing), so it is a generous floor for
// searching with MongoDB alone.
func measureRegex(b *testing.B, queries []benchQuery) []time.Duration {
	ctx := context.Background()
	db := mongotest.NewDB(b)
	_, listings := corpus.Generate(corpus.Config{Seed: 42, Listings: regexListings})
	if err := mongo.NewListingStore(db).InsertListings(ctx, listings); err != nil {
		b.Fatal(err)
	}
	coll := db.Database.Collection("listings")
	p := &path{name: "regex", times: make([][]time.Duration, len(queries)), query: func(q benchQuery) error {
		cur, err := coll.Find(ctx, regexFilter(q.q), options.Find().SetSort(bson.D{{Key: "_id", Value: -1}}).SetLimit(int64(q.q.PageSize())))
		if err != nil {
			return err
		}
		var docs []bson.M
		return cur.All(ctx, &docs)
	}}
	for range 2 {
		if err := round(p, queries, p.times); err != nil {
			b.Fatal(err)
		}
	}
	return slices.Concat(p.times...)
}

// regexFilter is how a marketplace without a search engine searches: every
// word, case-insensitively, in the title or the description.
func regexFilter(q search.Query) bson.D {
	filter := bson.D{{Key: "status", Value: string(marketplace.StatusPublished)}}
	if kinds := q.Kinds(); len(kinds) == 1 {
		filter = append(filter, bson.E{Key: "kind", Value: string(kinds[0])})
	}
	if len(q.Categories) > 0 {
		filter = append(filter, bson.E{Key: "category", Value: bson.D{{Key: "$in", Value: q.Categories}}})
	}
	var words bson.A
	for _, w := range strings.Fields(q.Words) {
		re := bson.D{{Key: "$regex", Value: regexp.QuoteMeta(w)}, {Key: "$options", Value: "i"}}
		words = append(words, bson.D{{Key: "$or", Value: bson.A{
			bson.D{{Key: "title", Value: re}}, bson.D{{Key: "description", Value: re}},
		}}})
	}
	if len(words) > 0 {
		filter = append(filter, bson.E{Key: "$and", Value: words})
	}
	return filter
}

var docCache = struct {
	sync.Mutex
	docs map[int][]search.Document
}{docs: map[int][]search.Document{}}

// documents returns the visible documents of a generated federation of n
// listings (the corpus of search/bleve's benchmark).
func documents(n int) []search.Document {
	docCache.Lock()
	defer docCache.Unlock()
	if docs, ok := docCache.docs[n]; ok {
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
	docCache.docs[n] = docs
	return docs
}

func batches(docs []search.Document) func(func([]search.Document, error) bool) {
	return func(yield func([]search.Document, error) bool) {
		for i := 0; i < len(docs); i += 1000 {
			if !yield(docs[i:min(i+1000, len(docs))], nil) {
				return
			}
		}
	}
}

// rawIndex builds the obvious index: stemmed text, keyword fields, numbers
// and a geo point, in Bleve's default (scorch) store. It mirrors
// search/bleve's benchmark.
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
	settle(idx)
	return idx
}

// settle waits until the index's background work (persisting and merging
// segments) has stopped for a second, so that it is measured as it serves
// in the steady state rather than while it competes with its own merges.
func settle(idx blevesearch.Index) {
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

// rawRequest is the obvious plan for a query: each word fuzzy on the
// stemmed title (boosted) or description, filters as scored term queries,
// a geo-distance query, and Bleve's own facets and sorts.
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

func envInt(name string, def int) int {
	var n int
	if _, err := fmt.Sscan(os.Getenv(name), &n); err != nil || n < 1 {
		return def
	}
	return n
}
