package bleve_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"cooptrade/search"
	"cooptrade/search/bleve"
	"cooptrade/search/bleve/obvious"
)

// benchSizes are the corpus sizes benchmarked: the federation's real size
// and ten times it. Pick one with -bench 'Search/n=10000'.
var benchSizes = []int{10_000, 100_000}

// BenchmarkIndex measures Rebuild from the generated corpus.
func BenchmarkIndex(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			docs := obvious.Documents(n)
			b.ResetTimer()
			for range b.N {
				e := MustOpen(b)
				start := time.Now()
				if err := e.Rebuild(context.Background(), obvious.Batches(docs, 1000)); err != nil {
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
			docs := obvious.Documents(n)
			queries := make([]search.Query, len(obvious.Mix))
			for i, m := range obvious.Mix {
				q, err := search.ParseQuery(m.Params, m.SignedIn)
				if err != nil {
					b.Fatalf("%v: %v", m.Params, err)
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
				idx, err := obvious.NewIndex(b.TempDir(), docs)
				if err != nil {
					b.Fatal(err)
				}
				b.Cleanup(func() { idx.Close() })
				runMix(b, queries, func(q search.Query) (int, error) {
					res, err := idx.Search(obvious.Request(q))
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
		if err := e.Rebuild(context.Background(), obvious.Batches(docs, 1000)); err != nil {
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
		if err := e.Rebuild(context.Background(), obvious.Batches(docs, 1000)); err != nil {
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
				fmt.Fprintf(os.Stderr, "%2d p50 %6.2f  p90 %6.2f  max %6.2f ms  %v\n", i, ms(ts[len(ts)/2]), ms(ts[len(ts)*9/10]), ms(ts[len(ts)-1]), obvious.Mix[i].Params)
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
