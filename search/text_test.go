package search_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"cooptrade/search"
)

func TestWordMatches(t *testing.T) {
	for _, tc := range []struct {
		word, term string
		prefix     bool
		want       bool
	}{
		{"printing", "printing", false, true},
		{"printing", "prnting", false, true},  // one deletion
		{"printing", "priting", false, true},  // one deletion
		{"printing", "pritning", false, true}, // two letters swapped
		{"printing", "prnitng", false, false}, // two edits
		{"leaflets", "leaf", true, true},      // prefix of the last word
		{"leaflets", "leaflet", false, true},  // a plural or -ing form
		{"leaflets", "leaf", false, false},    // not a plural: only as a prefix
		{"leaflets", "lea", false, false},     // too short to be a stem
		{"cat", "bat", false, false},          // short words match exactly
		{"posters", "pos", true, true},        // three letters make a prefix
		{"posters", "po", true, false},        // two do not
	} {
		if got := search.WordMatches(tc.word, tc.term, tc.prefix); got != tc.want {
			t.Errorf("WordMatches(%q, %q, %v): got %v, want %v", tc.word, tc.term, tc.prefix, got, tc.want)
		}
	}
}

func TestHighlight(t *testing.T) {
	got := search.Highlight("Risograph printing of zines, short runs. Printing on recycled paper.", []string{"prnting", "zine"})
	if diff := cmp.Diff([]string{"printing", "zines"}, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	got = search.Highlight("Workers' Co-operative", []string{"cooperative"})
	if diff := cmp.Diff([]string{"Co-operative"}, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if got := search.Highlight("anything", nil); got != nil {
		t.Errorf("no terms: got %q", got)
	}
}

func TestSnippet(t *testing.T) {
	text := "We are a workers' co-operative of twelve members in Leeds. Most of our work is for unions and charities. " +
		"We print leaflets, posters and booklets on recycled paper, with vegetable inks, and deliver by cargo bike."
	for _, tc := range []struct {
		terms []string
		n     int
		want  string
	}{
		{nil, 1000, text},
		{nil, 40, "We are a workers' co-operative of twelve…"},
		{[]string{"leaflets"}, 60, "…We print leaflets, posters and booklets on recycled…"},
		{[]string{"cargo"}, 40, "…inks, and deliver by cargo bike."},
	} {
		if got := search.Snippet(text, tc.terms, tc.n); got != tc.want {
			t.Errorf("Snippet(%v, %d):\ngot  %q\nwant %q", tc.terms, tc.n, got, tc.want)
		}
	}
}

func TestTerms(t *testing.T) {
	for in, want := range map[string][]string{
		"Printing for the Tenants' Union, printing": {"printing", "tenants", "union"},
		"a an the of": nil,
		"one two three four five six seven eight nine ten eleven twelve": {"one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"},
	} {
		if diff := cmp.Diff(want, search.Terms(in)); diff != "" {
			t.Errorf("Terms(%q) (-want +got):\n%s", in, diff)
		}
	}
}
