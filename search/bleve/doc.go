// Package bleve is the embedded search engine: a Bleve index on disk under
// a directory of the caller's choosing, for a marketplace that runs on one
// machine. It satisfies search.Engine with the same meaning as the
// Meilisearch adapter, and passes the same contract suite
// (search/searchtest).
//
// The query plan follows what was measured on a small machine:
//
//   - Words match stemmed copies of the title and of the rest of the text
//     (description, tags, category, member and area names), with the title
//     boosted; typos are forgiven on unstemmed copies (fuzziness 1, for
//     words of four letters or more, and only for words the index does not
//     hold as they are); the last word also matches as a prefix.
//   - Bleve answers only the words, unscored unless the order needs the
//     score. Everything else is read from a table in memory, one row per
//     document, which the index links to by a single doc value per
//     document, read once per segment into an array (rows.go): filters
//     (kind, category, tags, values, member kind, size, region, nation,
//     price, and "near" as two reads of numbers worked out once per place
//     for every postcode district: the distance from the place, for
//     suppliers based within the radius, and to the place's nearest
//     district, for offers whose own radius reaches it; UK-wide listings
//     when asked), facet counts over every hit, and the sort, which keeps
//     only the best offset+limit hits. A query without words never asks
//     Bleve for hits at all. Only the page's hits load their stored
//     document.
//   - Rebuild writes a fresh index beside the current one (two batches at
//     a time), merges it into one segment, and swaps it in; writes made
//     meanwhile are applied to it before the swap.
//
// It imports the domain and the search model; never the other engine
// (search/meili), a store or the queue.
package bleve
