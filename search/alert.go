package search

import (
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/go-porterstemmer"

	"cooptrade/marketplace"
)

var _ marketplace.AlertEvaluator = AlertEvaluator{}

// AlertEvaluator implements marketplace.AlertEvaluator: a saved search is
// the query string of GET /v1/search, read as for a signed-in user, and is
// tested against one listing at a time by the rules the engines apply to
// their index.
type AlertEvaluator struct{}

// CompileAlert implements marketplace.AlertEvaluator.
func (AlertEvaluator) CompileAlert(query string) (marketplace.AlertQuery, error) {
	return ParseSavedQuery(query)
}

// SavedQuery is a saved search, ready to test documents one at a time.
type SavedQuery struct {
	// Query is the search as ParseQuery read it. What orders or pages
	// hits (sort, facets, cursor, limit) plays no part in an alert.
	Query Query

	terms []string
	stems []string
}

// ParseSavedQuery reads the query string of a saved search
// ("q=leaflets&kind=need&near=LS6&radius_km=30") as GET /v1/search reads
// its parameters for a signed-in user. It returns EINVALID naming each bad
// or unknown parameter.
func ParseSavedQuery(raw string) (*SavedQuery, error) {
	v, err := url.ParseQuery(strings.TrimPrefix(strings.TrimSpace(raw), "?"))
	if err != nil {
		return nil, marketplace.Invalid(marketplace.FieldError{Field: "query", Message: "is not a URL query string (name=value&…)"})
	}
	var unknown []marketplace.FieldError
	for name := range v {
		if !slices.Contains(Parameters, name) {
			unknown = append(unknown, marketplace.FieldError{Field: name, Message: "is not a search parameter"})
		}
	}
	if len(unknown) > 0 {
		sort.Slice(unknown, func(i, j int) bool { return unknown[i].Field < unknown[j].Field })
		return nil, marketplace.Invalid(unknown...)
	}
	q, err := ParseQuery(v, true)
	if err != nil {
		return nil, err
	}
	return NewSavedQuery(q), nil
}

// NewSavedQuery compiles a query built in code (it should pass
// Query.Validate).
func NewSavedQuery(q Query) *SavedQuery {
	s := &SavedQuery{Query: q, terms: q.Terms()}
	for _, t := range s.terms {
		s.stems = append(s.stems, stem(t))
	}
	return s
}

// Matches implements marketplace.AlertQuery.
func (s *SavedQuery) Matches(al *marketplace.AlertListing) bool {
	w, ok := al.Memo.(*documentWords)
	if !ok {
		d := NewDocument(al.Listing, al.Member)
		w = &documentWords{doc: d}
		al.Memo = w
	}
	return s.match(&w.doc, w)
}

// MatchesDocument reports whether the document satisfies the search: its
// kind is one the audience may see; it is in one of the categories, has
// every tag, and its member claims every value and is of the member kind
// asked for; it lies within reach of the place (Query.RelationOf: based
// within the radius, an offer whose own reach covers the place unless the
// search is for suppliers based near only, or, when asked, UK-wide or
// remote); its price range overlaps the one asked for (unpriced
// listings are left out when a bound is set); and each word is found in
// its title, description, tags, category name, member name or area name:
// the same word, the same stem (the English Porter stemmer of the engine's
// stemmed fields), within one typo for words of MinFuzzyLen or more, or,
// for the last word, as a prefix (see WordMatches).
func (s *SavedQuery) MatchesDocument(d *Document) bool {
	return s.match(d, &documentWords{doc: *d})
}

