package bleve

import (
	"container/heap"
	"context"
	"fmt"
	"math"
	"slices"

	"cooptrade/marketplace"
	"cooptrade/search"
)

// Boosts of the places a word can match: the title above tags, category,
// member and area names and the description; exact (stemmed) matches above
// typo-tolerant ones.
const (
	boostTitle       = 4
	boostBody        = 1
	boostTitleFuzzy  = 1.5
	boostBodyFuzzy   = 0.4
	boostTitlePrefix = 2
	boostBodyPrefix  = 0.5
)

// Search implements search.Engine.
//
// Bleve answers only the words: it enumerates the text hits, and for each
// the engine reads its row number (one doc value) and then filters,
// counts facets and keeps the best offset+limit hits in the table. A query
// without words never touches Bleve until the page's documents are read.
func (e *Engine) Search(ctx context.Context, q search.Query) (*search.Result, error) {
	if err := q.Validate(); err != nil {
		return nil, err
	}
	if err := e.acquire(); err != nil {
		return nil, err
	}
	defer e.mu.RUnlock()

	adv, err := e.idx.Advanced()
	if err != nil {
		return nil, fmt.Errorf("bleve: search: %w", err)
	}
	reader, err := adv.Reader()
	if err != nil {
		return nil, fmt.Errorf("bleve: search: %w", err)
	}
	defer reader.Close()

	terms := q.Terms()
	e.tblMu.RLock()
	c := newCollector(&q, e.tbl, len(terms) > 0)
	if c.none {
		// Nothing can match (the public asking for needs, a tag no
		// listing has).
	} else if len(terms) == 0 {
		for r := range e.tbl.rows {
			c.consider(uint32(r), 0)
		}
	} else {
		err = e.collectText(ctx, reader, terms, c)
	}
	e.tblMu.RUnlock()
	if err != nil {
		return nil, err
	}

	res := &search.Result{Hits: []search.Hit{}, Total: c.total, Facets: c.facets()}
	for _, cand := range c.page() {
		d, err := storedDocument(reader, cand.id)
		if err != nil {
			// Deleted since it was collected: leave it out.
			continue
		}
		res.Hits = append(res.Hits, search.NewHit(d, &q, terms))
	}
	res.NextCursor = q.NextCursor(len(res.Hits), res.Total)
	return res, nil
}

// collector filters rows, counts facets, and keeps the best k hits.
type collector struct {
	q      *search.Query
	tbl    *table
	none   bool // nothing can match
	scored bool // the order reads the text score

	// filter
	kinds      uint8
	cats       []bool
	tags       []uint32
	values     uint32
	memberKind uint8
	sizes      uint16 // bit i: code i (see code) allowed; 0 any
	regions    uint16
	nations    uint16
	near       bool
	place      *search.Place
	radius     float64
	serving    bool
	remote     bool
	minPrice   int64
	maxPrice   int64
	priced     bool

	// order
	sort  search.Sort
	k     int
	best  candidates
	total int

	// facets
	want      map[search.Facet]bool
	catCount  []int
	kindCount [2]int
	valCount  []int
	tagCount  []int
	areaCount []int
	// by code (see code): member kind, size, region, nation
	memberKindCount [3]int
	sizeCount       [8]int
	regionCount     [16]int
	nationCount     [8]int
}

type candidate struct {
	row  uint32
	id   string
	key1 float64
	key2 float64
}

// less orders candidates best first.
func (a *candidate) less(b *candidate) bool {
	if a.key1 != b.key1 {
		return a.key1 < b.key1
	}
	if a.key2 != b.key2 {
		return a.key2 < b.key2
	}
	return a.row < b.row
}

// candidates is a heap with the worst candidate on top.
type candidates []candidate

func (h candidates) Len() int           { return len(h) }
func (h candidates) Less(i, j int) bool { return h[j].less(&h[i]) }
func (h candidates) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *candidates) Push(x any)        { *h = append(*h, x.(candidate)) }
func (h *candidates) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

