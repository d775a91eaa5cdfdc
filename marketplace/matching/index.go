package matching

import (
	"container/heap"
	"context"
	"cooptrade/marketplace"
	"math"
	"sort"
	"sync"
	"time"
)

// CandidateIndex is an in-memory index of open listings by kind, category
// and district, so that the candidates of a listing are found without looking
// at listings that cannot match it. It is safe for concurrent use.
type CandidateIndex struct {
	mu sync.RWMutex
	// byID finds a listing's bucket to replace it.
	byID map[string]bucketKey
	// versions are the newest versions seen, held or removed.
	versions map[string]int64
	// buckets: kind → category → district ("" for UK-wide/remote) → listings,
	// offers sorted by radius, widest first.
	buckets map[marketplace.ListingKind]map[string]map[string][]Candidate
}

type bucketKey struct {
	kind     marketplace.ListingKind
	category string
	area     string
}

// NewCandidateIndex returns an empty index.
func NewCandidateIndex() *CandidateIndex {
	return &CandidateIndex{byID: map[string]bucketKey{}, versions: map[string]int64{}, buckets: map[marketplace.ListingKind]map[string]map[string][]Candidate{}}
}

// Len returns how many listings the index holds.
func (ix *CandidateIndex) Len() int {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return len(ix.byID)
}

// Put records a candidate, or removes it when its listing is not
// published or its member not listed. (Expiry and deadlines are checked at
// matching time by Eligible.) A version older than the one held is
// ignored, so replaying old news cannot undo newer.
func (ix *CandidateIndex) Put(c Candidate) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	l := c.Listing
	if held, ok := ix.versions[l.ID]; ok && held > l.Version {
		return
	}
	ix.versions[l.ID] = l.Version
	ix.remove(l.ID)
	if l.Status != marketplace.StatusPublished || !c.Listed {
		return
	}
	area := l.District
	if l.Remote {
		area = ""
	}
	key := bucketKey{kind: l.Kind, category: l.Category, area: area}
	byCat := ix.buckets[key.kind]
	if byCat == nil {
		byCat = map[string]map[string][]Candidate{}
		ix.buckets[key.kind] = byCat
	}
	byArea := byCat[key.category]
	if byArea == nil {
		byArea = map[string][]Candidate{}
		byCat[key.category] = byArea
	}
	list := append(byArea[key.area], c)
	if l.Kind == marketplace.KindOffer {
		// Keep the widest radius first, so that a search can stop at the
		// first offer that does not reach.
		i := sort.Search(len(list)-1, func(i int) bool { return list[i].Listing.RadiusKM < l.RadiusKM })
		copy(list[i+1:], list[i:len(list)-1])
		list[i] = c
	}
	byArea[key.area] = list
	ix.byID[l.ID] = key
}

// Remove drops a listing from the index.
func (ix *CandidateIndex) Remove(id string) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.remove(id)
}

func (ix *CandidateIndex) remove(id string) {
	key, ok := ix.byID[id]
	if !ok {
		return
	}
	delete(ix.byID, id)
	list := ix.buckets[key.kind][key.category][key.area]
	for i, c := range list {
		if c.Listing.ID == id {
			ix.buckets[key.kind][key.category][key.area] = append(list[:i:i], list[i+1:]...)
			return
		}
	}
}

// Counterparts returns the open listings of the other kind, in categories
// related to the listing's, within reach of it.
func (ix *CandidateIndex) Counterparts(l *marketplace.Listing) []Candidate {
	var found []Candidate
	ix.eachBucket(l, func(_ string, list []Candidate, reach int) bool {
		found = append(found, list[:reach]...)
		return true
	})
	return found
}

// eachBucket calls fn with every bucket of counterparts of l (the listings
// of the other kind in one related category and one district, or UK-wide), same
// category first, then same sector, then related sectors, and with how many
// of the bucket's listings are within reach (offers are kept widest first).
// It stops when fn returns false.
func (ix *CandidateIndex) eachBucket(l *marketplace.Listing, fn func(category string, list []Candidate, reach int) bool) {
	other := marketplace.KindOffer
	if l.Kind == marketplace.KindOffer {
		other = marketplace.KindNeed
	}
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	for _, cat := range marketplace.Taxonomy.RelatedCategories(l.Category) {
		for area, list := range ix.buckets[other][cat] {
			reach := 0
			switch {
			case len(list) == 0:
			case l.Remote || area == "":
				reach = len(list)
			case other == marketplace.KindOffer:
				d := marketplace.DistrictDistance(area, l.District)
				reach = sort.Search(len(list), func(i int) bool { return float64(list[i].Listing.RadiusKM) < d })
			default:
				if marketplace.DistrictDistance(l.District, area) <= float64(l.RadiusKM) {
					reach = len(list)
				}
			}
			if reach > 0 && !fn(cat, list, reach) {
				return
			}
		}
	}
}