func (s *SavedQuery) match(d *Document, w *documentWords) bool {
	q := &s.Query
	if !slices.Contains(q.Kinds(), d.Kind) {
		return false
	}
	if len(q.Categories) > 0 && !slices.Contains(q.Categories, d.Category) {
		return false
	}
	for _, t := range q.Tags {
		if !slices.Contains(d.Tags, t) {
			return false
		}
	}
	for _, v := range q.Values {
		if !slices.Contains(d.Values, v) {
			return false
		}
	}
	if kind, none := q.MemberKindFilter(); none || kind != "" && d.MemberKind != kind {
		return false
	}
	if len(q.Sizes) > 0 && !slices.Contains(q.Sizes, d.MemberSize) ||
		len(q.Regions) > 0 && !slices.Contains(q.Regions, d.Region) ||
		len(q.Nations) > 0 && !slices.Contains(q.Nations, d.Nation) {
		return false
	}
	if _, ok := q.RelationOf(d); !ok {
		return false
	}
	if q.Priced() {
		if !d.Priced() || (q.MinPricePence > 0 && d.PriceMaxPence < q.MinPricePence) ||
			(q.MaxPricePence > 0 && d.PriceMinPence > q.MaxPricePence) {
			return false
		}
	}
	if len(s.terms) == 0 {
		return true
	}
	words, stems := w.read()
	for i, t := range s.terms {
		last := i == len(s.terms)-1
		found := false
		for j, word := range words {
			if stems[j] == s.stems[i] || WordMatches(word, t, last) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// documentWords holds a document's words and their stems, read once for
// every alert that tests it.
type documentWords struct {
	doc   Document
	words []string
	stems []string
}

func (w *documentWords) read() ([]string, []string) {
	if w.words == nil {
		d := &w.doc
		text := strings.Join([]string{d.Title, d.Description, strings.Join(d.Tags, " . "), d.CategoryName, d.MemberName, d.AreaName}, " . ")
		seen := map[string]bool{}
		w.words = []string{}
		for _, word := range strings.Fields(marketplace.Fold(text)) {
			if !seen[word] {
				seen[word] = true
				w.words = append(w.words, word)
				w.stems = append(w.stems, stem(word))
			}
		}
	}
	return w.words, w.stems
}

// stem is the English Porter stem of a folded word, as the engine's
// stemmed fields hold it.
func stem(word string) string {
	return string(porterstemmer.StemWithoutLowerCasing([]rune(word)))
}

// Scope implements marketplace.AlertQuery.
func (s *SavedQuery) Scope() ([]marketplace.ListingKind, []string) {
	var cats []string
	if len(s.Query.Categories) > 0 {
		cats = slices.Clone(s.Query.Categories)
	}
	return s.Query.Kinds(), cats
}

// Describe implements marketplace.AlertQuery: "“leaflets”, needs, in Print
// runs, within 30 km of LS6 or UK-wide".
func (s *SavedQuery) Describe() string {
	q := &s.Query
	var parts []string
	if q.Words != "" {
		parts = append(parts, "“"+truncateRunes(q.Words, 60)+"”")
	}
	switch q.Kind {
	case marketplace.KindNeed:
		parts = append(parts, "needs")
	case marketplace.KindOffer:
		parts = append(parts, "offers")
	}
	if n := len(q.Categories); n > 0 && n <= 3 {
		var names []string
		for _, c := range q.Categories {
			cat, _ := marketplace.Taxonomy.Category(c)
			names = append(names, cat.Name)
		}
		parts = append(parts, "in "+strings.Join(names, " or "))
	} else if n > 3 {
		parts = append(parts, "in "+strconv.Itoa(n)+" categories")
	}
	if len(q.Tags) > 0 {
		parts = append(parts, "tagged "+strings.Join(q.Tags, " and "))
	}
	if len(q.Values) > 0 {
		parts = append(parts, "by members with "+strings.Join(q.Values, " and "))
	}
	if q.MemberKind == marketplace.MemberWorker {
		parts = append(parts, "by worker members")
	} else if q.MemberKind == marketplace.MemberEnterprise {
		parts = append(parts, "by co-operatives")
	}
	if len(q.Sizes) > 0 {
		parts = append(parts, "by members of "+strings.Join(q.Sizes, " or ")+" size")
	}
	if len(q.Regions)+len(q.Nations) > 0 {
		var names []string
		for _, r := range append(slices.Clone(q.Regions), q.Nations...) {
			names = append(names, marketplace.RegionNames[r])
		}
		parts = append(parts, "in "+strings.Join(names, " or "))
	}
	if q.Near != nil {
		near := "within " + strconv.Itoa(q.Near.RadiusKM) + " km of " + q.Near.Postcode
		if q.BasedOnly {
			near = "based " + near
		}
		if q.IncludeRemote {
			near += " or UK-wide"
		}
		parts = append(parts, near)
	}
	switch {
	case q.MinPricePence > 0 && q.MaxPricePence > 0:
		parts = append(parts, "priced "+pounds(q.MinPricePence)+" to "+pounds(q.MaxPricePence))
	case q.MinPricePence > 0:
		parts = append(parts, "priced from "+pounds(q.MinPricePence))
	case q.MaxPricePence > 0:
		parts = append(parts, "priced up to "+pounds(q.MaxPricePence))
	}
	if len(parts) == 0 {
		return "Every new listing"
	}
	out := strings.Join(parts, ", ")
	r, n := utf8.DecodeRuneInString(out)
	return string(unicode.ToUpper(r)) + out[n:]
}

func pounds(pence int64) string {
	if pence%100 == 0 {
		return "£" + strconv.FormatInt(pence/100, 10)
	}
	return "£" + strconv.FormatInt(pence/100, 10) + "." + strconv.FormatInt(pence%100+100, 10)[1:]
}
