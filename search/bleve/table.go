package bleve

import (
	"fmt"
	"slices"
	"strconv"

	"cooptrade/marketplace"
	"cooptrade/search"
)

// The table holds, in memory, what filters, facets and sorts read of every
// document, one row each. The index stores each document's row number as
// a doc value, so a search reads one doc value per text hit and does the
// rest here: a filter is a few comparisons, a facet an increment, with no
// cost per field. Rows are never reused for another ID, so a hit from an
// older index snapshot never lands on a different listing.
type table struct {
	rows   []row
	byID   map[string]uint32
	tags   []string
	tagIDs map[string]uint32
	// tagChunk is where rows' tag lists are cut from, so that the lists of
	// rows written together lie together in memory: counting the tags of
	// every hit then reads memory in order instead of one small
	// allocation per row (which was most of a search's facet counting).
	tagChunk []uint32
}

// tagChunkSize is how many tag IDs a chunk holds.
const tagChunkSize = 1 << 16

type row struct {
	id         string
	live       bool
	kind       uint8 // kindBit
	memberKind uint8 // 0 none, 1 enterprise, 2 worker
	size       uint8 // 0 none, else 1 + index in marketplace.SizeBands
	region     uint8 // 0 none, else 1 + index in marketplace.Regions
	nation     uint8 // 0 none, else 1 + index in marketplace.Nations
	category   int16 // index in categories, -1 none
	area       int16 // index in areas, -1 none
	district   int16 // marketplace.DistrictIndex, -1 none
	radius     int32 // an offer's reach in km, 0 none
	remote     bool
	priced     bool
	values     uint32 // bit i: marketplace.Values[i]
	priceMin   int64
	priceMax   int64
	published  int64
	tags       []uint32
}

func newTable() *table {
	return &table{byID: map[string]uint32{}, tagIDs: map[string]uint32{}}
}

var (
	areaCodes = func() []string {
		var codes []string
		for _, a := range marketplace.PostcodeAreas() {
			codes = append(codes, a.Code)
		}
		return codes
	}()
	areaIndex  = indexOf(areaCodes)
	categories = func() []string {
		var slugs []string
		for _, s := range marketplace.Taxonomy.Sectors {
			for _, c := range s.Categories {
				slugs = append(slugs, c.Slug)
			}
		}
		return slugs
	}()
	categoryIndex = indexOf(categories)
	valueIndex    = func() map[string]int {
		m := map[string]int{}
		for i, v := range marketplace.Values {
			m[v.Slug] = i
		}
		return m
	}()
)

func indexOf(list []string) map[string]int {
	m := make(map[string]int, len(list))
	for i, s := range list {
		m[s] = i
	}
	return m
}

func lookup(m map[string]int, s string) int16 {
	if i, ok := m[s]; ok {
		return int16(i)
	}
	return -1
}

const (
	kindOffer uint8 = 1 << iota
	kindNeed
)

func kindBit(k marketplace.ListingKind) uint8 {
	switch k {
	case marketplace.KindOffer:
		return kindOffer
	case marketplace.KindNeed:
		return kindNeed
	}
	return 0
}

func memberKindCode(k marketplace.MemberKind) uint8 {
	switch k {
	case marketplace.MemberEnterprise:
		return 1
	case marketplace.MemberWorker:
		return 2
	}
	return 0
}

// rowOf returns the row of an ID, adding a row (not yet live) if it has
// none.
func (t *table) rowOf(id string) uint32 {
	if r, ok := t.byID[id]; ok {
		return r
	}
	r := uint32(len(t.rows))
	t.rows = append(t.rows, row{id: id})
	t.byID[id] = r
	return r
}

// set fills row r from a document and makes it live.
func (t *table) set(r uint32, d *search.Document) {
	x := row{
		id:         d.ID,
		live:       true,
		kind:       kindBit(d.Kind),
		memberKind: memberKindCode(d.MemberKind),
		size:       code(marketplace.SizeBands, d.MemberSize),
		region:     code(marketplace.Regions, d.Region),
		nation:     code(marketplace.Nations, d.Nation),
		category:   lookup(categoryIndex, d.Category),
		area:       lookup(areaIndex, d.Area),
		district:   -1,
		remote:     d.Remote,
		priced:     d.Priced(),
		priceMin:   d.PriceMinPence,
		priceMax:   d.PriceMaxPence,
		published:  d.PublishedAt.UnixNano(),
	}
	for _, v := range d.Values {
		if i, ok := valueIndex[v]; ok {
			x.values |= 1 << i
		}
	}
	if cap(t.tagChunk)-len(t.tagChunk) < len(d.Tags) {
		t.tagChunk = make([]uint32, 0, max(tagChunkSize, len(d.Tags)))
	}
	start := len(t.tagChunk)
	for _, tag := range d.Tags {
		id, ok := t.tagIDs[tag]
		if !ok {
			id = uint32(len(t.tags))
			t.tags = append(t.tags, tag)
			t.tagIDs[tag] = id
		}
		if !slices.Contains(t.tagChunk[start:], id) {
			t.tagChunk = append(t.tagChunk, id)
		}
	}
	// Capped, so that the next row's tags never land in this one's.
	x.tags = t.tagChunk[start:len(t.tagChunk):len(t.tagChunk)]
	if i, ok := marketplace.DistrictIndex(d.District); ok {
		x.district = int16(i)
	}
	if d.Kind == marketplace.KindOffer {
		x.radius = int32(d.RadiusKM)
	}
	t.rows[r] = x
}

func (t *table) remove(id string) {
	if r, ok := t.byID[id]; ok {
		t.rows[r].live = false
	}
}

// code numbers a value of a short list from 1; 0 is none or unknown.
func code(list []string, v string) uint8 {
	return uint8(slices.Index(list, v) + 1)
}

// rowTerm encodes a row number as the term indexed in fieldRow.
func rowTerm(r uint32) string {
	return strconv.FormatUint(uint64(r), 10)
}

func parseRow(term []byte) (uint32, error) {
	var n uint64
	if len(term) == 0 || len(term) > 10 {
		return 0, fmt.Errorf("bad row term %q", term)
	}
	for _, c := range term {
		if c < '0' || c > '9' {
			return 0, fmt.Errorf("bad row term %q", term)
		}
		n = n*10 + uint64(c-'0')
	}
	return uint32(n), nil
}
