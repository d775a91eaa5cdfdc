package search_test

import (
	"slices"
	"strings"
	"testing"

	"cooptrade/search"
)

// TestRebuildLog: only writes made while a rebuild runs are kept, the last
// write of a document wins, and taking them stops the recording.
func TestRebuildLog(t *testing.T) {
	var log search.RebuildLog
	doc := func(id, title string) search.Document { return search.Document{ID: id, Title: title} }
	log.Record([]search.Document{doc("before", "")}, nil)

	log.Start()
	log.Record([]search.Document{doc("a", "first"), doc("b", "kept")}, nil)
	log.Record([]search.Document{doc("a", "second")}, []string{"c"})
	log.Record(nil, []string{"b"})
	log.Record([]search.Document{doc("c", "back")}, nil)
	docs, deleted := log.Take()
	slices.SortFunc(docs, func(x, y search.Document) int { return strings.Compare(x.ID, y.ID) })
	var got []string
	for _, d := range docs {
		got = append(got, d.ID+" "+d.Title)
	}
	if !slices.Equal(got, []string{"a second", "c back"}) {
		t.Errorf("written: %+v; want a (second) and c (back)", docs)
	}
	if !slices.Equal(deleted, []string{"b"}) {
		t.Errorf("deleted: %v; want [b]", deleted)
	}

	log.Record([]search.Document{doc("after", "")}, nil)
	if docs, deleted := log.Take(); len(docs) != 0 || len(deleted) != 0 {
		t.Errorf("after Take: %v %v; want nothing recorded", docs, deleted)
	}
	log.Start()
	log.Record(nil, []string{"x"})
	log.Stop()
	if docs, deleted := log.Take(); len(docs) != 0 || len(deleted) != 0 {
		t.Errorf("after Stop: %v %v; want nothing", docs, deleted)
	}
}
