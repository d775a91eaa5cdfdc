package meili

import (
	"strings"

	"github.com/meilisearch/meilisearch-go"

	"cooptrade/marketplace"
	"cooptrade/search"
)

// document is what Meilisearch holds of a search.Document: folded copies
// of the text to search, the attributes to filter, facet and sort on, and
// the document itself to show.
type document struct {
	ID string `json:"id"`

	// Searchable, in ranking order.
	Title        string `json:"title"`
	TagsText     string `json:"tags_text"`
	CategoryName string `json:"category_name"`
	Description  string `json:"description"`
	MemberName   string `json:"member_name"`
	AreaName     string `json:"area_name"`

	// Filterable and faceted.
	Kind           string   `json:"kind"`
	Category       string   `json:"category"`
	Tags           []string `json:"tags"`
	Values         []string `json:"values"`
	MemberKind     string   `json:"member_kind"`
	MemberSize     string   `json:"member_size,omitempty"`
	Region         string   `json:"region,omitempty"`
	Nation         string   `json:"nation,omitempty"`
	Area           string   `json:"area,omitempty"`
	District       string   `json:"district,omitempty"`
	ReachAreas     []string `json:"reach_areas"`
	ReachDistricts []string `json:"reach_districts"`
	Remote         bool     `json:"remote"`
	Priced         bool     `json:"priced"`
	PriceMin       int64    `json:"price_min"`
	PriceMax       int64    `json:"price_max"`

	// Sortable.
	Published int64 `json:"published"`
	PriceLow  int64 `json:"price_lo"`
	PriceHigh int64 `json:"price_hi"`
	Geo       *geo  `json:"_geo,omitempty"`

	// Shown.
	Doc search.Document `json:"doc"`
}

type geo struct {
	Lat float64 `json:"lat"`
	Lng float64 `json:"lng"`
}

// unpricedLow sorts unpriced listings after every price, cheapest first.
const unpricedLow = 1 << 50

func newDocument(d *search.Document) document {
	md := document{
		ID:             d.ID,
		Title:          marketplace.Fold(d.Title),
		TagsText:       marketplace.Fold(strings.Join(d.Tags, " . ")),
		CategoryName:   marketplace.Fold(d.CategoryName),
		Description:    marketplace.Fold(d.Description),
		MemberName:     marketplace.Fold(d.MemberName),
		AreaName:       marketplace.Fold(d.AreaName),
		Kind:           string(d.Kind),
		Category:       d.Category,
		Tags:           nonNil(d.Tags),
		Values:         nonNil(d.Values),
		MemberKind:     string(d.MemberKind),
		MemberSize:     d.MemberSize,
		Region:         d.Region,
		Nation:         d.Nation,
		Area:           d.Area,
		District:       d.District,
		ReachAreas:     nonNil(d.ReachAreas),
		ReachDistricts: nonNil(d.ReachDistricts),
		Remote:         d.Remote,
		Priced:         d.Priced(),
		PriceMin:       d.PriceMinPence,
		PriceMax:       d.PriceMaxPence,
		Published:      d.PublishedAt.UnixMilli(),
		PriceLow:       d.PriceMinPence,
		PriceHigh:      d.PriceMaxPence,
		Doc:            *d,
	}
	// The filter fields carry the reach; the shown copy need not.
	md.Doc.ReachAreas, md.Doc.ReachDistricts = nil, nil
	if !md.Priced {
		md.PriceLow, md.PriceHigh = unpricedLow, -1
	}
	if d.Area != "" {
		md.Geo = &geo{Lat: d.Lat, Lng: d.Lon}
	}
	return md
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// Settings are the index settings the engine needs; Open applies them.
func Settings() *meilisearch.Settings {
	return &meilisearch.Settings{
		// An explicit sort comes first; without one, words decide.
		RankingRules:         []string{"sort", "words", "typo", "proximity", "attribute", "exactness"},
		SearchableAttributes: []string{"title", "tags_text", "category_name", "description", "member_name", "area_name"},
		DisplayedAttributes:  []string{"id", "doc"},
		FilterableAttributes: []string{"kind", "category", "tags", "values", "member_kind", "member_size", "region", "nation", "area", "district", "reach_areas", "reach_districts", "remote", "priced", "price_min", "price_max", "_geo"},
		SortableAttributes:   []string{"published", "price_lo", "price_hi", "_geo"},
		StopWords:            marketplace.StopWords,
		TypoTolerance: &meilisearch.TypoTolerance{
			Enabled:             true,
			MinWordSizeForTypos: meilisearch.MinWordSizeForTypos{OneTypo: search.MinFuzzyLen, TwoTypos: 9},
			DisableOnWords:      []string{},
			DisableOnAttributes: []string{},
		},
		Pagination: &meilisearch.Pagination{MaxTotalHits: search.MaxOffset + search.MaxLimit},
		Faceting:   &meilisearch.Faceting{MaxValuesPerFacet: search.MaxFacetValues * 2},
	}
}

// facetAttribute is the attribute a facet counts.
func facetAttribute(f search.Facet) string {
	switch f {
	case search.FacetCategory:
		return "category"
	case search.FacetKind:
		return "kind"
	case search.FacetValues:
		return "values"
	case search.FacetTags:
		return "tags"
	case search.FacetMemberKind:
		return "member_kind"
	case search.FacetSize:
		return "member_size"
	case search.FacetRegion:
		return "region"
	case search.FacetNation:
		return "nation"
	default:
		return "area"
	}
}
