package search

import (
	"context"

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
