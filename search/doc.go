// Package search is the typed search model of the marketplace and the
// contract its engines satisfy.
//
// A buyer's request becomes a Query (ParseQuery checks the API parameters
// and names each bad one); listings become Documents (NewDocument, and
// Visible says which belong in the index at all); an Engine answers a Query
// with a Result of hits, facet counts and the cursor of the next page.
//
// Places are postcode-area centroids, so "near P within N km" is a set of
// areas: a listing matches when its area is one of the areas within N km of
// P, when it is an offer whose own radius reaches P's area (its document
// carries the areas it reaches), or, when asked, when it is UK-wide or
// remote. Engines therefore answer distance with term filters, never with a
// geo-distance query.
//
// The engines live in sub-packages: search/bleve (embedded, on disk) and
// search/meili (Meilisearch). search/searchtest is the contract suite both
// must pass. What both engines share lives here, engine-neutral: the
// terms of a query (Terms, which folds text and drops stop words as the
// domain's marketplace.Fold and marketplace.IsStopWord say, the same for
// matching) and the log of writes made during a rebuild (RebuildLog). This package imports the domain and neither an
// engine nor an engine's library: saved searches stem with the Porter
// stemmer, a library of its own that Bleve's English analyser uses too.
package search
