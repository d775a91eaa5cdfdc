package mongo_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"cooptrade/marketplace"
	"cooptrade/marketplace/mongo"
	"cooptrade/marketplace/mongo/mongotest"
	"cooptrade/mongodb"
)

func TestMemberStore_InsertMembers(t *testing.T) {
	ctx := context.Background()
	db := mongotest.NewDB(t)
	store := mongo.NewMemberStore(db)

	given := mongodb.NewID()
	a, b := newMember("Calder Valley Bookkeepers"), newMember("Ouseburn Joinery Co-op")
	a.ID = given
	if err := store.InsertMembers(ctx, []*marketplace.Member{a, b}); err != nil {
		t.Fatal(err)
	}
	t.Run("OK", func(t *testing.T) {
		if a.ID != given || b.ID == "" {
			t.Fatalf("IDs = %q, %q; want %q and a new one", a.ID, b.ID, given)
		}
		for _, want := range []*marketplace.Member{a, b} {
			got, err := store.FindMemberBySlug(ctx, want.Slug)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Fatalf("round trip (-want +got):\n%s", diff)
			}
		}
	})
	t.Run("ErrSlugTaken", func(t *testing.T) {
		dup := newMember("Calder Valley Bookkeepers")
		if err := store.InsertMembers(ctx, []*marketplace.Member{dup}); marketplace.ErrorCode(err) != marketplace.ECONFLICT {
			t.Fatalf("taken slug = %v; want conflict", err)
		}
	})
}

func TestListingStore_Bulk(t *testing.T) {
	ctx := context.Background()
	db := mongotest.NewDB(t)
	store := mongo.NewListingStore(db)
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	member := "65a1b2c3d4e5f60718293a4b"

	fresh := newListing(member, "Leaflets for a food co-op", now)
	indexed := newListing(member, "Menus for a café, already indexed", now)
	indexed.Version, indexed.IndexedVersion = 3, 3
	if err := store.InsertListings(ctx, []*marketplace.Listing{fresh, indexed}); err != nil {
		t.Fatal(err)
	}

	t.Run("InsertKeepsMarkers", func(t *testing.T) {
		behind, err := store.FindListingsBehind(ctx, now.Add(time.Hour), 10)
		if err != nil {
			t.Fatal(err)
		}
		want := []marketplace.ListingRef{
			{ID: fresh.ID, Version: 1, NeedsIndex: true, NeedsMatches: true},
			{ID: indexed.ID, Version: 3, NeedsIndex: false, NeedsMatches: true},
		}
		if diff := cmp.Diff(want, behind); diff != "" {
			t.Fatalf("behind (-want +got):\n%s", diff)
		}
		got, err := store.FindListingByID(ctx, indexed.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.IndexedVersion != 3 || got.MatchedVersion != 0 {
			t.Fatalf("markers = %d/%d; want 3/0", got.IndexedVersion, got.MatchedVersion)
		}
	})

	t.Run("MarkListingsIndexed", func(t *testing.T) {
		// The fresh listing moves on to version 2 after it was read at 1.
		moved := *fresh
		moved.Title = "Leaflets and posters for a food co-op"
		if err := store.UpdateListing(ctx, &moved, 1); err != nil {
			t.Fatal(err)
		}
		other := newListing(member, "Booklets for a housing co-op", now)
		if err := store.CreateListing(ctx, other); err != nil {
			t.Fatal(err)
		}
		err := store.MarkListingsIndexed(ctx, []marketplace.ListingRef{
			{ID: fresh.ID, Version: 1},        // stale: stays behind
			{ID: other.ID, Version: 1},        // marked
			{ID: indexed.ID, Version: 2},      // older than its marker: unchanged
			{ID: "not-an-id", Version: 1},     // ignored
			{ID: mongodb.NewID(), Version: 1}, // unknown: ignored
		})
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]int64{fresh.ID: 0, other.ID: 1, indexed.ID: 3}
		for id, v := range want {
			got, err := store.FindListingByID(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if got.IndexedVersion != v {
				t.Errorf("listing %s: indexed version %d; want %d", id, got.IndexedVersion, v)
			}
		}
		behind, err := store.FindListingsBehind(ctx, now.Add(48*time.Hour), 10)
		if err != nil {
			t.Fatal(err)
		}
		var needIndex []string
		for _, r := range behind {
			if r.NeedsIndex {
				needIndex = append(needIndex, r.ID)
			}
		}
		if diff := cmp.Diff([]string{fresh.ID}, needIndex); diff != "" {
			t.Fatalf("still to index (-want +got):\n%s", diff)
		}
	})
}
