package app

import (
	"context"

	"cooptrade/marketplace/load"
	"cooptrade/mongodb"
	"cooptrade/search"
)

// OpenBulk opens the database and the search engine for a bulk command
// (reindex, seed, import). The embedded search index belongs to one
// process: while `marketplace serve` holds it, opening fails within
// seconds, saying so.
func (m *Main) OpenBulk(ctx context.Context) error {
	if err := m.OpenStorage(ctx); err != nil {
		return err
	}
	return m.OpenSearch(ctx)
}

// Loader returns the bulk loader on the application's stores and search
// index (once OpenStorage, and OpenSearch unless only checking), telling p
// how far it has got.
func (m *Main) Loader(p load.Progress) *load.Loader {
	ld := &load.Loader{
		Members: m.Stores.Members, Listings: m.Stores.Listings, Matches: m.Stores.Matches,
		Index: search.Index{Engine: m.measuredSearch()}, Shared: m.Config.MeiliURL != "",
		Progress: p, Now: m.Knobs.Now, NewID: mongodb.NewID,
	}
	if m.Config.RedisURL != "" && m.Config.MeiliURL != "" {
		// Workers may be running beside: their candidate pool hears of
		// what is matched here.
		ld.Pool = m.Service.Pool
	}
	return ld
}
