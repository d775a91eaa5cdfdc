package web

import (
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"cooptrade/marketplace"
	"cooptrade/search"
)

// What the search page shows beside its hits: facets, the filters to take off, page links, a sentence describing the search, highlighted words.

// facets lists the facets of a result as links.
func (s *Server) facets(p *Page, params url.Values, res *search.Result, members bool) []facetView {
	var out []facetView
	for _, name := range search.AllFacets {
		counts := res.Facets[name]
		if len(counts) == 0 || (name == search.FacetKind && !members) {
			continue
		}
		fv := facetView{Name: string(name), Title: p.T("facet." + string(name))}
		for i, fc := range counts {
			if i == 12 {
				break
			}
			val := facetValue{Count: fc.Count}
			switch name {
			case search.FacetCategory:
				val.Label = p.Category(fc.Value)
				val.Selected = slices.Contains(params["category"], fc.Value)
				val.Href = toggle(params, "category", fc.Value, true)
			case search.FacetKind:
				val.Label = p.T("kind.plural." + fc.Value)
				val.Selected = params.Get("kind") == fc.Value
				val.Href = toggle(params, "kind", fc.Value, false)
			case search.FacetValues:
				val.Label = p.Value(fc.Value)
				val.Selected = slices.Contains(params["value"], fc.Value)
				val.Href = toggle(params, "value", fc.Value, true)
			case search.FacetTags:
				val.Label = fc.Value
				val.Selected = slices.Contains(params["tag"], fc.Value)
				val.Href = toggle(params, "tag", fc.Value, true)
			case search.FacetArea:
				val.Label = p.Area(fc.Value)
				val.Selected = strings.EqualFold(params.Get("near"), fc.Value)
				val.Href = toggle(params, "near", fc.Value, false)
			case search.FacetMemberKind:
				val.Label = p.T("member_kind." + fc.Value)
				val.Selected = params.Get("member_kind") == fc.Value
				val.Href = toggle(params, "member_kind", fc.Value, false)
			case search.FacetSize:
				val.Label = p.T("places.size." + fc.Value)
				val.Selected = slices.Contains(params["size"], fc.Value)
				val.Href = toggle(params, "size", fc.Value, true)
			case search.FacetRegion, search.FacetNation:
				val.Label = p.Region(fc.Value)
				val.Selected = slices.Contains(params[string(name)], fc.Value)
				val.Href = toggle(params, string(name), fc.Value, true)
			}
			fv.Values = append(fv.Values, val)
		}
		out = append(out, fv)
	}
	return out
}

// toggle returns the search's address with a filter value added, or
// removed when it is there already; a new filter starts at the first page.
func toggle(params url.Values, name, value string, multi bool) string {
	q := url.Values{}
	for k, vals := range params {
		if k != "cursor" {
			q[k] = append([]string(nil), vals...)
		}
	}
	has := slices.ContainsFunc(q[name], func(s string) bool { return strings.EqualFold(s, value) })
	switch {
	case has && multi:
		q[name] = slices.DeleteFunc(q[name], func(s string) bool { return strings.EqualFold(s, value) })
	case has:
		q.Del(name)
	case multi:
		q.Add(name, value)
	default:
		q.Set(name, value)
	}
	if name == "near" && !has && q.Get("radius_km") == "" {
		q.Set("radius_km", strconv.Itoa(search.DefaultRadiusKM))
	}
	if name == "near" && has {
		q.Del("radius_km")
		q.Del("remote")
		q.Del("serving")
	}
	return "/search?" + q.Encode()
}

