package bleve

import (
	"encoding/json"
	"strings"

	blevesearch "github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/standard"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/mapping"

	"cooptrade/marketplace"
	"cooptrade/search"
)

// Fields of the index.
const (
	fieldTitle      = "title"   // folded title, stemmed
	fieldTitleExact = "title_x" // folded title, unstemmed: typos and prefixes
	fieldBody       = "body"    // folded description, tags, category, member and area names, stemmed
	fieldBodyExact  = "body_x"  // the same, unstemmed
	fieldRow        = "row"     // the document's row in the table, a doc value
	fieldCategory   = "category"
	fieldTags       = "tags"
	fieldArea       = "area"
	fieldRemote     = "remote" // "t" for UK-wide and remote listings
	fieldSource     = "src"    // the whole document, stored, not indexed
)

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
	add(fieldRow, kw(true))
	add(fieldCategory, kw(false))
	add(fieldTags, kw(false))
	add(fieldArea, kw(false))
	add(fieldRemote, kw(false))
	add(fieldSource, src)

	im := blevesearch.NewIndexMapping()
	im.DefaultMapping = dm
	im.DefaultAnalyzer = standard.Name
	im.IndexDynamic = false
	im.StoreDynamic = false
	im.DocValuesDynamic = false
	return im
}

// indexDoc is what Bleve indexes of a document: its text, the terms a
// query may narrow on before the table filters, its row, and the document
// itself, stored.
func indexDoc(d *search.Document, row uint32) (map[string]any, error) {
	// The table works out reach from the district and radius: the
	// stored document need not carry the districts an offer serves.
	stored := *d
	stored.ReachAreas, stored.ReachDistricts = nil, nil
	src, err := json.Marshal(&stored)
	if err != nil {
		return nil, err
	}
	title := marketplace.Fold(d.Title)
	body := marketplace.Fold(strings.Join([]string{d.Description, strings.Join(d.Tags, " . "), d.CategoryName, d.MemberName, d.AreaName}, " . "))
	doc := map[string]any{
		fieldTitle:      title,
		fieldTitleExact: title,
		fieldBody:       body,
		fieldBodyExact:  body,
		fieldRow:        rowTerm(row),
		fieldCategory:   d.Category,
		fieldTags:       d.Tags,
		fieldSource:     string(src),
	}
	if d.Remote {
		doc[fieldRemote] = "t"
	}
	if d.Area != "" {
		doc[fieldArea] = d.Area
	}
	return doc, nil
}
