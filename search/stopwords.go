package search

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

// stopWords are the words Terms drops: StopWords and EnglishStopWords.
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
