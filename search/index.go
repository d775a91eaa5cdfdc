package search

import (
	"context"
	"iter"

	"cooptrade/marketplace"
)

var _ marketplace.SearchIndex = Index{}

// Index lets the marketplace's use cases keep an Engine's index: it turns
// listings and their members into Documents.
type Index struct {
	Engine Engine
}

// IndexListings implements marketplace.SearchIndex.
func (ix Index) IndexListings(ctx context.Context, entries []marketplace.IndexEntry) error {
	docs := make([]Document, 0, len(entries))
	for _, e := range entries {
		docs = append(docs, NewDocument(e.Listing, e.Member))
	}
	return ix.Engine.Upsert(ctx, docs)
}

// RemoveListings implements marketplace.SearchIndex.
func (ix Index) RemoveListings(ctx context.Context, ids []string) error {
	return ix.Engine.Delete(ctx, ids)
}

// RebuildIndex builds a fresh index from the batches of listings (only the
// visible ones are given) and swaps it in, as Engine.Rebuild does.
func (ix Index) RebuildIndex(ctx context.Context, batches iter.Seq2[[]marketplace.IndexEntry, error]) error {
	return ix.Engine.Rebuild(ctx, func(yield func([]Document, error) bool) {
		for entries, err := range batches {
			if err != nil {
				yield(nil, err)
				return
			}
			docs := make([]Document, 0, len(entries))
			for _, e := range entries {
				docs = append(docs, NewDocument(e.Listing, e.Member))
			}
			if !yield(docs, nil) {
				return
			}
		}
	})
}
