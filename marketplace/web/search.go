package web

import (
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"cooptrade/marketplace"
	"cooptrade/search"
)

// searchParams are the query parameters of the search page: the API's
// (search.Parameters), except that prices are typed in pounds (price_min,
// price_max) rather than pence.
var searchParams = []string{"q", "kind", "category", "tag", "value", "member_kind", "size", "region", "nation", "near", "radius_km", "remote", "serving", "price_min", "price_max", "sort", "cursor"}

// searchFields are the fields of the search form, in their order on the
// page, for the summary of errors.
var searchFields = []string{"q", "near", "radius_km", "kind", "price_min", "price_max", "sort"}

// radii are the distances the search form offers, in km.
var radii = []int{5, 10, 25, 50, 100, 250}

// searchData is what the search page shows.
type searchData struct {
	// Params are the page's parameters as given.
	Params url.Values
	// Hits, Total and the rest are the result (nil Hits before a search).
	Hits    []hitView
	Total   int
	Facets  []facetView
	Filters []filterLink
	Pages   []pageLink
	Next    string
	Prev    string
	// Searched is false when the form has not been sent yet (no
	// parameters) or could not be read.
	Searched    bool
	Unavailable bool
	Members     bool
	// CanSave says whether the signed-in user may save this search as an
	// alert; AlertQuery is the search as the API reads it.
	CanSave    bool
	AlertQuery string
	AlertName  string
	Radii      []int
	Sorts      []option
	Units      []string
	// Regions and Sizes are the choices of the region and size fields.
	Regions []string
	Sizes   []string
	// Advanced opens the form's further options: one of them is set.
	Advanced bool
}

// hitView is one listing found.
type hitView struct {
	search.Hit
	TitleParts   []segment
	SnippetParts []segment
	// Reach says how the listing stands to the place searched: "Based
	// 3 km away", "Serves Leeds from Birmingham, 151 km".
	Reach string
}

// segment is a piece of text, marked when it matched the words searched.
type segment struct {
	Text string
	Mark bool
}

// facetView is one facet: its values with counts, each a link that adds
// or removes it as a filter.
type facetView struct {
	Name   string
	Title  string
	Values []facetValue
}

type facetValue struct {
	Label    string
	Count    int
	Href     string
	Selected bool
}

// filterLink is a filter in force and the link that removes it.
type filterLink struct {
	Label string
	Href  string
}

type pageLink struct {
	Number  int
	Href    string
	Current bool
}

