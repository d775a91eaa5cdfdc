package search_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	blevesearch "github.com/blevesearch/bleve/v2"
	"github.com/valyala/fasthttp"
	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo/options"

	"cooptrade/cmd/marketplace/app/apptest"
	"cooptrade/marketplace"
	"cooptrade/marketplace/corpus"
	"cooptrade/marketplace/mongo"
	"cooptrade/marketplace/mongo/mongotest"
	"cooptrade/search"
	"cooptrade/search/bleve"
	"cooptrade/search/bleve/obvious"
)

// conns is how many connections (and goroutines) load each path at once
// (BENCH_CONNS, default 4).
var conns = envInt("BENCH_CONNS", 4)

// minSamples is the fewest requests measured on each path.
const minSamples = 1000

// regexListings is the size of the MongoDB $regex comparison: the
// federation's real size, where scanning is how small marketplaces search.
const regexListings = 2000

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
	for _, m := range obvious.Mix {
		q, err := search.ParseQuery(m.Params, m.SignedIn)
		if err != nil {
			b.Fatalf("%v: %v", m.Params, err)
		}
		f.queries = append(f.queries, benchQuery{uri: "/v1/search?" + m.Params.Encode(), signedIn: m.SignedIn, q: q})
	}
	docs := obvious.Documents(n)

	raw, err := obvious.NewIndex(b.TempDir(), docs)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { raw.Close() })
	f.raw = raw

	// The application, as `marketplace serve` opens it (without workers),
	// with a signed-in user for the queries that look at needs.
	a := apptest.Open(b, apptest.Options{Serve: true})
	f.engine = a.Search.(*bleve.Engine)
	if err := f.engine.Rebuild(ctx, obvious.Batches(docs, 1000)); err != nil {
		b.Fatal(err)
	}
	svc := a.Service
	if _, err := svc.AddStaff(ctx, "bench@federation.example", "Bench", "a long bench password"); err != nil {
		b.Fatal(err)
	}
	if f.token, _, err = svc.Login(ctx, "bench@federation.example", "a long bench password"); err != nil {
		b.Fatal(err)
	}
	f.client = &fasthttp.HostClient{Addr: a.Addr(), MaxConns: conns, ReadTimeout: 30 * time.Second}

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
			_, err := f.raw.SearchInContext(ctx, obvious.Request(q.q))
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

func envInt(name string, def int) int {
	var n int
	if _, err := fmt.Sscan(os.Getenv(name), &n); err != nil || n < 1 {
		return def
	}
	return n
}
