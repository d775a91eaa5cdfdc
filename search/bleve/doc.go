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
//   - Filters are unscored term filters (kind, category, tags, values,
//     member kind, price ranges) and "near" is a filter on postcode areas:
//     the areas within the radius, the offers whose reach holds the
//     buyer's area, and UK-wide listings when asked.
//   - Facets and the nearest sort read doc values of the hits; only the
//     page's hits load their stored document.
//   - Rebuild writes a fresh index beside the current one, merges its
//     segments, and swaps it in.
package bleve
