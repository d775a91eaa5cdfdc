package search

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"cooptrade/marketplace"
)

// Terms returns the folded words of s that a search looks for: stop words
// dropped, duplicates removed, at most MaxTerms, each at most 40 bytes.
func Terms(s string) []string {
	s = truncateRunes(s, MaxWordsLen)
	var terms []string
	seen := map[string]bool{}
	for _, w := range strings.Fields(marketplace.Fold(s)) {
		if len(w) > 40 {
			w = truncateRunes(w, 40)
		}
		if marketplace.IsStopWord(w) || seen[w] {
			continue
		}
		seen[w] = true
		terms = append(terms, w)
		if len(terms) == MaxTerms {
			break
		}
	}
	return terms
}

// truncateRunes returns at most n runes of s, cut at a rune boundary.
func truncateRunes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i := 0
	for pos := range s {
		if i == n {
			return s[:pos]
		}
		i++
	}
	return s
}

// MinFuzzyLen is the shortest term that matches with one typo. Shorter
// terms must match exactly (or as the prefix of the last word).
const MinFuzzyLen = 4

// MinPrefixLen is the shortest last term that also matches as a prefix.
const MinPrefixLen = 3

// WordMatches reports whether a folded word of a document matches a query
// term: equal, or, for terms of MinFuzzyLen or more, one edit apart, or, for
// the last term (prefix true), starting with it.
func WordMatches(word, term string, prefix bool) bool {
	if word == term {
		return true
	}
	if prefix && len(term) >= MinPrefixLen && strings.HasPrefix(word, term) {
		return true
	}
	if utf8.RuneCountInString(term) >= MinFuzzyLen && withinOneEdit(word, term) {
		return true
	}
	// Stemmed matches: "leaflets" for "leaflet", "printing" for "print".
	return len(term) >= MinFuzzyLen && len(word) > len(term) && strings.HasPrefix(word, term) && len(word)-len(term) <= 3
}

// withinOneEdit reports whether a and b differ by at most one insertion,
// deletion or substitution (or a swap of two neighbours).
func withinOneEdit(a, b string) bool {
	ra, rb := []rune(a), []rune(b)
	if len(ra) < len(rb) {
		ra, rb = rb, ra
	}
	if len(ra)-len(rb) > 1 {
		return false
	}
	i := 0
	for i < len(rb) && ra[i] == rb[i] {
		i++
	}
	if i == len(rb) {
		return true
	}
	if len(ra) == len(rb) {
		if string(ra[i+1:]) == string(rb[i+1:]) {
			return true
		}
		return i+1 < len(ra) && ra[i] == rb[i+1] && ra[i+1] == rb[i] && string(ra[i+2:]) == string(rb[i+2:])
	}
	return string(ra[i+1:]) == string(rb[i:])
}

// Highlight returns the words of text (as written there) that match the
// terms, each once, in the order they appear.
func Highlight(text string, terms []string) []string {
	if len(terms) == 0 {
		return nil
	}
	var out []string
	seen := map[string]bool{}
	for _, w := range splitWords(text) {
		f := marketplace.Fold(w)
		if f == "" || seen[f] {
			continue
		}
		for i, t := range terms {
			if WordMatches(f, t, i == len(terms)-1) {
				seen[f] = true
				out = append(out, w)
				break
			}
		}
	}
	return out
}

// splitWords splits text into words as written, keeping hyphens and
// apostrophes inside words.
func splitWords(text string) []string {
	return strings.FieldsFunc(text, func(r rune) bool {
		return !(unicode.IsLetter(r) || unicode.IsDigit(r) || marketplace.IsWordJoiner(r) || unicode.Is(unicode.Mn, r))
	})
}

// Snippet returns about n runes of text around the first word that matches
// the terms (or its beginning), on word boundaries, with "…" where it was
// cut.
func Snippet(text string, terms []string, n int) string {
	text = strings.Join(strings.Fields(text), " ")
	rs := []rune(text)
	if len(rs) <= n {
		return text
	}
	start := 0
	if len(terms) > 0 {
		pos := 0
		for _, w := range strings.SplitAfter(text, " ") {
			f := marketplace.Fold(w)
			hit := false
			for i, t := range terms {
				for _, fw := range strings.Fields(f) {
					if WordMatches(fw, t, i == len(terms)-1) {
						hit = true
					}
				}
			}
			if hit {
				start = max(0, pos-n/4)
				break
			}
			pos += utf8.RuneCountInString(w)
		}
	}
	end := min(len(rs), start+n)
	if end == len(rs) {
		start = max(0, end-n)
	}
	for start > 0 && rs[start-1] != ' ' {
		start++
	}
	for end < len(rs) && end > start && rs[end] != ' ' {
		end--
	}
	out := strings.TrimSpace(string(rs[start:end]))
	if start > 0 {
		out = "…" + out
	}
	if end < len(rs) {
		out += "…"
	}
	return out
}
