package matching_test

import (
	"sort"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"cooptrade/marketplace"
	"cooptrade/marketplace/matching"
)

var matchNow = time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)

func listing(id, member string, kind marketplace.ListingKind, title, category, postcode string, radius int, tags []string, min, max int64) *marketplace.Listing {
	published := matchNow.Add(-3 * 24 * time.Hour)
	expires := matchNow.Add(60 * 24 * time.Hour)
	l := &marketplace.Listing{
		ID: id, MemberID: member, Kind: kind, Title: title, Category: category, Postcode: postcode,
		RadiusKM: radius, Tags: tags, PriceMinPence: min, PriceMaxPence: max, PriceUnit: "job",
		Status: marketplace.StatusPublished, PublishedAt: &published, ExpiresAt: &expires, CreatedAt: published,
	}
	if postcode == "" {
		l.Remote = true
	}
	l.Normalize()
	return l
}

// TestScoreOrdering pins the order the weights give on hand-made cases: a
// need for leaflets in Leeds and the offers that could or could not answer it.
func TestScoreOrdering(t *testing.T) {
	deadline := matchNow.Add(60 * 24 * time.Hour)
	need := listing("need", "kitchen", marketplace.KindNeed, "5,000 A5 leaflets for a tenants' union campaign",
		"print-runs", "LS6 1AA", 0, []string{"leaflets", "recycled paper"}, 40000, 60000)
	need.Description = "Two-sided full colour A5 leaflets on recycled paper, delivered in Leeds."
	need.Deadline = &deadline

	offers := map[string]*marketplace.Listing{
		"leeds-printer": listing("leeds-printer", "m1", marketplace.KindOffer, "Leaflets and flyers on recycled paper",
			"print-runs", "LS9 8AB", 50, []string{"leaflets", "recycled paper", "flyers"}, 30000, 50000),
		"manchester-printer": listing("manchester-printer", "m2", marketplace.KindOffer, "Litho print runs: leaflets, booklets, posters",
			"print-runs", "M4 1HN", 100, []string{"leaflets", "booklets"}, 70000, 90000),
		"bradford-riso": listing("bradford-riso", "m3", marketplace.KindOffer, "Risograph zines and posters",
			"risograph-screen-print", "BD1 1AA", 40, []string{"zines"}, 5000, 20000),
		"leeds-design": listing("leeds-design", "m4", marketplace.KindOffer, "Graphic design for campaigns",
			"graphic-design", "LS2 7AA", 30, []string{"branding"}, 20000, 80000),
		"remote-web": listing("remote-web", "m5", marketplace.KindOffer, "Websites for campaigns and unions",
			"web-development", "", 0, []string{"wordpress"}, 100000, 500000),
		"london-printer": listing("london-printer", "m6", marketplace.KindOffer, "Leaflets printed on recycled paper",
			"print-runs", "E8 1AA", 30, []string{"leaflets"}, 30000, 50000),
		"own-offer": listing("own-offer", "kitchen", marketplace.KindOffer, "Leaflets on recycled paper",
			"print-runs", "LS6 1AA", 50, []string{"leaflets"}, 30000, 50000),
		"lapsed-printer": listing("lapsed-printer", "m7", marketplace.KindOffer, "Leaflets on recycled paper",
			"print-runs", "LS6 2AA", 50, []string{"leaflets"}, 30000, 50000),
	}
	needC := matching.NewCandidate(need, true)

	var eligible []string
	scores := map[string]float64{}
	for id, o := range offers {
		oc := matching.NewCandidate(o, id != "lapsed-printer")
		if !matching.Eligible(oc, needC, matchNow) || !matching.Eligible(needC, oc, matchNow) {
			continue
		}
		eligible = append(eligible, id)
		scores[id], _ = matching.Score(oc, needC, matchNow)
	}
	sort.Slice(eligible, func(i, j int) bool { return scores[eligible[i]] > scores[eligible[j]] })

	// Not eligible: another sector with no relation (web development),
	// out of reach (London, 30 km), the need's own member, a lapsed member.
	want := []string{"leeds-printer", "manchester-printer", "bradford-riso", "leeds-design"}
	if diff := cmp.Diff(want, eligible); diff != "" {
		t.Fatalf("eligible offers, best first (-want +got):\n%s\nscores: %v", diff, scores)
	}
	th := matching.MatchWeights.Threshold
	if scores["leeds-printer"] < 80 {
		t.Errorf("the near, same-category, in-budget printer scores %.1f; want at least 80", scores["leeds-printer"])
	}
	if scores["manchester-printer"] < th {
		t.Errorf("the Manchester printer scores %.1f, below the threshold %.0f", scores["manchester-printer"], th)
	}
	if scores["leeds-design"] >= th {
		t.Errorf("graphic design scores %.1f, above the threshold %.0f: a designer is not a printer", scores["leeds-design"], th)
	}
}