func newCollector(q *search.Query, tbl *table, words bool) *collector {
	c := &collector{q: q, tbl: tbl, sort: q.SortOrder(), k: q.Offset + q.PageSize()}
	for _, k := range q.Kinds() {
		c.kinds |= kindBit(k)
	}
	if c.kinds == 0 {
		c.none = true
	}
	if len(q.Categories) > 0 {
		c.cats = make([]bool, len(categories))
		for _, cat := range q.Categories {
			if i := lookup(categoryIndex, cat); i >= 0 {
				c.cats[i] = true
			}
		}
	}
	for _, t := range q.Tags {
		id, ok := tbl.tagIDs[t]
		if !ok {
			c.none = true
		}
		c.tags = append(c.tags, id)
	}
	for _, v := range q.Values {
		if i, ok := valueIndex[v]; ok {
			c.values |= 1 << i
		}
	}
	memberKind, none := q.MemberKindFilter()
	c.memberKind = memberKindCode(memberKind)
	if none {
		c.none = true
	}
	c.sizes = codes(marketplace.SizeBands, q.Sizes)
	c.regions = codes(marketplace.Regions, q.Regions)
	c.nations = codes(marketplace.Nations, q.Nations)
	if q.Near != nil {
		// The same rule as search.Query.RelationOf, on numbers.
		c.near = true
		c.place = q.Near.Place()
		c.radius = float64(q.Near.RadiusKM)
		c.serving = !q.BasedOnly
		c.remote = q.IncludeRemote
	}
	c.priced = q.Priced()
	c.minPrice, c.maxPrice = q.MinPricePence, q.MaxPricePence
	switch c.sort {
	case search.SortRelevance:
		c.scored = words
	case search.SortNearest:
		c.scored = words
	}
	if len(q.Facets) > 0 {
		c.want = map[search.Facet]bool{}
		for _, f := range q.Facets {
			c.want[f] = true
		}
		c.catCount = make([]int, len(categories))
		c.valCount = make([]int, len(marketplace.Values))
		c.tagCount = make([]int, len(tbl.tags))
		c.areaCount = make([]int, len(areaCodes))
	}
	c.best = make(candidates, 0, min(c.k, 1024))
	return c
}

// match reports whether a row passes the filter.
func (c *collector) match(r *row) bool {
	if !r.live || r.kind&c.kinds == 0 {
		return false
	}
	if c.cats != nil && (r.category < 0 || !c.cats[r.category]) {
		return false
	}
	if r.values&c.values != c.values {
		return false
	}
	if c.memberKind != 0 && r.memberKind != c.memberKind {
		return false
	}
	if c.sizes != 0 && c.sizes&(1<<r.size) == 0 || c.regions != 0 && c.regions&(1<<r.region) == 0 ||
		c.nations != 0 && c.nations&(1<<r.nation) == 0 {
		return false
	}
	for _, t := range c.tags {
		if !slices.Contains(r.tags, t) {
			return false
		}
	}
	if c.near && !c.reaches(r) {
		return false
	}
	if c.priced {
		if !r.priced || (c.minPrice > 0 && r.priceMax < c.minPrice) || (c.maxPrice > 0 && r.priceMin > c.maxPrice) {
			return false
		}
	}
	return true
}

// codes is the set of codes (see code) of the values asked for.
func codes(list []string, values []string) uint16 {
	var set uint16
	for _, v := range values {
		if c := code(list, v); c > 0 {
			set |= 1 << c
		}
	}
	return set
}

// reaches reports whether a row is based within the radius, serves the
// place from further away, or (when asked) is UK-wide or remote.
func (c *collector) reaches(r *row) bool {
	if r.district >= 0 {
		if c.place.FromPoint[r.district] <= c.radius {
			return true
		}
		if c.serving && r.kind == kindOffer && r.radius > 0 && c.place.ToNearest[r.district] <= float64(r.radius) {
			return true
		}
	}
	return c.remote && r.remote
}

