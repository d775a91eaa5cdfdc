package search

import (
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"cooptrade/marketplace"
)

// Parameters are the query parameters ParseQuery reads.
var Parameters = []string{"q", "kind", "category", "tag", "value", "member_kind", "size", "region", "nation", "near", "radius_km", "remote", "serving", "min_price", "max_price", "sort", "facets", "cursor", "limit"}

var tagPattern = regexp.MustCompile(`^[\p{L}\p{N}][\p{L}\p{N} &'-]*$`)

// ParseQuery reads a search from the API's query parameters:
//
//	q            words, typos forgiven; longer than MaxWordsLen is truncated
//	kind         offer | need (need only when signed in)
//	category     a category or sector slug; repeat or comma-separate for any of several
//	tag          a tag the listing must have; repeat for all of several
//	value        a value slug the member must claim; repeat for all of several
//	member_kind  enterprise | worker
//	size         micro | small | medium | large (by headcount: 1-9, 10-49, 50-249, 250+); repeat for any of several
//	region       a region slug (marketplace.Regions); repeat for any of several
//	nation       england | scotland | wales | northern-ireland; repeat for any of several
//	near         a UK postcode, outward code or postcode area ("LS6 1AA", "M1", "M")
//	radius_km    1 to 1000, with near (default 25)
//	remote       true to add UK-wide and remote listings to a near search
//	serving      false to leave out of a near search the offers based beyond the
//	             radius whose own reach covers the place (default true)
//	min_price    pence; max_price pence
//	sort         relevance (default) | newest | nearest (with near) | price_asc | price_desc
//	facets       comma-separated facets to count (default all), "none" for none
//	cursor       the next_cursor of the previous page
//	limit        hits per page, 1 to 100 (default 20)
//
// signedIn says whether a member's user is searching (needs are shown to
// them only). It returns EINVALID naming each bad parameter.
func ParseQuery(v url.Values, signedIn bool) (Query, error) {
	q := Query{Audience: AudiencePublic, Facets: append([]Facet(nil), AllFacets...)}
	if signedIn {
		q.Audience = AudienceMembers
	}
	var fe []marketplace.FieldError
	add := func(field, msg string) {
		fe = append(fe, marketplace.FieldError{Field: field, Message: msg})
	}

	q.Words = strings.Join(strings.FieldsFunc(truncateRunes(v.Get("q"), MaxWordsLen), isSpaceOrControl), " ")

	switch k := marketplace.ListingKind(strings.TrimSpace(v.Get("kind"))); k {
	case "":
	case marketplace.KindOffer:
		q.Kind = k
	case marketplace.KindNeed:
		if !signedIn {
			add("kind", "needs are shown to signed-in members only")
		}
		q.Kind = k
	default:
		add("kind", "must be offer or need")
	}

	for _, c := range list(v["category"]) {
		cats := marketplace.Taxonomy.CategoriesOf(c)
		if cats == nil {
			add("category", quote(c)+" is not a category or sector (see GET /v1/categories)")
			continue
		}
		for _, cat := range cats {
			if !slices.Contains(q.Categories, cat) {
				q.Categories = append(q.Categories, cat)
			}
		}
	}

	for _, t := range v["tag"] {
		t = strings.ToLower(strings.Join(strings.Fields(t), " "))
		switch {
		case t == "":
		case len(t) > 32 || !tagPattern.MatchString(t):
			add("tag", quote(t)+" is not a tag: letters, digits, spaces and hyphens, at most 32")
		case !slices.Contains(q.Tags, t):
			q.Tags = append(q.Tags, t)
		}
	}
	if len(q.Tags) > MaxFilterValues {
		add("tag", "at most "+strconv.Itoa(MaxFilterValues)+" tags")
	}

	for _, val := range list(v["value"]) {
		if !marketplace.IsValue(val) {
			add("value", quote(val)+" is not a known value")
		} else if !slices.Contains(q.Values, val) {
			q.Values = append(q.Values, val)
		}
	}

	switch k := marketplace.MemberKind(strings.TrimSpace(v.Get("member_kind"))); k {
	case "":
	case marketplace.MemberEnterprise, marketplace.MemberWorker:
		q.MemberKind = k
	default:
		add("member_kind", "must be enterprise or worker")
	}
	for _, val := range list(v["size"]) {
		if !slices.Contains(marketplace.SizeBands, val) {
			add("size", quote(val)+" is not a size: micro, small, medium or large")
		} else if !slices.Contains(q.Sizes, val) {
			q.Sizes = append(q.Sizes, val)
		}
	}
	for _, val := range list(v["region"]) {
		if !marketplace.IsRegion(val) {
			add("region", quote(val)+" is not a region")
		} else if !slices.Contains(q.Regions, val) {
			q.Regions = append(q.Regions, val)
		}
	}
	for _, val := range list(v["nation"]) {
		if !marketplace.IsNation(val) {
			add("nation", quote(val)+" is not a nation: england, scotland, wales or northern-ireland")
		} else if !slices.Contains(q.Nations, val) {
			q.Nations = append(q.Nations, val)
		}
	}
	if len(q.Sizes) > MaxFilterValues || len(q.Regions) > MaxFilterValues || len(q.Nations) > MaxFilterValues {
		add("region", "too many filter values")
	}

	if near := strings.TrimSpace(v.Get("near")); near != "" {
		if n, ok := parseNear(near); ok {
			q.Near = n
		} else {
			add("near", quote(near)+" is not a UK postcode or postcode area")
		}
	}
	if r := strings.TrimSpace(v.Get("radius_km")); r != "" {
		km, err := strconv.Atoi(r)
		switch {
		case err != nil || km < 1 || km > marketplace.MaxRadiusKM:
			add("radius_km", "must be a whole number of km between 1 and "+strconv.Itoa(marketplace.MaxRadiusKM))
		case strings.TrimSpace(v.Get("near")) == "":
			add("radius_km", "needs near")
		case q.Near != nil:
			q.Near.RadiusKM = km
		}
	}
	if r := strings.TrimSpace(v.Get("remote")); r != "" {
		b, err := strconv.ParseBool(r)
		if err != nil {
			add("remote", "must be true or false")
		}
		q.IncludeRemote = b
	}
	if r := strings.TrimSpace(v.Get("serving")); r != "" {
		b, err := strconv.ParseBool(r)
		if err != nil {
			add("serving", "must be true or false")
		}
		q.BasedOnly = !b
	}

	q.MinPricePence = parsePrice(v, "min_price", add)
	q.MaxPricePence = parsePrice(v, "max_price", add)
	if q.MaxPricePence > 0 && q.MinPricePence > q.MaxPricePence {
		add("min_price", "must not be more than max_price")
	}

	if s := Sort(strings.TrimSpace(v.Get("sort"))); s != "" {
		switch {
		case !slices.Contains(Sorts, s):
			add("sort", "must be one of: relevance, newest, nearest, price_asc, price_desc")
		case s == SortNearest && strings.TrimSpace(v.Get("near")) == "":
			add("sort", "nearest needs near")
		}
		q.Sort = s
	}

	if v.Has("facets") {
		q.Facets = nil
		for _, f := range list(v["facets"]) {
			switch {
			case f == "none":
			case !slices.Contains(AllFacets, Facet(f)):
				add("facets", quote(f)+" is not a facet: category, kind, values, tags, area, member_kind, size, region, nation or none")
			case !slices.Contains(q.Facets, Facet(f)):
				q.Facets = append(q.Facets, Facet(f))
			}
		}
	}

	if l := strings.TrimSpace(v.Get("limit")); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > MaxLimit {
			add("limit", "must be a whole number between 1 and "+strconv.Itoa(MaxLimit))
		}
		q.Limit = n
	}

	if len(fe) > 0 {
		return Query{}, marketplace.Invalid(fe...)
	}
	// The cursor is checked last: it must belong to this very search.
	if c := strings.TrimSpace(v.Get("cursor")); c != "" {
		off, ok := q.decodeCursor(c)
		if !ok {
			return Query{}, marketplace.Invalid(marketplace.FieldError{Field: "cursor", Message: "is not a cursor of this search; start again without it"})
		}
		q.Offset = off
	}
	return q, nil
}