func TestScoreReasonsAddUp(t *testing.T) {
	need := listing("n", "a", marketplace.KindNeed, "Office cleaning, three evenings a week", "office-cleaning", "M1 1AE", 0, []string{"offices"}, 0, 0)
	offer := listing("o", "b", marketplace.KindOffer, "Commercial and office cleaning", "office-cleaning", "M15 4AA", 20, []string{"offices", "eco products"}, 1500, 1800)
	offer.PriceUnit = "hour"
	score, reasons := matching.Score(matching.NewCandidate(offer, true), matching.NewCandidate(need, true), matchNow)
	var sum, max float64
	codes := []string{}
	for _, r := range reasons {
		sum += r.Points
		max += r.Max
		codes = append(codes, r.Code)
		if r.Points < 0 || r.Points > r.Max || r.Detail == "" {
			t.Errorf("reason %+v out of bounds or unexplained", r)
		}
	}
	if diff := cmp.Diff([]string{"category", "distance", "tags", "words", "price", "deadline", "freshness"}, codes); diff != "" {
		t.Fatalf("reasons (-want +got):\n%s", diff)
	}
	if max != 100 {
		t.Fatalf("weights add up to %v; want 100", max)
	}
	if d := score - sum; d > 0.05 || d < -0.05 {
		t.Fatalf("score %.1f is not the sum of its reasons %.1f", score, sum)
	}
}

func TestEligibleEdges(t *testing.T) {
	need := listing("n", "a", marketplace.KindNeed, "Leaflets", "print-runs", "LS6 1AA", 0, nil, 0, 0)
	offer := listing("o", "b", marketplace.KindOffer, "Leaflets", "print-runs", "M4 1HN", 0, nil, 0, 0)
	d := marketplace.DistanceKM(need.Lat, need.Lon, offer.Lat, offer.Lon)
	for _, tc := range []struct {
		name   string
		radius int
		want   bool
	}{
		{"JustShort", int(d) - 1, false},
		{"JustReaches", int(d) + 1, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := *offer
			o.RadiusKM = tc.radius
			got := matching.Eligible(matching.NewCandidate(&o, true), matching.NewCandidate(need, true), matchNow)
			if got != tc.want {
				t.Fatalf("radius %d km, distance %.1f km: eligible %v; want %v", tc.radius, d, got, tc.want)
			}
		})
	}
	t.Run("PastDeadline", func(t *testing.T) {
		n := *need
		past := matchNow.Add(-time.Hour)
		n.Deadline = &past
		o := *offer
		o.RadiusKM = 500
		if matching.Eligible(matching.NewCandidate(&o, true), matching.NewCandidate(&n, true), matchNow) {
			t.Fatal("a need past its deadline is still matched")
		}
	})
	t.Run("RemoteNeed", func(t *testing.T) {
		n := *need
		n.Remote, n.Postcode, n.Area = true, "", ""
		o := *offer
		o.RadiusKM = 1
		if !matching.Eligible(matching.NewCandidate(&o, true), matching.NewCandidate(&n, true), matchNow) {
			t.Fatal("a remote need is out of reach of an offer")
		}
	})
}

// An offer reaches the needs of its own postcode area only as far as its
// radius goes from its district: LS6 and LS25 are both "LS", 16 km apart.
func TestEligibleByDistrict(t *testing.T) {
	offer := listing("o", "b", marketplace.KindOffer, "Bicycle repairs", "bicycles", "LS6 1AA", 10, nil, 0, 0)
	near := listing("n1", "a", marketplace.KindNeed, "Bicycle repairs", "bicycles", "LS7 3AA", 0, nil, 0, 0)
	far := listing("n2", "a", marketplace.KindNeed, "Bicycle repairs", "bicycles", "LS25 1AA", 0, nil, 0, 0)
	o := matching.NewCandidate(offer, true)
	if !matching.Eligible(o, matching.NewCandidate(near, true), matchNow) || !marketplace.Reaches(offer, near) {
		t.Error("an offer in LS6 with 10 km does not reach a need in LS7")
	}
	if matching.Eligible(o, matching.NewCandidate(far, true), matchNow) || marketplace.Reaches(offer, far) {
		t.Error("an offer in LS6 with 10 km reaches a need in LS25")
	}
	ix := matching.NewCandidateIndex()
	ix.Put(matching.NewCandidate(near, true))
	ix.Put(matching.NewCandidate(far, true))
	var got []string
	for _, m := range ix.BestMatches(o, matchNow, 10) {
		got = append(got, m.NeedID)
	}
	if diff := cmp.Diff([]string{"n1"}, got); diff != "" {
		t.Errorf("best matches (-want +got):\n%s", diff)
	}
}
