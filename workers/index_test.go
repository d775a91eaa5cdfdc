package workers_test

import (
	"context"
	"testing"

	"cooptrade/marketplace"
	"cooptrade/search"
)

// interleaved is the real search index with a pause before its first write,
// in which the test runs what happens meanwhile: the interleaving of two
// jobs that the soak met by chance, made to happen every time.
type interleaved struct {
	search.Index
	meanwhile func()
}

func (x *interleaved) IndexListings(ctx context.Context, entries []marketplace.IndexEntry) error {
	if f := x.meanwhile; f != nil {
		x.meanwhile = nil
		f()
	}
	return x.Index.IndexListings(ctx, entries)
}

// TestIndexingAStaleReadIsMadeGood has one index job read a visible
// listing; before it writes, the listing is paused and the paused
// version's job removes it and records it indexed; then the first job
// writes what it read. The listing must end out of the index (found by the
// soak: the index held listings paused long ago, and lacked others, while
// the outbox said they were indexed).
func TestIndexingAStaleReadIsMadeGood(t *testing.T) {
	me := setupMatching(t)
	ctx := context.Background()
	_, owner := me.member(t, "Racing Printers", "LS9 8AB")
	l := me.publish(t, owner, leafletOffer("LS9 8AB", 50))

	slow := &interleaved{Index: search.Index{Engine: me.app.Search}}
	stale, err := marketplace.NewIndexer(me.app.Stores.Domain(), slow, me.queue)
	if err != nil {
		t.Fatal(err)
	}
	var paused *marketplace.Listing
	slow.meanwhile = func() {
		if paused, err = me.service.PauseListing(owner, l.ID, 0); err != nil {
			t.Error(err)
			return
		}
		if err := me.indexer.IndexListing(ctx, l.ID, paused.Version); err != nil {
			t.Error(err)
		}
	}
	if err := stale.IndexListing(ctx, l.ID, l.Version); err != nil {
		t.Fatal(err)
	}
	if paused == nil {
		t.Fatal("the first job never wrote to the index: the interleaving did not happen")
	}

	got, err := me.listings.FindListingByID(ctx, l.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.IndexedVersion != got.Version {
		t.Fatalf("recorded as indexed at v%d; the listing is at v%d", got.IndexedVersion, got.Version)
	}
	docs, err := me.app.Search.(interface {
		Documents(context.Context) ([]search.Document, error)
	}).Documents(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range docs {
		if d.ID == l.ID {
			t.Fatalf("the paused listing is in the index (v%d), recorded as indexed at its paused version", d.Version)
		}
	}
}
