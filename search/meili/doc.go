// Package meili is the search engine on Meilisearch, for production: it
// satisfies search.Engine with the same meaning as the embedded engine and
// passes the same contract suite when MEILI_URL is set.
//
// The index's settings are kept in code (Settings) and applied by Open.
// Every filter is built from the typed query with its values quoted and
// escaped (Filter), so no user text reaches Meilisearch as an expression;
// the words are sent folded and without stop words, as the embedded engine
// searches them. Documents are written in batches and each write waits for
// its task, within a deadline. Meilisearch's errors and outages become
// marketplace errors: unreachable, slow, 5xx, missing index or a bad key is
// EUNAVAILABLE; anything else is an internal error carrying Meilisearch's
// message, code, type and link. Rebuild fills a fresh index and swaps it in
// with swap-indexes.
//
// It imports the domain and the search model; never the other engine
// (search/bleve), a store or the queue.
package meili
