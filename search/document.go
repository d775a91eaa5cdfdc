package search

import (
	"time"

	"cooptrade/marketplace"
)

// Document is what the index holds of one visible listing: the listing,
// what a buyer filters on of its member, and the areas an offer reaches.
type Document struct {
	ID          string                  `json:"id"`
	Kind        marketplace.ListingKind `json:"kind"`
	Title       string                  `json:"title"`
	Description string                  `json:"description"`
	Category    string                  `json:"category"`
	// CategoryName and Sector are taken from the taxonomy.
	CategoryName string   `json:"category_name"`
	Sector       string   `json:"sector"`
	Tags         []string `json:"tags"`

	MemberID   string                 `json:"member_id"`
	MemberName string                 `json:"member_name"`
	MemberSlug string                 `json:"member_slug"`
	MemberKind marketplace.MemberKind `json:"member_kind"`
	// Values are the member's values (slugs of marketplace.Values).
	Values []string `json:"values"`
	// MemberSize is the member's size band (marketplace.SizeBand; "" when
	// its headcount is not known).
	MemberSize string `json:"member_size,omitempty"`

	// Postcode, District, Area, Lat and Lon are the listing's place (""
	// and 0 when it has none), Lat and Lon the district's centroid;
	// AreaName is the area's name ("Manchester"), DistrictName the
	// district's (its local authority's: "Leeds"); Region and Nation are
	// the district's (marketplace.Regions, marketplace.Nations).
	Postcode     string  `json:"postcode,omitempty"`
	District     string  `json:"district,omitempty"`
	DistrictName string  `json:"district_name,omitempty"`
	Area         string  `json:"area,omitempty"`
	AreaName     string  `json:"area_name,omitempty"`
	Region       string  `json:"region,omitempty"`
	Nation       string  `json:"nation,omitempty"`
	Lat          float64 `json:"lat,omitempty"`
	Lon          float64 `json:"lon,omitempty"`
	// Remote is true for a UK-wide or remote listing.
	Remote   bool `json:"remote"`
	RadiusKM int  `json:"radius_km,omitempty"`
	// ReachAreas and ReachDistricts are the districts within the offer's
	// radius of its own district (marketplace.ReachAround), whole areas
	// as areas: the places it serves. Empty for needs and for listings
	// without a place.
	ReachAreas     []string `json:"reach_areas,omitempty"`
	ReachDistricts []string `json:"reach_districts,omitempty"`

	PriceMinPence int64      `json:"price_min_pence"`
	PriceMaxPence int64      `json:"price_max_pence"`
	PriceUnit     string     `json:"price_unit,omitempty"`
	Deadline      *time.Time `json:"deadline,omitempty"`
	// PublishedAt orders "newest" (the creation time when never
	// published).
	PublishedAt time.Time `json:"published_at"`
	Version     int64     `json:"version"`
}

// Priced reports whether the listing names a price or budget.
func (d *Document) Priced() bool {
	return d.PriceMinPence > 0 || d.PriceMaxPence > 0
}

// NewDocument builds the document of a listing and its member. It does not
// check that the listing is visible (marketplace.Listing.VisibleTo).
func NewDocument(l *marketplace.Listing, m *marketplace.Member) Document {
	d := Document{
		ID:            l.ID,
		Kind:          l.Kind,
		Title:         l.Title,
		Description:   l.Description,
		Category:      l.Category,
		Tags:          nonNil(l.Tags),
		MemberID:      l.MemberID,
		Postcode:      l.Postcode,
		Area:          l.Area,
		Remote:        l.Remote,
		RadiusKM:      l.RadiusKM,
		PriceMinPence: l.PriceMinPence,
		PriceMaxPence: l.PriceMaxPence,
		PriceUnit:     l.PriceUnit,
		Deadline:      l.Deadline,
		PublishedAt:   l.CreatedAt,
		Version:       l.Version,
		Values:        []string{},
	}
	if l.PublishedAt != nil {
		d.PublishedAt = *l.PublishedAt
	}
	if c, ok := marketplace.Taxonomy.Category(l.Category); ok {
		d.CategoryName, d.Sector = c.Name, c.Sector
	}
	if m != nil {
		d.MemberName, d.MemberSlug, d.MemberKind = m.Name, m.Slug, m.Kind
		d.Values = nonNil(m.Values)
		d.MemberSize = marketplace.SizeBand(m.Headcount)
	}
	if p, ok := marketplace.FindDistrict(l.District); ok && l.District != "" {
		a, _ := marketplace.FindPostcodeArea(p.Area)
		d.District, d.DistrictName, d.Area, d.AreaName = p.Code, p.Name, p.Area, a.Name
		d.Region, d.Nation, d.Lat, d.Lon = p.Region, p.Nation, p.Lat, p.Lon
		if l.Kind == marketplace.KindOffer && l.RadiusKM > 0 {
			r := marketplace.ReachAround(p.Code, float64(l.RadiusKM))
			d.ReachAreas, d.ReachDistricts = r.Areas, r.Districts
		}
	}
	return d
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return append([]string(nil), s...)
}
