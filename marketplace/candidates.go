package marketplace

import (
	"context"
	"sort"
	"sync"
	"time"
)

// CandidatePool holds the open listings that matching looks through. It is
// shared by every worker process: a listing Put by one is seen by the
// Counterparts of any other that asks afterwards, so that of two listings
// that change at once at least one finds the other.
type CandidatePool interface {
	// Put records a listing's current state, replacing what was there;
	// listings that are not open are removed.
	Put(ctx context.Context, c Candidate) error
	// Counterparts returns the candidates that may match a listing: open
	// listings of the other kind, in related categories, within reach.
	// The caller still checks Eligible (members, status, dates).
	Counterparts(ctx context.Context, l *Listing) ([]Candidate, error)
}

// CandidateIndex is an in-memory index of open listings by kind, category
// and area, so that the candidates of a listing are found without looking
// at listings that cannot match it. It is safe for concurrent use.
type CandidateIndex struct {
	mu sync.RWMutex
	// byID finds a listing's bucket to replace it.
	byID map[string]bucketKey
	// versions are the newest versions seen, held or removed.
	versions map[string]int64
	// buckets: kind → category → area ("" for UK-wide/remote) → listings,
	// offers sorted by radius, widest first.
	buckets map[ListingKind]map[string]map[string][]Candidate
}

type bucketKey struct {
	kind     ListingKind
	category string
	area     string
}

// NewCandidateIndex returns an empty index.
func NewCandidateIndex() *CandidateIndex {
	return &CandidateIndex{byID: map[string]bucketKey{}, versions: map[string]int64{}, buckets: map[ListingKind]map[string]map[string][]Candidate{}}
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
	if l.Status != StatusPublished || !c.Listed {
		return
	}
	area := l.Area
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
	if l.Kind == KindOffer {
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
func (ix *CandidateIndex) Counterparts(l *Listing) []Candidate {
	other := KindOffer
	if l.Kind == KindOffer {
		other = KindNeed
	}
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	var found []Candidate
	for _, cat := range Taxonomy.RelatedCategories(l.Category) {
		byArea := ix.buckets[other][cat]
		if len(byArea) == 0 {
			continue
		}
		for area, list := range byArea {
			if len(list) == 0 {
				continue
			}
			switch {
			case l.Remote || area == "":
				// Either side remote or UK-wide: always within reach.
				found = append(found, list...)
			case other == KindOffer:
				// Offers in that area reach the need if their radius
				// covers the distance; the list is widest first.
				d := areaDistance(area, l.Area)
				for _, c := range list {
					if float64(c.Listing.RadiusKM) < d {
						break
					}
					found = append(found, c)
				}
			default:
				// Needs in that area are within the offer's radius.
				if areaDistance(l.Area, area) <= float64(l.RadiusKM) {
					found = append(found, list...)
				}
			}
		}
	}
	return found
}

// areaDistance is the distance between two areas' centroids, from a table
// made once.
func areaDistance(a, b string) float64 {
	i, ok1 := areaNumber[a]
	j, ok2 := areaNumber[b]
	if !ok1 || !ok2 {
		return 1e9
	}
	return areaDistances[i][j]
}

var areaNumber, areaDistances = func() (map[string]int, [][]float64) {
	num := make(map[string]int, len(postcodeAreas))
	dist := make([][]float64, len(postcodeAreas))
	for i, a := range postcodeAreas {
		num[a.Code] = i
		dist[i] = make([]float64, len(postcodeAreas))
		for j, b := range postcodeAreas {
			dist[i][j] = DistanceKM(a.Lat, a.Lon, b.Lat, b.Lon)
		}
	}
	return num, dist
}()

// BestMatches scores a listing against candidates and returns the pairs
// that pass the hard constraints and the threshold, best first, at most
// limit of them (0: all).
func BestMatches(l Candidate, candidates []Candidate, now time.Time, limit int) []*Match {
	var out []*Match
	for _, c := range candidates {
		if !Eligible(l, c, now) {
			continue
		}
		offer, need := l, c
		if offer.Listing.Kind == KindNeed {
			offer, need = c, l
		}
		score, reasons := Score(offer, need, now)
		if score < MatchWeights.Threshold {
			continue
		}
		out = append(out, &Match{
			ID:      MatchID(offer.Listing.ID, need.Listing.ID),
			OfferID: offer.Listing.ID, NeedID: need.Listing.ID,
			OfferMemberID: offer.Listing.MemberID, NeedMemberID: need.Listing.MemberID,
			Score: score, Reasons: reasons, Status: MatchNew,
			Category: need.Listing.Category, Area: need.Listing.Area,
			OfferVersion: offer.Listing.Version, NeedVersion: need.Listing.Version,
		})
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Score != out[j].Score {
			return out[i].Score > out[j].Score
		}
		return out[i].ID < out[j].ID
	})
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out
}

// LoadCandidates reads every published listing and its member's standing
// from storage, in one pass over each, to fill a candidate pool at start.
func (s *Service) LoadCandidates(ctx context.Context) ([]Candidate, error) {
	listed := map[string]bool{}
	if err := s.Members.WalkMembers(ctx, func(m *Member) error {
		listed[m.ID] = m.Standing.Listed()
		return nil
	}); err != nil {
		return nil, err
	}
	var out []Candidate
	err := s.Listings.WalkListings(ctx, []ListingStatus{StatusPublished}, func(l *Listing) error {
		if listed[l.MemberID] {
			out = append(out, NewCandidate(l, true))
		}
		return nil
	})
	return out, err
}
