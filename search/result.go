package search

import (
	"cmp"
	"slices"
	"time"

	"cooptrade/marketplace"
)

// Result is one page of hits for a query.
type Result struct {
	Hits []Hit `json:"hits"`
	// Facets holds the counts of the facets the query asked for, over
	// every hit (not just this page).
	Facets map[Facet][]FacetCount `json:"facets,omitempty"`
	// Total is the number of hits, exact or (for large results on some
	// engines) estimated.
	Total int `json:"total"`
	// NextCursor fetches the next page; "" on the last one.
	NextCursor string `json:"next_cursor"`
}

// Hit is one listing found.
type Hit struct {
	ID    string                  `json:"id"`
	Kind  marketplace.ListingKind `json:"kind"`
	Title string                  `json:"title"`
	// Snippet is a short excerpt of the description around the first
	// matched word.
	Snippet string `json:"snippet"`
	// Highlights are the words of the title and description, as written
	// there, that matched the query's words.
	Highlights []string `json:"highlights,omitempty"`
	Category   string   `json:"category"`
	Tags       []string `json:"tags"`
	MemberName string   `json:"member_name"`
	MemberSlug string   `json:"member_slug"`
	Area       string   `json:"area,omitempty"`
	AreaName   string   `json:"area_name,omitempty"`
	// District, DistrictName and Region are the listing's district, its
	// name ("Leeds") and its region.
	District     string `json:"district,omitempty"`
	DistrictName string `json:"district_name,omitempty"`
	Region       string `json:"region,omitempty"`
	Remote       bool   `json:"remote"`
	// DistanceKM is the distance between the query's place and the
	// listing's district centroid; nil without Near or for a listing with
	// no place.
	DistanceKM *float64 `json:"distance_km,omitempty"`
	// Relation says how the listing stands to the query's place: based
	// within the radius, serving it from further away, or UK-wide or
	// remote; "" without Near.
	Relation      Relation  `json:"relation,omitempty"`
	PriceMinPence int64     `json:"price_min_pence"`
	PriceMaxPence int64     `json:"price_max_pence"`
	PriceUnit     string    `json:"price_unit,omitempty"`
	PublishedAt   time.Time `json:"published_at"`
}

// FacetCount is how many hits have one value of a facet.
type FacetCount struct {
	Value string `json:"value"`
	Count int    `json:"count"`
}

// MaxFacetValues is the most values a facet lists, the most frequent first.
const MaxFacetValues = 50

// NewHit builds the hit of a document for a query: its snippet,
// highlights and distance. Engines that keep documents whole use it so that
// every engine shows hits alike.
func NewHit(d *Document, q *Query, terms []string) Hit {
	h := Hit{
		ID:            d.ID,
		Kind:          d.Kind,
		Title:         d.Title,
		Snippet:       Snippet(d.Description, terms, 160),
		Highlights:    Highlight(d.Title+" \n "+d.Description, terms),
		Category:      d.Category,
		Tags:          nonNil(d.Tags),
		MemberName:    d.MemberName,
		MemberSlug:    d.MemberSlug,
		Area:          d.Area,
		AreaName:      d.AreaName,
		District:      d.District,
		DistrictName:  d.DistrictName,
		Region:        d.Region,
		Remote:        d.Remote,
		PriceMinPence: d.PriceMinPence,
		PriceMaxPence: d.PriceMaxPence,
		PriceUnit:     d.PriceUnit,
		PublishedAt:   d.PublishedAt,
	}
	h.DistanceKM = Distance(q, d.District)
	h.Relation, _ = q.RelationOf(d)
	return h
}

// Distance returns the distance in km from the query's place to the
// centroid of a postcode district, rounded to 0.1 km, or nil when the
// query has no place or the district is unknown.
func Distance(q *Query, district string) *float64 {
	if q.Near == nil || district == "" {
		return nil
	}
	i, ok := marketplace.DistrictIndex(district)
	if !ok {
		return nil
	}
	d := float64(int(q.Near.Place().FromPoint[i]*10+0.5)) / 10
	return &d
}

// SortFacetCounts orders counts most frequent first, then by value, and
// keeps at most MaxFacetValues.
func SortFacetCounts(counts map[string]int) []FacetCount {
	out := make([]FacetCount, 0, len(counts))
	for v, n := range counts {
		if n > 0 {
			out = append(out, FacetCount{Value: v, Count: n})
		}
	}
	slices.SortFunc(out, func(a, b FacetCount) int {
		if c := cmp.Compare(b.Count, a.Count); c != 0 {
			return c
		}
		return cmp.Compare(a.Value, b.Value)
	})
	if len(out) > MaxFacetValues {
		out = out[:MaxFacetValues]
	}
	return out
}