// consider adds a row with its text score, if it passes the filter.
func (c *collector) consider(ri uint32, score float64) {
	if int(ri) >= len(c.tbl.rows) {
		return
	}
	r := &c.tbl.rows[ri]
	if !c.match(r) {
		return
	}
	c.total++
	if c.want != nil {
		if r.category >= 0 {
			c.catCount[r.category]++
		}
		if r.kind == kindOffer {
			c.kindCount[0]++
		} else {
			c.kindCount[1]++
		}
		for i := 0; r.values>>i != 0; i++ {
			if r.values&(1<<i) != 0 {
				c.valCount[i]++
			}
		}
		for _, t := range r.tags {
			c.tagCount[t]++
		}
		if r.area >= 0 {
			c.areaCount[r.area]++
		}
		c.memberKindCount[r.memberKind]++
		c.sizeCount[r.size]++
		c.regionCount[r.region]++
		c.nationCount[r.nation]++
	}
	cand := candidate{row: ri, id: r.id}
	published := -float64(r.published)
	switch c.sort {
	case search.SortRelevance:
		if c.scored {
			cand.key1, cand.key2 = -score, published
		} else {
			cand.key1 = published
		}
	case search.SortNewest:
		cand.key1 = published
	case search.SortPriceAsc:
		cand.key1, cand.key2 = math.Inf(1), published
		if r.priced {
			cand.key1 = float64(r.priceMin)
		}
	case search.SortPriceDesc:
		cand.key1, cand.key2 = math.Inf(1), published
		if r.priced {
			cand.key1 = -float64(r.priceMax)
		}
	case search.SortNearest:
		cand.key1, cand.key2 = math.Inf(1), -score
		if r.district >= 0 {
			// To 0.1 km, the precision hits show, so that listings
			// in one district are ordered by words, not by rounding.
			cand.key1 = math.Round(c.place.FromPoint[r.district] * 10)
		}
		if !c.scored {
			cand.key2 = published
		}
	}
	if len(c.best) < c.k {
		heap.Push(&c.best, cand)
	} else if cand.less(&c.best[0]) {
		c.best[0] = cand
		heap.Fix(&c.best, 0)
	}
}

// page returns the candidates of the requested page, best first.
func (c *collector) page() []candidate {
	out := slices.Clone(c.best)
	slices.SortFunc(out, func(a, b candidate) int {
		if a.less(&b) {
			return -1
		} else if b.less(&a) {
			return 1
		}
		return 0
	})
	if c.q.Offset >= len(out) {
		return nil
	}
	return out[c.q.Offset:]
}

func (c *collector) facets() map[search.Facet][]search.FacetCount {
	if len(c.q.Facets) == 0 {
		return nil
	}
	out := make(map[search.Facet][]search.FacetCount, len(c.q.Facets))
	for _, f := range c.q.Facets {
		counts := map[string]int{}
		if c.want != nil {
			switch f {
			case search.FacetCategory:
				for i, n := range c.catCount {
					if n > 0 {
						counts[categories[i]] = n
					}
				}
			case search.FacetKind:
				if c.kindCount[0] > 0 {
					counts[string(marketplace.KindOffer)] = c.kindCount[0]
				}
				if c.kindCount[1] > 0 {
					counts[string(marketplace.KindNeed)] = c.kindCount[1]
				}
			case search.FacetValues:
				for i, n := range c.valCount {
					if n > 0 {
						counts[marketplace.Values[i].Slug] = n
					}
				}
			case search.FacetTags:
				for i, n := range c.tagCount {
					if n > 0 {
						counts[c.tbl.tags[i]] = n
					}
				}
			case search.FacetArea:
				for i, n := range c.areaCount {
					if n > 0 {
						counts[areaCodes[i]] = n
					}
				}
			case search.FacetMemberKind:
				countCodes(counts, []string{string(marketplace.MemberEnterprise), string(marketplace.MemberWorker)}, c.memberKindCount[:])
			case search.FacetSize:
				countCodes(counts, marketplace.SizeBands, c.sizeCount[:])
			case search.FacetRegion:
				countCodes(counts, marketplace.Regions, c.regionCount[:])
			case search.FacetNation:
				countCodes(counts, marketplace.Nations, c.nationCount[:])
			}
		}
		out[f] = search.SortFacetCounts(counts)
	}
	return out
}

// countCodes adds the counts by code (see code) of a list's values.
func countCodes(counts map[string]int, list []string, byCode []int) {
	for i, v := range list {
		if n := byCode[i+1]; n > 0 {
			counts[v] = n
		}
	}
}