// filters lists the filters in force, each with the link that removes it.
func filters(p *Page, params url.Values) []filterLink {
	var out []filterLink
	for _, c := range params["category"] {
		out = append(out, filterLink{Label: p.Category(c), Href: toggle(params, "category", c, true)})
	}
	if k := params.Get("kind"); k == "offer" || k == "need" {
		out = append(out, filterLink{Label: p.T("kind.plural." + k), Href: toggle(params, "kind", k, false)})
	}
	for _, v := range params["value"] {
		out = append(out, filterLink{Label: p.Value(v), Href: toggle(params, "value", v, true)})
	}
	for _, t := range params["tag"] {
		out = append(out, filterLink{Label: p.T("search.filter.tag", "Tag", t), Href: toggle(params, "tag", t, true)})
	}
	if mk := params.Get("member_kind"); mk == "enterprise" || mk == "worker" {
		out = append(out, filterLink{Label: p.T("member_kind." + mk), Href: toggle(params, "member_kind", mk, false)})
	}
	for _, v := range params["size"] {
		if slices.Contains(marketplace.SizeBands, v) {
			out = append(out, filterLink{Label: p.T("places.size." + v), Href: toggle(params, "size", v, true)})
		}
	}
	for _, name := range []string{"region", "nation"} {
		for _, v := range params[name] {
			if marketplace.IsRegion(v) || marketplace.IsNation(v) {
				out = append(out, filterLink{Label: p.Region(v), Href: toggle(params, name, v, true)})
			}
		}
	}
	if n := params.Get("near"); n != "" {
		r := params.Get("radius_km")
		if r == "" {
			r = strconv.Itoa(search.DefaultRadiusKM)
		}
		out = append(out, filterLink{Label: p.T("search.filter.near", "Radius", r, "Place", strings.ToUpper(n)), Href: toggle(params, "near", n, false)})
		if params.Get("serving") == "false" {
			out = append(out, filterLink{Label: p.T("places.filter.based_only"), Href: toggle(params, "serving", "false", false)})
		}
	}
	for _, pr := range []string{"price_min", "price_max"} {
		if raw := params.Get(pr); raw != "" {
			if pence, ok := parsePounds(raw); ok && pence > 0 {
				out = append(out, filterLink{Label: p.T("search.filter."+pr, "Amount", formatMoney(pence)), Href: toggle(params, pr, raw, false)})
			}
		}
	}
	return out
}

// pages returns the links to the pages of a result (at most ten around
// the current one) and to the previous and next pages.
func pages(params url.Values, q search.Query, res *search.Result) (links []pageLink, prev, next string) {
	size := q.PageSize()
	last := min(res.Total, search.MaxOffset+size)
	count := (last + size - 1) / size
	current := q.Offset/size + 1
	link := func(n int) string {
		v := url.Values{}
		for k, vals := range params {
			if k != "cursor" {
				v[k] = vals
			}
		}
		if n > 1 {
			// A cursor is the next cursor of the page before.
			before := q
			before.Offset = (n - 2) * size
			cur := before.NextCursor(size, res.Total)
			if cur == "" {
				return ""
			}
			v.Set("cursor", cur)
		}
		return "/search?" + v.Encode()
	}
	if count <= 1 {
		return nil, "", ""
	}
	from, to := max(1, current-4), min(count, max(1, current-4)+9)
	for n := from; n <= to; n++ {
		if href := link(n); href != "" {
			links = append(links, pageLink{Number: n, Href: href, Current: n == current})
		}
	}
	if current > 1 {
		prev = link(current - 1)
	}
	if res.NextCursor != "" {
		next = link(current + 1)
	}
	return links, prev, next
}

// describeSearch names a search in a few words, for the name of a saved
// search.
func describeSearch(p *Page, params url.Values) string {
	var parts []string
	if w := params.Get("q"); w != "" {
		parts = append(parts, "“"+w+"”")
	}
	for _, f := range filters(p, params) {
		parts = append(parts, f.Label)
	}
	if len(parts) == 0 {
		return p.T("alert.name.everything")
	}
	name := strings.Join(parts, ", ")
	if r := []rune(name); len(r) > 120 {
		name = string(r[:119]) + "…"
	}
	return name
}

// highlight splits text into segments, marking the words the search
// matched (search.Hit.Highlights, as written in the text).
func highlight(text string, words []string) []segment {
	if len(words) == 0 || text == "" {
		return []segment{{Text: text}}
	}
	isWord := func(r rune) bool {
		return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) || strings.ContainsRune("-'\u2010\u2011\u2019\u00ad", r)
	}
	matches := func(w string) bool {
		return slices.ContainsFunc(words, func(h string) bool { return strings.EqualFold(h, w) })
	}
	var out []segment
	plain := strings.Builder{}
	flush := func() {
		if plain.Len() > 0 {
			out = append(out, segment{Text: plain.String()})
			plain.Reset()
		}
	}
	rs := []rune(text)
	for i := 0; i < len(rs); {
		if !isWord(rs[i]) {
			plain.WriteRune(rs[i])
			i++
			continue
		}
		j := i
		for j < len(rs) && isWord(rs[j]) {
			j++
		}
		w := string(rs[i:j])
		if matches(w) {
			flush()
			out = append(out, segment{Text: w, Mark: true})
		} else {
			plain.WriteString(w)
		}
		i = j
	}
	flush()
	return out
}
