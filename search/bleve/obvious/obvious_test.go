package obvious_test

import (
	"testing"

	"cooptrade/search"
	"cooptrade/search/bleve/obvious"
)

// TestMixAndFloor: every query of the mix parses, and the obvious plan
// answers each on a small federation.
func TestMixAndFloor(t *testing.T) {
	docs := obvious.Documents(300)
	if len(docs) == 0 {
		t.Fatal("no visible documents")
	}
	idx, err := obvious.NewIndex(t.TempDir(), docs)
	if err != nil {
		t.Fatal(err)
	}
	defer idx.Close()
	hits := 0
	for i, m := range obvious.Mix {
		q, err := search.ParseQuery(m.Params, m.SignedIn)
		if err != nil {
			t.Fatalf("query %d (%v): %v", i, m.Params, err)
		}
		res, err := idx.Search(obvious.Request(q))
		if err != nil {
			t.Fatalf("query %d (%v): %v", i, m.Params, err)
		}
		hits += int(res.Total)
	}
	if hits == 0 {
		t.Fatal("the obvious plan found nothing for the whole mix")
	}
}
