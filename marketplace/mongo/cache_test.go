package mongo_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"cooptrade/marketplace"
	"cooptrade/marketplace/mongo/mongotest"
	"cooptrade/mongodb/mongodbtest"
)

// TestCachedReadsAfterWrites: on the embedded database the stores keep
// what they read in memory; a read that follows a write never sees what
// was there before, however reads and writes interleave, and what a read
// returns is the caller's to change.
func TestCachedReadsAfterWrites(t *testing.T) {
	ctx := context.Background()
	db, stores := mongotest.NewStores(t)
	if mongodbtest.Embedded(t) != nil && !db.Cached() {
		t.Fatal("the embedded database's stores do not cache")
	}
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	l := newListing("65a1b2c3d4e5f60718293a4b", "Leaflets", now)
	if err := stores.Listings.CreateListing(ctx, l); err != nil {
		t.Fatal(err)
	}
	var written atomic.Int64
	written.Store(l.Version)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				floor := written.Load()
				got, err := stores.Listings.FindListingByID(ctx, l.ID)
				if err != nil {
					t.Error(err)
					return
				}
				if got.Version < floor {
					t.Errorf("read version %d after version %d was written", got.Version, floor)
					return
				}
				got.Tags = append(got.Tags[:0], "changed by a reader") // the reader's copy
			}
		}()
	}
	for range 60 {
		cur, err := stores.Listings.FindListingByID(ctx, l.ID)
		if err != nil {
			t.Fatal(err)
		}
		if cur.Tags[0] != "leaflets" {
			t.Fatalf("a reader's change reached the store: %v", cur.Tags)
		}
		cur.Title = "Leaflets, again"
		if err := stores.Listings.UpdateListing(ctx, cur, cur.Version); err != nil {
			t.Fatal(err)
		}
		written.Store(cur.Version)
	}
	close(stop)
	wg.Wait()

	m := newMember("Cached Co-op")
	if err := stores.Members.CreateMember(ctx, m); err != nil {
		t.Fatal(err)
	}
	if _, err := stores.Members.FindMemberByID(ctx, m.ID); err != nil {
		t.Fatal(err)
	}
	m.Standing = marketplace.StandingLapsed
	if err := stores.Members.UpdateMember(ctx, m, m.Version); err != nil {
		t.Fatal(err)
	}
	byIDs, err := stores.Members.FindMembersByIDs(ctx, []string{m.ID})
	if err != nil || byIDs[m.ID].Standing != marketplace.StandingLapsed {
		t.Fatalf("after the standing changed: %+v %v", byIDs[m.ID], err)
	}
}
