package searchtest_test

import (
	"testing"

	"cooptrade/search/searchtest"
)

// The contract's corpus must be what the service could hold: every member
// and listing valid.
func TestCorpus(t *testing.T) {
	members, listings := searchtest.Corpus()
	for _, m := range members {
		m.Normalize()
		if err := m.Validate(); err != nil {
			t.Errorf("member %s: %v", m.ID, err)
		}
	}
	for _, l := range listings {
		l.Normalize()
		if err := l.Validate(searchtest.Now); err != nil {
			t.Errorf("listing %s: %v", l.ID, err)
		}
	}
	if got, want := len(searchtest.Documents()), 12; got != want {
		t.Errorf("visible documents: got %d, want %d", got, want)
	}
}
