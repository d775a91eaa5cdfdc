package bleve

import (
	"sync"

	"github.com/blevesearch/bleve/v2/index/scorch"
	index "github.com/blevesearch/bleve_index_api"
	segment "github.com/blevesearch/scorch_segment_api/v2"
)

// Reading a hit's row from its doc value was a quarter of a search's time
// at 100,000 listings (finding the segment, decoding its chunk, parsing
// the term, for every text hit). A segment never changes once written, and
// neither does the row of a document in it (rows are never reused for
// another ID), so each segment's rows are read once, into an array by the
// segment's own document number, and a hit's row is an index into it.

// rowCache holds the rows of the segments searched lately.
type rowCache struct {
	mu   sync.Mutex
	segs map[segment.Segment][]uint32
}

// noRow marks a document number with no row (deleted, or not ours).
const noRow = ^uint32(0)

// hitRows finds the rows of one snapshot's hits.
type hitRows struct {
	snap    *scorch.IndexSnapshot
	rows    [][]uint32 // by segment of the snapshot
	offsets []uint64   // the first global document number of each segment
	dvr     index.DocValueReader
}

// rowsOf returns what finds the rows of reader's hits: from the cache
// when reader is a scorch snapshot (as Bleve's default index gives),
// from each hit's doc value otherwise.
func (c *rowCache) rowsOf(reader index.IndexReader) (*hitRows, error) {
	h := &hitRows{}
	snap, ok := reader.(*scorch.IndexSnapshot)
	if !ok {
		dvr, err := reader.DocValueReader([]string{fieldRow})
		if err != nil {
			return nil, err
		}
		h.dvr = dvr
		return h, nil
	}
	h.snap = snap
	segs := snap.Segments()
	h.rows = make([][]uint32, len(segs))
	h.offsets = make([]uint64, len(segs))
	var running uint64
	var missing []int
	c.mu.Lock()
	for i, ss := range segs {
		// As scorch numbers a snapshot's documents: each segment's
		// count, deleted documents included, after the one before.
		h.offsets[i] = running
		running += ss.Segment().Count()
		if rows, ok := c.segs[ss.Segment()]; ok {
			h.rows[i] = rows
		} else {
			missing = append(missing, i)
		}
	}
	c.mu.Unlock()
	if len(missing) == 0 {
		return h, nil
	}
	for _, i := range missing {
		rows, ok, err := segmentRows(segs[i].Segment())
		if err != nil {
			return nil, err
		} else if !ok {
			// A kind of segment without doc values to visit: read
			// each hit's doc value instead.
			dvr, err := reader.DocValueReader([]string{fieldRow})
			if err != nil {
				return nil, err
			}
			return &hitRows{dvr: dvr}, nil
		}
		h.rows[i] = rows
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	// Keep the segments of this snapshot only: merged-away segments are
	// gone from every later one.
	keep := make(map[segment.Segment][]uint32, len(segs))
	for i, ss := range segs {
		keep[ss.Segment()] = h.rows[i]
	}
	c.segs = keep
	return h, nil
}

// segmentRows reads the row of every document of a segment; false when
// the segment cannot be read so.
func segmentRows(seg segment.Segment) ([]uint32, bool, error) {
	dv, ok := seg.(segment.DocValueVisitable)
	if !ok {
		return nil, false, nil
	}
	rows := make([]uint32, seg.Count())
	for i := range rows {
		rows[i] = noRow
	}
	fields := []string{fieldRow}
	var state segment.DocVisitState
	var perr error
	for n := range rows {
		var err error
		state, err = dv.VisitDocValues(uint64(n), fields, func(_ string, term []byte) {
			rows[n], perr = parseRow(term)
		}, state)
		if err != nil {
			return nil, false, err
		} else if perr != nil {
			return nil, false, perr
		}
	}
	return rows, true, nil
}

// row returns the row of a hit, or noRow.
func (h *hitRows) row(id index.IndexInternalID) (uint32, error) {
	if h.snap == nil {
		return rowOfHit(h.dvr, id)
	}
	n := id.Value()
	// The segment holding n: the last whose first number is at most n.
	lo, hi := 0, len(h.offsets)
	for hi-lo > 1 {
		mid := (lo + hi) / 2
		if h.offsets[mid] <= n {
			lo = mid
		} else {
			hi = mid
		}
	}
	if lo >= len(h.rows) {
		return noRow, nil
	}
	local := n - h.offsets[lo]
	if local >= uint64(len(h.rows[lo])) {
		return noRow, nil
	}
	return h.rows[lo][local], nil
}
