package bleve

import (
	"encoding/json"
	"math"
	"strings"

	blevesearch "github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/standard"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/mapping"

	"cooptrade/search"
)

// Fields of the index.
const (
	fieldTitle      = "title"   // folded title, stemmed
	fieldTitleExact = "title_x" // folded title, unstemmed: typos and prefixes
	fieldBody       = "body"    // folded description, tags, category, member and area names, stemmed
	fieldBodyExact  = "body_x"  // the same, unstemmed
	fieldKind       = "kind"
	fieldCategory   = "category"
	fieldTags       = "tags"
	fieldValues     = "values"
	fieldMemberKind = "member_kind"
	fieldArea       = "area"
	fieldReach      = "reach"  // areas an offer's radius reaches
	fieldRemote     = "remote" // "t" for UK-wide and remote listings
	fieldPriced     = "priced" // "t" for priced listings
	fieldPriceMin   = "price_min"
	fieldPriceMax   = "price_max"
	fieldPriceLow   = "price_lo" // price_asc order: unpriced last
	fieldPriceHigh  = "price_hi" // price_desc order: unpriced last
	fieldPublished  = "published"
	fieldSource     = "src" // the whole document, stored, not indexed
)

// unpricedLow sorts unpriced listings after every price in ascending order.
const unpricedLow = 1e13

// newMapping is the explicit mapping of listing documents: nothing dynamic,
// no _all field, doc values only where facets and sorts read them.
func newMapping() mapping.IndexMapping {
	text := func(analyzer string) *mapping.FieldMapping {
		f := mapping.NewTextFieldMapping()
		f.Analyzer = analyzer
		f.Store = false
		f.IncludeTermVectors = false
		f.IncludeInAll = false
		f.DocValues = false
		return f
	}
	kw := func(docValues bool) *mapping.FieldMapping {
		f := mapping.NewKeywordFieldMapping()
		f.Store = false
		f.IncludeTermVectors = false
		f.IncludeInAll = false
		f.DocValues = docValues
		return f
	}
	num := func(docValues bool) *mapping.FieldMapping {
		f := mapping.NewNumericFieldMapping()
		f.Store = false
		f.IncludeInAll = false
		f.DocValues = docValues
		return f
	}
	src := mapping.NewTextFieldMapping()
	src.Index = false
	src.Store = true
	src.IncludeInAll = false
	src.IncludeTermVectors = false
	src.DocValues = false
	src.Analyzer = keyword.Name

	dm := mapping.NewDocumentStaticMapping()
	add := func(name string, f *mapping.FieldMapping) {
		dm.AddFieldMappingsAt(name, f)
	}
	add(fieldTitle, text(en.AnalyzerName))
	add(fieldTitleExact, text(standard.Name))
	add(fieldBody, text(en.AnalyzerName))
	add(fieldBodyExact, text(standard.Name))
	add(fieldKind, kw(true))
	add(fieldCategory, kw(true))
	add(fieldTags, kw(true))
	add(fieldValues, kw(true))
	add(fieldMemberKind, kw(false))
	add(fieldArea, kw(true))
	add(fieldReach, kw(false))
	add(fieldRemote, kw(false))
	add(fieldPriced, kw(false))
	add(fieldPriceMin, num(false))
	add(fieldPriceMax, num(false))
	add(fieldPriceLow, num(true))
	add(fieldPriceHigh, num(true))
	add(fieldPublished, num(true))
	add(fieldSource, src)

	im := blevesearch.NewIndexMapping()
	im.DefaultMapping = dm
	im.DefaultAnalyzer = standard.Name
	im.IndexDynamic = false
	im.StoreDynamic = false
	im.DocValuesDynamic = false
	return im
}

// indexDoc is what Bleve indexes of a document.
func indexDoc(d *search.Document) (map[string]any, error) {
	src, err := json.Marshal(d)
	if err != nil {
		return nil, err
	}
	title := search.Fold(d.Title)
	body := search.Fold(strings.Join([]string{d.Description, strings.Join(d.Tags, " . "), d.CategoryName, d.MemberName, d.AreaName}, " . "))
	flag := func(b bool) string {
		if b {
			return "t"
		}
		return "f"
	}
	lo, hi := float64(d.PriceMinPence), float64(d.PriceMaxPence)
	if !d.Priced() {
		lo, hi = unpricedLow, -1
	}
	doc := map[string]any{
		fieldTitle:      title,
		fieldTitleExact: title,
		fieldBody:       body,
		fieldBodyExact:  body,
		fieldKind:       string(d.Kind),
		fieldCategory:   d.Category,
		fieldTags:       d.Tags,
		fieldValues:     d.Values,
		fieldMemberKind: string(d.MemberKind),
		fieldRemote:     flag(d.Remote),
		fieldPriced:     flag(d.Priced()),
		fieldPriceMin:   float64(d.PriceMinPence),
		fieldPriceMax:   float64(d.PriceMaxPence),
		fieldPriceLow:   lo,
		fieldPriceHigh:  hi,
		fieldPublished:  math.Floor(float64(d.PublishedAt.UnixMilli())),
		fieldSource:     string(src),
	}
	if d.Area != "" {
		doc[fieldArea] = d.Area
	}
	if len(d.ReachAreas) > 0 {
		doc[fieldReach] = d.ReachAreas
	}
	return doc, nil
}
