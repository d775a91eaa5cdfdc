package marketplace

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Text is read the same way by search, saved searches and matching: folded
// (Fold) and without the common English words that say nothing about a
// listing (IsStopWord).

// Fold normalises text for matching, the same way for documents and
// queries: lower case, accents removed ("café" is "cafe"), and hyphens and
// apostrophes inside words removed, so that "Co-operative" and
// "cooperative", or "workers'" and "workers", are one word. Every other
// character that is not a letter or digit becomes a space.
func Fold(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	var prev rune // last rune written, 0 after a space
	rs := []rune(norm.NFKD.String(s))
	for i, r := range rs {
		switch {
		case unicode.Is(unicode.Mn, r):
			// accents fall away
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(unicode.ToLower(r))
			prev = r
		case IsWordJoiner(r) && prev != 0 && i+1 < len(rs) && (unicode.IsLetter(rs[i+1]) || unicode.IsDigit(rs[i+1])):
			// "co-op", "don't": the word goes on
		default:
			if prev != 0 {
				b.WriteByte(' ')
			}
			prev = 0
		}
	}
	return strings.TrimRight(b.String(), " ")
}

// IsWordJoiner reports whether r joins the parts of one word (a hyphen or
// an apostrophe: "co-op", "don't") rather than parting two words.
func IsWordJoiner(r rune) bool {
	switch r {
	case '-', '\'', '\u2010', '\u2011', '\u2019', '\u00ad':
		return true
	}
	return false
}

// StopWords are the common English words queries drop: they match almost
// every listing and say nothing about it. Engines are configured with the
// same list.
var StopWords = []string{
	"a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "in",
	"into", "is", "it", "of", "on", "or", "our", "the", "to", "we", "with",
}

// EnglishStopWords is the Snowball English stop list, folded ("i'm" is
// "im"): the words the embedded engine's English analyser drops from its
// stemmed fields ("about", "up", "all"…). Terms drops them too, so that
// every engine, and saved searches, treat them alike. A test of the
// embedded engine (search/bleve) checks that it is the list its analyser
// uses, so that the two cannot drift apart.
var EnglishStopWords = []string{
	"i", "me", "my", "myself", "we", "our", "ours", "ourselves", "you", "your",
	"yours", "yourself", "yourselves", "he", "him", "his", "himself", "she",
	"her", "hers", "herself", "it", "its", "itself", "they", "them", "their",
	"theirs", "themselves", "what", "which", "who", "whom", "this", "that",
	"these", "those", "am", "is", "are", "was", "were", "be", "been", "being",
	"have", "has", "had", "having", "do", "does", "did", "doing", "would",
	"should", "could", "ought", "im", "youre", "hes", "shes", "theyre", "ive",
	"youve", "weve", "theyve", "id", "youd", "hed", "shed", "wed", "theyd",
	"ill", "youll", "hell", "shell", "well", "theyll", "isnt", "arent", "wasnt",
	"werent", "hasnt", "havent", "hadnt", "doesnt", "dont", "didnt", "wont",
	"wouldnt", "shant", "shouldnt", "cant", "cannot", "couldnt", "mustnt",
	"lets", "thats", "whos", "whats", "heres", "theres", "whens", "wheres",
	"whys", "hows", "a", "an", "the", "and", "but", "if", "or", "because", "as",
	"until", "while", "of", "at", "by", "for", "with", "about", "against",
	"between", "into", "through", "during", "before", "after", "above", "below",
	"to", "from", "up", "down", "in", "out", "on", "off", "over", "under",
	"again", "further", "then", "once", "here", "there", "when", "where", "why",
	"how", "all", "any", "both", "each", "few", "more", "most", "other", "some",
	"such", "no", "nor", "not", "only", "own", "same", "so", "than", "too",
	"very",
}

// stopWords are StopWords and EnglishStopWords.
var stopWords = func() map[string]bool {
	m := make(map[string]bool, len(StopWords)+len(EnglishStopWords))
	for _, w := range StopWords {
		m[w] = true
	}
	for _, w := range EnglishStopWords {
		m[w] = true
	}
	return m
}()

// IsStopWord reports whether a folded word is a common English word that
// says nothing about a listing.
func IsStopWord(w string) bool { return stopWords[w] }