// handleSearch shows the search form and, once it is sent, the listings
// found, with facets to narrow them.
func (s *Server) handleSearch(c *fiber.Ctx) error {
	v := visitOf(c)
	params := url.Values{}
	c.Context().QueryArgs().VisitAll(func(k, val []byte) {
		if name := string(k); slices.Contains(searchParams, name) && len(val) > 0 {
			params.Add(name, string(val))
		}
	})
	members := marketplace.SeesNeeds(v.User)
	d := &searchData{Params: params, Members: members, Radii: radii, Units: marketplace.PriceUnits,
		Regions: marketplace.Regions, Sizes: marketplace.SizeBands}
	for _, so := range search.Sorts {
		d.Sorts = append(d.Sorts, option{Value: string(so)})
	}
	for _, name := range []string{"remote", "serving", "region", "size", "kind", "price_min", "price_max", "sort"} {
		d.Advanced = d.Advanced || params.Get(name) != ""
	}
	if r := params.Get("radius_km"); r != "" && r != strconv.Itoa(search.DefaultRadiusKM) {
		d.Advanced = true
	}
	p := s.page(c, "search.title", "search.desc")
	p.Section = "search"
	p.Data = d
	p.Form = newForm()
	for _, name := range searchParams {
		p.Form.Values[name] = params.Get(name)
		p.Form.Multi[name] = params[name]
	}
	if q := params.Get("q"); q != "" {
		p.Title = p.T("search.title_words", "Words", q)
	}
	if s.cfg.Search == nil {
		d.Unavailable = true
		return s.render(c, fiber.StatusServiceUnavailable, "search", p)
	}
	apiValues := s.apiSearchValues(params, p.Form)
	cursor := apiValues.Get("cursor")
	apiValues.Del("cursor")
	q, err := search.ParseQuery(apiValues, members)
	if err == nil && cursor != "" {
		apiValues.Set("cursor", cursor)
		if paged, perr := search.ParseQuery(apiValues, members); perr == nil {
			q = paged
		} else {
			// A cursor of another search: start from the first page.
			params.Del("cursor")
		}
		apiValues.Del("cursor")
	}
	if marketplace.ErrorCode(err) == marketplace.EINVALID {
		for _, fe := range marketplace.ErrorFields(err) {
			if fe.Field == "kind" && !members {
				// The public's form has no such field: say it in a
				// sentence.
				p.Form.Problem = "search.error.kind"
				continue
			}
			s.searchFieldError(p.Form, fe)
		}
	}
	if err != nil || !p.Form.ok() {
		if err != nil && marketplace.ErrorCode(err) != marketplace.EINVALID {
			return s.renderError(c, err)
		}
		p.Form.sortErrors(searchFields)
		for _, name := range p.Form.order {
			d.Advanced = d.Advanced || (name != "q" && name != "near")
		}
		p.Form.Labels = map[string]string{
			"q": "search.field.q", "near": "search.field.near", "radius_km": "search.field.radius", "kind": "search.field.kind",
			"price_min": "search.field.price_min", "price_max": "search.field.price_max", "sort": "search.field.sort",
		}
		return s.render(c, fiber.StatusBadRequest, "search", p)
	}
	if q.Limit == 0 {
		q.Limit = search.DefaultLimit
	}
	res, err := s.cfg.Search.Search(c.UserContext(), q)
	if marketplace.ErrorCode(err) == marketplace.EUNAVAILABLE {
		d.Unavailable = true
		return s.render(c, fiber.StatusServiceUnavailable, "search", p)
	} else if err != nil {
		return s.renderError(c, err)
	}
	d.Searched = true
	d.Total = res.Total
	for _, h := range res.Hits {
		d.Hits = append(d.Hits, hitView{Hit: h, TitleParts: highlight(h.Title, h.Highlights), SnippetParts: highlight(h.Snippet, h.Highlights),
			Reach: p.Reach(h, q.Near)})
	}
	d.Facets = s.facets(p, params, res, members)
	d.Filters = filters(p, params)
	d.Pages, d.Prev, d.Next = pages(params, q, res)
	if members && s.service.Alerts != nil && s.service.AlertEvaluator != nil {
		d.CanSave = true
		alertValues := url.Values{}
		for k, vals := range apiValues {
			if k != "cursor" && k != "sort" {
				alertValues[k] = vals
			}
		}
		d.AlertQuery = alertValues.Encode()
		d.AlertName = describeSearch(p, params)
	}
	if res.Total > 0 {
		p.Description = p.T("search.desc_found", "Count", res.Total, "Number", formatNumber(int64(res.Total)))
	}
	if q.Offset > 0 || len(params) > 3 {
		// Deep pages and narrow filters are not worth a search engine's
		// while; the first pages of plain searches are.
		p.Private = true
	}
	return s.render(c, fiber.StatusOK, "search", p)
}

// apiSearchValues turns the page's parameters into the API's: pounds into
// pence, and a radius or nearest-first sort without a place dropped (the
// form always sends a radius).
func (s *Server) apiSearchValues(params url.Values, f *Form) url.Values {
	out := url.Values{}
	for k, vals := range params {
		out[k] = append([]string(nil), vals...)
	}
	out.Del("price_min")
	out.Del("price_max")
	for _, pr := range []struct{ page, api string }{{"price_min", "min_price"}, {"price_max", "max_price"}} {
		raw := params.Get(pr.page)
		if raw == "" {
			continue
		}
		pence, ok := parsePounds(raw)
		if !ok {
			f.add(pr.page, "form.error.pounds")
			continue
		}
		if pence > 0 {
			out.Set(pr.api, strconv.FormatInt(pence, 10))
		}
	}
	if strings.TrimSpace(params.Get("near")) == "" {
		out.Del("radius_km")
		out.Del("remote")
		out.Del("serving")
		if out.Get("sort") == string(search.SortNearest) {
			out.Del("sort")
		}
	}
	return out
}

// searchFieldError records an error of the API's reading of a search
// against the field of the page it came from.
func (s *Server) searchFieldError(f *Form, fe marketplace.FieldError) {
	switch fe.Field {
	case "near":
		f.add("near", "search.error.near")
	case "radius_km":
		f.add("radius_km", "search.error.radius")
	case "min_price":
		f.add("price_min", "search.error.price_order")
	case "max_price":
		f.add("price_max", "form.error.pounds")
	case "sort":
		f.add("sort", "search.error.sort")
	case "kind":
		f.add("kind", "search.error.kind")
	case "q":
		f.add("q", "form.error.invalid")
	default:
		// Filters come from links; a bad one is shown against the
		// words, the first field.
		f.add("q", "search.error.filter")
	}
}
