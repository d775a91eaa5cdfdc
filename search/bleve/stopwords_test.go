package bleve_test

import (
	"cooptrade/marketplace"
	"slices"
	"strings"
	"testing"

	"github.com/blevesearch/bleve/v2/analysis/lang/en"
)

// TestEnglishStopWords: the stop list the search model keeps is, folded,
// the one Bleve's English analyser (of the stemmed fields) drops, so that
// queries and saved searches drop exactly the words the index never holds.
func TestEnglishStopWords(t *testing.T) {
	var analyser []string
	for _, line := range strings.Split(string(en.EnglishStopWords), "\n") {
		word, _, _ := strings.Cut(line, "|") // "|" starts a comment
		if word = strings.TrimSpace(word); word != "" {
			analyser = append(analyser, marketplace.Fold(word))
		}
	}
	analyser = slices.Compact(slices.Sorted(slices.Values(analyser)))
	kept := slices.Compact(slices.Sorted(slices.Values(marketplace.EnglishStopWords)))
	if len(analyser) < 100 {
		t.Fatalf("read %d stop words from Bleve's list; its format has changed", len(analyser))
	}
	for _, w := range analyser {
		if !slices.Contains(kept, w) {
			t.Errorf("%q is a stop word of the analyser, missing from marketplace.EnglishStopWords", w)
		}
	}
	for _, w := range kept {
		if !slices.Contains(analyser, w) {
			t.Errorf("%q is in marketplace.EnglishStopWords, not a stop word of the analyser", w)
		}
	}
}
