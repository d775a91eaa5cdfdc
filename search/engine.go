package search

import (
	"context"
	"iter"
)

// Engine keeps the search index of visible listings and answers queries.
// Every method returns marketplace errors: EUNAVAILABLE when the engine
// cannot be reached or does not answer in time, EINVALID for a query the
// engine cannot run; any other failure is wrapped with the engine's name.
type Engine interface {
	// Upsert adds the documents to the index or replaces those with the
	// same IDs. Documents must be visible (see Visible); callers Delete the
	// rest.
	Upsert(ctx context.Context, docs []Document) error
	// Delete removes the documents with the given IDs. Unknown IDs are not
	// an error.
	Delete(ctx context.Context, ids []string) error
	// Search answers q. It returns EINVALID for a query that fails
	// Query.Validate.
	Search(ctx context.Context, q Query) (*Result, error)
	// Rebuild builds a fresh index from the batches and then swaps it in
	// place of the current one, so that searches never see a half-built
	// index. Writes made while it runs are kept. If a batch yields an
	// error, Rebuild stops, keeps the current index and returns the error.
	Rebuild(ctx context.Context, batches iter.Seq2[[]Document, error]) error
	// Ping reports whether the engine answers; EUNAVAILABLE when not.
	Ping(ctx context.Context) error
	// Close releases the engine's resources.
	Close() error
}
