package matching_test

import (
	"fmt"
	"slices"
	"sort"
	"testing"
	"time"

	"cooptrade/marketplace"
	"cooptrade/marketplace/corpus"
	"cooptrade/marketplace/matching"
)

// BenchmarkMatch measures matching one listing against 10k and 100k
// listings, as the matcher does it (the candidate index narrows by kind,
// related categories and reach, then scores the survivors) next to a
// brute-force pass that checks and scores every open listing, side by side
// on the same probes. It reports p50/p99 of each, the ratio of the p50s,
// and the share of the brute-force top 10 that the matcher also returns in
// its top 10 (it should be all of them: the narrowing drops only pairs the
// hard constraints would drop).
func BenchmarkMatch(b *testing.B) {
	for _, size := range []int{10_000, 100_000} {
		b.Run(fmt.Sprintf("listings=%d", size), func(b *testing.B) {
			members, listings := corpus.Generate(corpus.Config{Seed: 7, Listings: size})
			listed := map[string]bool{}
			for _, m := range members {
				listed[m.ID] = m.Standing.Listed()
			}
			now := corpus.DefaultNow
			index := matching.NewCandidateIndex()
			var all []matching.Candidate
			for _, l := range listings {
				c := matching.NewCandidate(l, listed[l.MemberID])
				index.Put(c)
				if l.Status == marketplace.StatusPublished && c.Listed {
					all = append(all, c)
				}
			}
			probes := all[:0:0]
			for i := 0; i < len(all) && len(probes) < 300; i += len(all) / 300 {
				probes = append(probes, all[i])
			}
			b.ResetTimer()
			var fast, brute []time.Duration
			found, wanted := 0, 0
			for n := 0; n < b.N; n++ {
				for _, p := range probes {
					start := time.Now()
					got := index.BestMatches(p, now, 10)
					fast = append(fast, time.Since(start))

					start = time.Now()
					want := bruteForce(p, all, now, 10)
					brute = append(brute, time.Since(start))

					ids := make([]string, len(got))
					for i, m := range got {
						ids[i] = m.ID
					}
					for _, id := range want {
						wanted++
						if slices.Contains(ids, id) {
							found++
						}
					}
				}
			}
			b.StopTimer()
			b.ReportMetric(quantile(fast, 0.5), "match_p50_µs")
			b.ReportMetric(quantile(fast, 0.99), "match_p99_µs")
			b.ReportMetric(quantile(brute, 0.5), "brute_p50_µs")
			b.ReportMetric(quantile(brute, 0.99), "brute_p99_µs")
			b.ReportMetric(quantile(brute, 0.5)/quantile(fast, 0.5), "speedup_p50")
			if wanted > 0 {
				b.ReportMetric(100*float64(found)/float64(wanted), "top10_found_%")
			}
			b.ReportMetric(0, "ns/op")
		})
	}
}

// bruteForce scores every open listing of the other kind, then keeps the
// eligible pairs above the threshold, best first (ties by ID, as the
// matcher breaks them): the way to match without an index. It returns the
// IDs of the best limit matches.
func bruteForce(l matching.Candidate, all []matching.Candidate, now time.Time, limit int) []string {
	type scored struct {
		id string
		s  float64
	}
	var kept []scored
	for _, c := range all {
		if c.Listing.Kind == l.Listing.Kind {
			continue
		}
		offer, need := l, c
		if offer.Listing.Kind == marketplace.KindNeed {
			offer, need = c, l
		}
		s := matching.QuickScore(offer, need, now)
		if s >= matching.MatchWeights.Threshold && matching.Eligible(l, c, now) {
			kept = append(kept, scored{marketplace.MatchID(offer.Listing.ID, need.Listing.ID), s})
		}
	}
	sort.Slice(kept, func(i, j int) bool {
		if kept[i].s != kept[j].s {
			return kept[i].s > kept[j].s
		}
		return kept[i].id < kept[j].id
	})
	ids := make([]string, 0, limit)
	for i := 0; i < len(kept) && i < limit; i++ {
		ids = append(ids, kept[i].id)
	}
	return ids
}

func quantile(ds []time.Duration, q float64) float64 {
	s := slices.Clone(ds)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	if len(s) == 0 {
		return 0
	}
	return float64(s[int(q*float64(len(s)-1))].Microseconds())
}
