package search

import (
	"encoding/base64"
	"encoding/binary"
	"hash/fnv"
	"slices"
	"strconv"
	"strings"

	"cooptrade/marketplace"
)

// Sort is the order of the hits.
type Sort string

// Sorts. Every order ends with the listing ID, so that pages are stable.
const (
	SortRelevance Sort = "relevance" // best match first (the default)
	SortNewest    Sort = "newest"    // most recently published first
	SortNearest   Sort = "nearest"   // nearest first; needs Near; UK-wide last
	SortPriceAsc  Sort = "price_asc" // cheapest first; unpriced last
	SortPriceDesc Sort = "price_desc"
)

// Sorts lists every sort order.
var Sorts = []Sort{SortRelevance, SortNewest, SortNearest, SortPriceAsc, SortPriceDesc}

// Facet names a dimension the hits can be counted by.
type Facet string

// Facets a query may ask for.
const (
	FacetCategory Facet = "category"
	FacetKind     Facet = "kind"
	FacetValues   Facet = "values"
	FacetTags     Facet = "tags"
	FacetArea     Facet = "area"
	// The supplier's kind (enterprise or worker), size band
	// (marketplace.SizeBands), region and nation.
	FacetMemberKind Facet = "member_kind"
	FacetSize       Facet = "size"
	FacetRegion     Facet = "region"
	FacetNation     Facet = "nation"
)

// AllFacets lists every facet, in the order results show them.
var AllFacets = []Facet{FacetCategory, FacetKind, FacetValues, FacetTags, FacetArea, FacetMemberKind, FacetSize, FacetRegion, FacetNation}

// Audience is who is searching. The public sees offers only; signed-in
// members see needs too.
type Audience string

// Audiences.
const (
	AudiencePublic  Audience = "public"
	AudienceMembers Audience = "members"
)

// Limits on queries.
const (
	// MaxWordsLen is the most runes of words a query keeps; longer input
	// is truncated, not rejected.
	MaxWordsLen = 200
	// MaxTerms is the most words a query searches for.
	MaxTerms = 10
	// DefaultLimit and MaxLimit bound the hits per page.
	DefaultLimit = 20
	MaxLimit     = 100
	// DefaultRadiusKM is the radius of a near query that names none.
	DefaultRadiusKM = 25
	// MaxOffset is how deep pagination goes: a cursor never points past
	// it, so a search sees at most MaxOffset+MaxLimit hits.
	MaxOffset = 1000
	// MaxFilterValues bounds the categories, tags and values of a query.
	MaxFilterValues = 20
)

// Near asks for listings within reach of a place: suppliers based within
// the radius, and (unless Query.BasedOnly) offers based further away whose
// own reach covers the place. See Query.RelationOf.
type Near struct {
	// Postcode is the place as given, normalised ("LS6 1AA", "M1", or the
	// area "M").
	Postcode string
	// District is the postcode district ("" when only an area is given);
	// Area the postcode area; Lat and Lon the centroid of the district, or
	// of the area when there is no district.
	District string
	Area     string
	Lat, Lon float64
	// RadiusKM is how far from the centroid to look (1 to
	// marketplace.MaxRadiusKM).
	RadiusKM int
}

// Query is a search for listings: typed, never a raw engine expression.
// The zero value (with an Audience) finds every visible listing the
// audience may see, by relevance.
type Query struct {
	// Words are the words as typed (at most MaxWordsLen runes); Terms
	// gives the words searched for.
	Words string
	// Kind narrows to offers or needs ("" for both). The public audience
	// sees offers whatever Kind says.
	Kind marketplace.ListingKind
	// Categories are category slugs, any of which matches (a sector's
	// slug stands for its categories; ParseQuery expands it).
	Categories []string
	// Tags must all be on a listing.
	Tags []string
	// Values must all be claimed by the listing's member (slugs of
	// marketplace.Values).
	Values []string
	// MemberKind narrows to enterprise or worker members ("" for both).
	// The public audience sees enterprise members' listings only, whatever
	// MemberKind says (MemberKindFilter).
	MemberKind marketplace.MemberKind
	// Sizes narrow to members of any of these size bands
	// (marketplace.SizeBands); Regions and Nations to listings placed in
	// any of these regions or nations (marketplace.Regions, Nations).
	Sizes   []string
	Regions []string
	Nations []string
	// Near narrows to listings within reach of a place (nil for anywhere).
	Near *Near
	// IncludeRemote adds UK-wide and remote listings to a Near query.
	// Without Near every listing, remote or not, may match.
	IncludeRemote bool
	// BasedOnly leaves out of a Near query the offers based beyond the
	// radius whose own reach covers the place.
	BasedOnly bool
	// MinPricePence and MaxPricePence narrow to priced listings whose
	// price range overlaps [min, max]; 0 means no bound. Unpriced listings
	// are left out when either bound is set.
	MinPricePence int64
	MaxPricePence int64
	// Sort is the order of the hits ("" is SortRelevance).
	Sort Sort
	// Facets are the facets to count over every hit (not just the page).
	Facets []Facet
	// Offset is where the page starts (decoded from a cursor); Limit how
	// many hits it holds (0 is DefaultLimit).
	Offset int
	Limit  int
	// Audience is who is searching ("" is the public).
	Audience Audience
}