// parseNear reads a postcode, an outward code or a bare postcode area.
func parseNear(s string) (*Near, bool) {
	if p, err := marketplace.ParsePostcode(s); err == nil {
		return &Near{Postcode: p.Postcode, District: p.District, Area: p.Area, Lat: p.Lat, Lon: p.Lon, RadiusKM: DefaultRadiusKM}, true
	}
	code := strings.ToUpper(strings.TrimSpace(s))
	if len(code) > 2 {
		return nil, false
	}
	a, ok := marketplace.FindPostcodeArea(code)
	if !ok {
		return nil, false
	}
	return &Near{Postcode: a.Code, Area: a.Code, Lat: a.Lat, Lon: a.Lon, RadiusKM: DefaultRadiusKM}, true
}

func parsePrice(v url.Values, name string, add func(field, msg string)) int64 {
	s := strings.TrimSpace(v.Get(name))
	if s == "" {
		return 0
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 || n > marketplace.MaxPricePence {
		add(name, "must be a whole number of pence between 0 and "+strconv.FormatInt(marketplace.MaxPricePence, 10))
		return 0
	}
	return n
}

// list splits repeated and comma-separated parameter values, dropping
// empty ones.
func list(vals []string) []string {
	var out []string
	for _, v := range vals {
		for _, p := range strings.Split(v, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}

func isSpaceOrControl(r rune) bool {
	return r <= ' ' || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == '\u2028' || r == '\u2029'
}

// quote quotes user input for a message, cut short.
func quote(s string) string {
	return strconv.Quote(truncateRunes(s, 40))
}
