package bleve

import (
	"context"
	"fmt"
	"testing"

	bsearch "github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"

	"cooptrade/search"
	"cooptrade/search/searchtest"
)

// TestRowCache checks that the rows read once per segment are the rows
// each hit's doc value holds, over an index of several segments (one per
// write), with documents updated and deleted since. Scorch merges segments
// in the background, at times down to one: the test then writes one more
// document, which makes a segment of its own, and looks again.
func TestRowCache(t *testing.T) {
	e, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	ctx := context.Background()
	docs := searchtest.Documents()
	for i := range docs {
		if err := e.Upsert(ctx, docs[i:i+1]); err != nil {
			t.Fatal(err)
		}
	}
	// check reports false, having checked nothing, when the index has
	// one segment only.
	check := func(when string, want int) bool {
		t.Helper()
		if err := e.acquire(); err != nil {
			t.Fatal(err)
		}
		defer e.mu.RUnlock()
		adv, _ := e.idx.Advanced()
		reader, err := adv.Reader()
		if err != nil {
			t.Fatal(err)
		}
		defer reader.Close()
		h, err := e.rows.rowsOf(reader)
		if err != nil {
			t.Fatal(err)
		}
		if h.snap == nil {
			t.Fatalf("%s: rows read per hit, not per segment", when)
		} else if len(h.rows) < 2 {
			return false
		}
		dvr, err := reader.DocValueReader([]string{fieldRow})
		if err != nil {
			t.Fatal(err)
		}
		s, err := query.NewMatchAllQuery().Searcher(ctx, reader, e.idx.Mapping(), bsearch.SearcherOptions{Score: "none"})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		sctx := &bsearch.SearchContext{DocumentMatchPool: bsearch.NewDocumentMatchPool(s.DocumentMatchPoolSize()+1, 0), IndexReader: reader}
		seen := map[string]bool{}
		for {
			dm, err := s.Next(sctx)
			if err != nil {
				t.Fatal(err)
			} else if dm == nil {
				break
			}
			got, err := h.row(dm.IndexInternalID)
			if err != nil {
				t.Fatal(err)
			}
			want, err := rowOfHit(dvr, dm.IndexInternalID)
			if err != nil {
				t.Fatal(err)
			}
			if got != want {
				t.Errorf("%s: hit %v: row %d from the cache, %d from its doc value", when, dm.IndexInternalID, got, want)
			}
			seen[e.tbl.rows[got].id] = true
			sctx.DocumentMatchPool.Put(dm)
		}
		if len(seen) != want {
			t.Errorf("%s: %d documents found; want %d", when, len(seen), want)
		}
		return true
	}
	extra := 0
	checkSegments := func(when string, want int) {
		t.Helper()
		for tries := 0; !check(when, want+extra); tries++ {
			if tries == 20 {
				t.Fatalf("%s: one segment only, after %d more writes", when, tries)
			}
			t.Logf("%s: one segment only; one more write", when)
			more := docs[0]
			extra++
			more.ID = fmt.Sprintf("extra-%d", extra)
			if err := e.Upsert(ctx, []search.Document{more}); err != nil {
				t.Fatal(err)
			}
		}
	}
	checkSegments("after one write per document", len(docs))
	changed := docs[3]
	changed.Title = "Changed " + changed.Title
	if err := e.Upsert(ctx, []search.Document{changed}); err != nil {
		t.Fatal(err)
	}
	if err := e.Delete(ctx, []string{docs[5].ID}); err != nil {
		t.Fatal(err)
	}
	checkSegments("after an update and a delete", len(docs)-1)
}