// Kinds returns the listing kinds the query may return, given its kind and
// audience: offers only for the public. An empty result means nothing can
// match (the public asking for needs).
func (q *Query) Kinds() []marketplace.ListingKind {
	members := q.Audience == AudienceMembers
	switch {
	case q.Kind == marketplace.KindNeed && !members:
		return nil
	case q.Kind != "":
		return []marketplace.ListingKind{q.Kind}
	case members:
		return []marketplace.ListingKind{marketplace.KindOffer, marketplace.KindNeed}
	default:
		return []marketplace.ListingKind{marketplace.KindOffer}
	}
}

// MemberKindFilter returns the kind of member whose listings the query may
// return ("" for any), given its member kind and audience: worker members
// are individual people and never shown to the public, so the public sees
// co-operatives' listings only. none reports that nothing can match (the
// public asking for worker members' listings).
func (q *Query) MemberKindFilter() (kind marketplace.MemberKind, none bool) {
	if q.Audience == AudienceMembers {
		return q.MemberKind, false
	}
	if q.MemberKind == marketplace.MemberWorker {
		return "", true
	}
	return marketplace.MemberEnterprise, false
}

// PageSize returns Limit, or DefaultLimit when it is not set.
func (q *Query) PageSize() int {
	if q.Limit <= 0 {
		return DefaultLimit
	}
	return min(q.Limit, MaxLimit)
}

// SortOrder returns Sort, or SortRelevance when it is not set.
func (q *Query) SortOrder() Sort {
	if q.Sort == "" {
		return SortRelevance
	}
	return q.Sort
}

// Priced reports whether the query has a price bound.
func (q *Query) Priced() bool {
	return q.MinPricePence > 0 || q.MaxPricePence > 0
}

// Terms returns the folded words searched for: lower-case, accents and
// hyphens removed ("Co-operative" is "cooperative"), common English words
// dropped, at most MaxTerms, duplicates removed. The last term is matched as
// a prefix too.
func (q *Query) Terms() []string {
	return Terms(q.Words)
}

