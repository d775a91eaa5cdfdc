package search

import (
	"sync"

	"cooptrade/marketplace"
)

// Relation is how a listing found by a near query stands to its place.
type Relation string

// Relations, in the order a near search prefers them.
const (
	// RelationBased: the listing's district lies within the radius.
	RelationBased Relation = "based"
	// RelationServing: an offer based further away whose own reach (its
	// radius around its district) covers the place.
	RelationServing Relation = "serving"
	// RelationRemote: a UK-wide or remote listing.
	RelationRemote Relation = "remote"
)

// Relations lists every relation.
var Relations = []Relation{RelationBased, RelationServing, RelationRemote}

// Districts returns the districts of the near query's place: its own
// district, or every district of the area it names.
func (n *Near) Districts() []string {
	if n.District != "" {
		return []string{n.District}
	}
	return marketplace.DistrictsOf(n.Area)
}

// Based returns the districts whose centroid lies within the radius of the
// place, whole areas as areas: a listing based in one of them is based
// near.
func (n *Near) Based() marketplace.Reach {
	return reachCache.get(reachKey{n.Lat, n.Lon, n.RadiusKM}, func() marketplace.Reach {
		return marketplace.ReachWithin(n.Lat, n.Lon, float64(n.RadiusKM))
	})
}

type reachKey struct {
	lat, lon float64
	km       int
}

var reachCache = newCache[reachKey, marketplace.Reach](4096)

// Place is what a near query's place works out once for every district,
// indexed by marketplace.DistrictIndex: engines that hold documents in
// memory compare numbers with it.
type Place struct {
	// FromPoint is the distance in km from the place's point (the
	// centroid of its district, or of its area) to each district.
	FromPoint []float64
	// ToNearest is the distance in km from each district to the nearest
	// district of the place (marketplace.DistrictDistance): an offer based
	// in district i serves the place when its radius is at least this.
	ToNearest []float64
}

type placeKey struct {
	lat, lon       float64
	district, area string
}

// placeCache holds the places searched lately: about 50 kB each.
var placeCache = newCache[placeKey, *Place](256)

// Place returns the place's distances, made once per place (while it is
// searched often enough to stay in the cache).
func (n *Near) Place() *Place {
	return placeCache.get(placeKey{n.Lat, n.Lon, n.District, n.Area}, n.place)
}

func (n *Near) place() *Place {
	count := marketplace.DistrictCount()
	p := &Place{FromPoint: make([]float64, count), ToNearest: make([]float64, count)}
	var own []int
	for _, code := range n.Districts() {
		if j, ok := marketplace.DistrictIndex(code); ok {
			own = append(own, j)
		}
	}
	for i := range count {
		d := marketplace.DistrictAt(i)
		p.FromPoint[i] = marketplace.DistanceKM(n.Lat, n.Lon, d.Lat, d.Lon)
		p.ToNearest[i] = 1e9
		for _, j := range own {
			// The offer's district first, as marketplace.ReachAround has it.
			p.ToNearest[i] = min(p.ToNearest[i], marketplace.DistrictDistanceByIndex(i, j))
		}
	}
	return p
}

// cache is a map of what is costly to make, emptied whole when it holds
// max entries: places searched often are soon back, and memory is bounded.
type cache[K comparable, V any] struct {
	mu  sync.RWMutex
	m   map[K]V
	max int
}

func newCache[K comparable, V any](max int) *cache[K, V] {
	return &cache[K, V]{m: map[K]V{}, max: max}
}

func (c *cache[K, V]) get(k K, build func() V) V {
	c.mu.RLock()
	v, ok := c.m[k]
	c.mu.RUnlock()
	if ok {
		return v
	}
	v = build()
	c.mu.Lock()
	if len(c.m) >= c.max {
		clear(c.m)
	}
	c.m[k] = v
	c.mu.Unlock()
	return v
}

// RelationOf returns how a document stands to the query's place, and
// whether the query's place lets it be found: based within the radius
// first, then serving the place from further away (unless the query asks
// for suppliers based near only), then UK-wide or remote (when the query
// includes them). Without Near every document is found, with no relation.
func (q *Query) RelationOf(d *Document) (Relation, bool) {
	if q.Near == nil {
		return "", true
	}
	if i, ok := marketplace.DistrictIndex(d.District); ok {
		p := q.Near.Place()
		if p.FromPoint[i] <= float64(q.Near.RadiusKM) {
			return RelationBased, true
		}
		if !q.BasedOnly && d.Kind == marketplace.KindOffer && d.RadiusKM > 0 && p.ToNearest[i] <= float64(d.RadiusKM) {
			return RelationServing, true
		}
	}
	if q.IncludeRemote && d.Remote {
		return RelationRemote, true
	}
	return "", false
}
