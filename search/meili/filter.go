package meili

import (
	"strconv"
	"strings"

	"cooptrade/search"
)

// Filter returns the Meilisearch filter expression of a query: its kinds,
// categories, tags, values, member kind, place and price, every value
// quoted and escaped. It returns "" when the query has no filter.
func Filter(q *search.Query) string {
	var and []string
	if kinds := q.Kinds(); len(kinds) == 1 {
		and = append(and, "kind = "+quote(string(kinds[0])))
	} else if len(kinds) == 0 {
		// Nothing may match: a kind no document has.
		and = append(and, "kind = "+quote("none"))
	}
	if len(q.Categories) > 0 {
		and = append(and, "category IN "+list(q.Categories))
	}
	for _, t := range q.Tags {
		and = append(and, "tags = "+quote(t))
	}
	for _, v := range q.Values {
		and = append(and, "values = "+quote(v))
	}
	if kind, none := q.MemberKindFilter(); none {
		and = append(and, "member_kind = "+quote("none"))
	} else if kind != "" {
		and = append(and, "member_kind = "+quote(string(kind)))
	}
	if len(q.Sizes) > 0 {
		and = append(and, "member_size IN "+list(q.Sizes))
	}
	if len(q.Regions) > 0 {
		and = append(and, "region IN "+list(q.Regions))
	}
	if len(q.Nations) > 0 {
		and = append(and, "nation IN "+list(q.Nations))
	}
	if q.Near != nil {
		// The same rule as search.Query.RelationOf, as sets of districts.
		var near []string
		based := q.Near.Based()
		if len(based.Areas) > 0 {
			near = append(near, "area IN "+list(based.Areas))
		}
		if len(based.Districts) > 0 {
			near = append(near, "district IN "+list(based.Districts))
		}
		if !q.BasedOnly {
			// Only offers with a radius have a reach.
			near = append(near, "reach_areas = "+quote(q.Near.Area), "reach_districts IN "+list(q.Near.Districts()))
		}
		if q.IncludeRemote {
			near = append(near, "remote = true")
		}
		if len(near) == 0 {
			near = append(near, "kind = "+quote("none"))
		}
		and = append(and, "("+strings.Join(near, " OR ")+")")
	}
	if q.Priced() {
		and = append(and, "priced = true")
		if q.MinPricePence > 0 {
			and = append(and, "price_max >= "+strconv.FormatInt(q.MinPricePence, 10))
		}
		if q.MaxPricePence > 0 {
			and = append(and, "price_min <= "+strconv.FormatInt(q.MaxPricePence, 10))
		}
	}
	return strings.Join(and, " AND ")
}

// quote makes a filter string literal of s: in double quotes, with
// backslashes and double quotes escaped, so that s is only ever a value.
func quote(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '\\', '"':
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	b.WriteByte('"')
	return b.String()
}

func list(values []string) string {
	q := make([]string, len(values))
	for i, v := range values {
		q[i] = quote(v)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

// Sort returns the sort of a query ("" for Meilisearch's ranking).
func Sort(q *search.Query) []string {
	switch q.SortOrder() {
	case search.SortNewest:
		return []string{"published:desc"}
	case search.SortPriceAsc:
		return []string{"price_lo:asc", "published:desc"}
	case search.SortPriceDesc:
		return []string{"price_hi:desc", "published:desc"}
	case search.SortNearest:
		return []string{"_geoPoint(" + strconv.FormatFloat(q.Near.Lat, 'f', -1, 64) + ", " + strconv.FormatFloat(q.Near.Lon, 'f', -1, 64) + "):asc"}
	default:
		if len(q.Terms()) == 0 {
			return []string{"published:desc"}
		}
		return nil
	}
}