// Validate checks a query built in code (ParseQuery builds only valid
// ones) and returns EINVALID naming each field at fault.
func (q *Query) Validate() error {
	var fe []marketplace.FieldError
	add := func(field, msg string) {
		fe = append(fe, marketplace.FieldError{Field: field, Message: msg})
	}
	if q.Kind != "" && q.Kind != marketplace.KindOffer && q.Kind != marketplace.KindNeed {
		add("kind", "must be offer or need")
	}
	for _, c := range q.Categories {
		if _, ok := marketplace.Taxonomy.Category(c); !ok {
			add("category", strconv.Quote(c)+" is not a category")
		}
	}
	if len(q.Categories) > 4*MaxFilterValues || len(q.Tags) > MaxFilterValues || len(q.Values) > MaxFilterValues {
		add("tag", "too many filter values")
	}
	for _, v := range q.Values {
		if !marketplace.IsValue(v) {
			add("value", strconv.Quote(v)+" is not a known value")
		}
	}
	if q.MemberKind != "" && q.MemberKind != marketplace.MemberEnterprise && q.MemberKind != marketplace.MemberWorker {
		add("member_kind", "must be enterprise or worker")
	}
	if q.Near != nil {
		if _, ok := marketplace.FindPostcodeArea(q.Near.Area); !ok || q.Near.Area == "" {
			add("near", "is not a known postcode area")
		}
		if d, ok := marketplace.FindDistrict(q.Near.District); q.Near.District != "" && (!ok || d.Area != q.Near.Area) {
			add("near", "is not a known postcode district")
		}
		if q.Near.RadiusKM < 1 || q.Near.RadiusKM > marketplace.MaxRadiusKM {
			add("radius_km", "must be between 1 and "+strconv.Itoa(marketplace.MaxRadiusKM))
		}
	}
	for _, v := range q.Sizes {
		if !slices.Contains(marketplace.SizeBands, v) {
			add("size", strconv.Quote(v)+" is not a size: micro, small, medium or large")
		}
	}
	for _, v := range q.Regions {
		if !marketplace.IsRegion(v) {
			add("region", strconv.Quote(v)+" is not a region")
		}
	}
	for _, v := range q.Nations {
		if !marketplace.IsNation(v) {
			add("nation", strconv.Quote(v)+" is not a nation")
		}
	}
	if len(q.Sizes) > MaxFilterValues || len(q.Regions) > MaxFilterValues || len(q.Nations) > MaxFilterValues {
		add("region", "too many filter values")
	}
	if q.MinPricePence < 0 || q.MinPricePence > marketplace.MaxPricePence {
		add("min_price", "must be between 0 and "+strconv.FormatInt(marketplace.MaxPricePence, 10))
	}
	if q.MaxPricePence < 0 || q.MaxPricePence > marketplace.MaxPricePence {
		add("max_price", "must be between 0 and "+strconv.FormatInt(marketplace.MaxPricePence, 10))
	}
	if q.MaxPricePence > 0 && q.MinPricePence > q.MaxPricePence {
		add("min_price", "must not be more than max_price")
	}
	if !slices.Contains(Sorts, q.SortOrder()) {
		add("sort", "must be one of: relevance, newest, nearest, price_asc, price_desc")
	} else if q.SortOrder() == SortNearest && q.Near == nil {
		add("sort", "nearest needs near")
	}
	for _, f := range q.Facets {
		if !slices.Contains(AllFacets, f) {
			add("facets", strconv.Quote(string(f))+" is not a facet")
		}
	}
	if q.Offset < 0 || q.Offset > MaxOffset {
		add("cursor", "is out of range")
	}
	if q.Limit < 0 || q.Limit > MaxLimit {
		add("limit", "must be between 1 and "+strconv.Itoa(MaxLimit))
	}
	if q.Audience != "" && q.Audience != AudiencePublic && q.Audience != AudienceMembers {
		add("audience", "must be public or members")
	}
	if len(fe) > 0 {
		return marketplace.Invalid(fe...)
	}
	return nil
}

// NextCursor returns the cursor of the page after this one, given how many
// hits this page returned and the total (estimated) hits, or "" when this
// is the last page.
func (q *Query) NextCursor(returned, total int) string {
	next := q.Offset + q.PageSize()
	if returned < q.PageSize() || next >= total || next > MaxOffset {
		return ""
	}
	return q.cursorAt(next)
}

const cursorVersion = 1

// cursorAt encodes an offset together with a fingerprint of the query, so
// that a cursor is only ever used with the search it came from.
func (q *Query) cursorAt(offset int) string {
	var b [1 + binary.MaxVarintLen64 + 8]byte
	b[0] = cursorVersion
	n := 1 + binary.PutUvarint(b[1:], uint64(offset))
	binary.BigEndian.PutUint64(b[n:], q.fingerprint())
	return base64.RawURLEncoding.EncodeToString(b[:n+8])
}

// decodeCursor returns the offset a cursor of this query points at.
func (q *Query) decodeCursor(s string) (int, bool) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) < 10 || b[0] != cursorVersion {
		return 0, false
	}
	off, n := binary.Uvarint(b[1:])
	if n <= 0 || len(b) != 1+n+8 || off > MaxOffset {
		return 0, false
	}
	if binary.BigEndian.Uint64(b[1+n:]) != q.fingerprint() {
		return 0, false
	}
	return int(off), true
}

// fingerprint hashes everything that decides the hits and their order.
func (q *Query) fingerprint() uint64 {
	h := fnv.New64a()
	w := func(parts ...string) {
		for _, p := range parts {
			h.Write([]byte(p))
			h.Write([]byte{0})
		}
	}
	w(strings.Join(q.Terms(), " "), string(q.Kind), string(q.MemberKind), string(q.SortOrder()), string(q.Audience))
	w(q.Categories...)
	w("|")
	w(q.Tags...)
	w("|")
	w(q.Values...)
	w("|")
	w(q.Sizes...)
	w("|")
	w(q.Regions...)
	w("|")
	w(q.Nations...)
	w("|")
	if q.Near != nil {
		w(q.Near.Area, q.Near.District, strconv.Itoa(q.Near.RadiusKM))
	}
	w(strconv.FormatBool(q.IncludeRemote), strconv.FormatBool(q.BasedOnly), strconv.FormatInt(q.MinPricePence, 10), strconv.FormatInt(q.MaxPricePence, 10))
	return h.Sum64()
}