// BestMatches returns the best matches of a listing among the candidates
// in the index, as the package-level BestMatches would over all of them,
// but looks at far fewer: whole buckets whose category and distance cannot
// reach the worst of the best pairs kept so far are passed over.
func (ix *CandidateIndex) BestMatches(l Candidate, now time.Time, limit int) []*marketplace.Match {
	fl := l.features()
	type bucket struct {
		list  []Candidate
		upper float64
	}
	var buckets []bucket
	weights := partWeights()
	ix.eachBucket(l.Listing, func(cat string, list []Candidate, reach int) bool {
		// The best any listing of the bucket can do: its category and
		// distance as they are, every other part in full.
		fc := list[0].features()
		upper := scoreParts{partTags: 1, partWords: 1, partPrice: 1, partDeadline: 1, partFreshness: 1}
		switch {
		case fc.category == fl.category:
			upper[partCategory] = 1
		case fc.sector == fl.sector:
			upper[partCategory] = 0.6
		default:
			upper[partCategory] = 0.15
		}
		offer, need := fc, fl
		if l.Listing.Kind == marketplace.KindOffer {
			offer, need = fl, fc
		}
		switch {
		case offer.remote || need.remote:
			upper[partDistance] = 1
		default:
			if d := marketplace.DistrictDistanceByIndex(offer.district, need.district); d > 10 {
				// The widest radius in the bucket gives the most points.
				widest := offer.radius
				if l.Listing.Kind == marketplace.KindNeed {
					widest = float64(list[0].Listing.RadiusKM)
				}
				upper[partDistance] = 1 - 0.7*(d-10)/math.Max(widest-10, 1)
			} else {
				upper[partDistance] = 1
			}
		}
		total := 0.0
		for i := range upper {
			total += upper.points(i, &weights)
		}
		buckets = append(buckets, bucket{list: list[:reach], upper: total})
		return true
	})
	// The most promising buckets first, so that the bar rises early.
	sort.Slice(buckets, func(i, j int) bool { return buckets[i].upper > buckets[j].upper })
	top := &matchHeap{}
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	for _, b := range buckets {
		if limit > 0 && top.Len() == limit && b.upper < (*top)[0].score {
			break // sorted: no later bucket can do better either
		}
		collect(l, b.list, now, limit, top)
	}
	return explain(top, now)
}

// BestMatches scores a listing against candidates and returns the pairs
// that pass the hard constraints and the threshold, best first, at most
// limit of them (0: all). While the best limit pairs are kept, a candidate
// whose score cannot beat the worst of them, even with every tag and word
// in common, is passed over before its text is compared; the reasons are
// written only for the pairs kept.
func BestMatches(l Candidate, candidates []Candidate, now time.Time, limit int) []*marketplace.Match {
	top := &matchHeap{}
	collect(l, candidates, now, limit, top)
	return explain(top, now)
}

// collect adds the eligible candidates above the bar to the heap of the
// best limit pairs.
func collect(l Candidate, candidates []Candidate, now time.Time, limit int, top *matchHeap) {
	t := now.Unix()
	fl := l.features()
	for i := range candidates {
		c := &candidates[i]
		if !Eligible(l, *c, now) {
			continue
		}
		offer, need := l, *c
		fo, fn := fl, c.features()
		if l.Listing.Kind == marketplace.KindNeed {
			offer, need = *c, l
			fo, fn = fn, fo
		}
		bar := MatchWeights.Threshold
		if limit > 0 && top.Len() == limit {
			bar = max(bar, (*top)[0].score)
		}
		if upper := fractions(fo, fn, offer.Listing, need.Listing, t, false); upper.total() < bar {
			continue
		}
		p := fractions(fo, fn, offer.Listing, need.Listing, t, true)
		s := p.total()
		if s < bar {
			continue
		}
		heap.Push(top, scored{offer: offer, need: need, score: s, id: marketplace.MatchID(offer.Listing.ID, need.Listing.ID)})
		if limit > 0 && top.Len() > limit {
			heap.Pop(top)
		}
	}
}

// explain turns the kept pairs into matches with their reasons, best first.
func explain(top *matchHeap, now time.Time) []*marketplace.Match {
	kept := []scored(*top)
	sort.Slice(kept, func(i, j int) bool { return better(kept[i], kept[j]) })
	out := make([]*marketplace.Match, len(kept))
	for i, k := range kept {
		score, reasons := Score(k.offer, k.need, now)
		offer, need := k.offer.Listing, k.need.Listing
		out[i] = &marketplace.Match{
			ID: k.id, OfferID: offer.ID, NeedID: need.ID,
			OfferMemberID: offer.MemberID, NeedMemberID: need.MemberID,
			Score: score, Reasons: reasons, Status: marketplace.MatchNew,
			Category: need.Category, Area: need.Area, District: need.District,
			OfferVersion: offer.Version, NeedVersion: need.Version,
		}
	}
	return out
}

type scored struct {
	offer, need Candidate
	score       float64
	id          string
}

// better orders pairs best first: by score, then by ID so that the order is
// stable.
func better(a, b scored) bool {
	if a.score != b.score {
		return a.score > b.score
	}
	return a.id < b.id
}

// matchHeap keeps the worst of the best pairs on top.
type matchHeap []scored

func (h matchHeap) Len() int           { return len(h) }
func (h matchHeap) Less(i, j int) bool { return better(h[j], h[i]) }
func (h matchHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *matchHeap) Push(x any)        { *h = append(*h, x.(scored)) }
func (h *matchHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// LoadCandidates reads every published listing and its member's standing
// from storage, in one pass over each, to fill a candidate pool at start.
func LoadCandidates(ctx context.Context, members marketplace.MemberStore, listings marketplace.ListingStore) ([]Candidate, error) {
	listed := map[string]bool{}
	if err := members.WalkMembers(ctx, func(m *marketplace.Member) error {
		listed[m.ID] = m.Standing.Listed()
		return nil
	}); err != nil {
		return nil, err
	}
	var out []Candidate
	err := listings.WalkListings(ctx, []marketplace.ListingStatus{marketplace.StatusPublished}, func(l *marketplace.Listing) error {
		if listed[l.MemberID] {
			out = append(out, NewCandidate(l, true))
		}
		return nil
	})
	return out, err
}
