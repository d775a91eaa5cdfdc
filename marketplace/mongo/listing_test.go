package mongo_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"cooptrade/marketplace"
	"cooptrade/marketplace/mongo"
	"cooptrade/marketplace/mongo/mongotest"
)

func newListing(memberID, title string, now time.Time) *marketplace.Listing {
	l := &marketplace.Listing{
		MemberID: memberID, Kind: marketplace.KindNeed, Title: title,
		Description: "Two-colour, A5, 130gsm silk, delivered to our office.",
		Category:    "print-runs", Tags: []string{"leaflets"}, Postcode: "LS6 1AA",
		PriceMinPence: 40000, PriceMaxPence: 60000, PriceUnit: "job",
		Status: marketplace.StatusDraft, Version: 1, CreatedAt: now, UpdatedAt: now,
	}
	l.Normalize()
	return l
}

func TestListingStore(t *testing.T) {
	ctx := context.Background()
	db := mongotest.NewDB(t)
	store := mongo.NewListingStore(db)
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	member := "65a1b2c3d4e5f60718293a4b"

	l := newListing(member, "5,000 leaflets for a tenants' union", now)
	if err := store.CreateListing(ctx, l); err != nil {
		t.Fatal(err)
	}

	t.Run("OK", func(t *testing.T) {
		got, err := store.FindListingByID(ctx, l.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := *l
		if diff := cmp.Diff(&want, got); diff != "" {
			t.Fatalf("round trip (-want +got):\n%s", diff)
		}
	})

	t.Run("ErrNotFound", func(t *testing.T) {
		for _, id := range []string{"65a1b2c3d4e5f60718293a4c", "nonsense", `{"$gt":""}`, ""} {
			if _, err := store.FindListingByID(ctx, id); marketplace.ErrorCode(err) != marketplace.ENOTFOUND {
				t.Errorf("FindListingByID(%q) = %v; want not_found", id, err)
			}
		}
	})

	t.Run("UpdateStale", func(t *testing.T) {
		fresh, _ := store.FindListingByID(ctx, l.ID)
		fresh.Title = "6,000 leaflets for a tenants' union"
		if err := store.UpdateListing(ctx, fresh, fresh.Version); err != nil {
			t.Fatal(err)
		}
		if fresh.Version != 2 {
			t.Fatalf("version after update = %d; want 2", fresh.Version)
		}
		stale := *fresh
		stale.Title = "lost update"
		if err := store.UpdateListing(ctx, &stale, 1); marketplace.ErrorCode(err) != marketplace.EPRECONDITION {
			t.Fatalf("update with stale version = %v; want precondition_failed", err)
		}
		got, _ := store.FindListingByID(ctx, l.ID)
		if got.Title != "6,000 leaflets for a tenants' union" || got.Version != 2 {
			t.Fatalf("after stale update: title %q version %d", got.Title, got.Version)
		}
	})

	t.Run("ExactlyOneConcurrentWriterWins", func(t *testing.T) {
		base, _ := store.FindListingByID(ctx, l.ID)
		const writers = 8
		var wg sync.WaitGroup
		errs := make([]error, writers)
		for i := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				mine := *base
				mine.Title = "Writer " + string(rune('A'+i)) + " wins the race"
				errs[i] = store.UpdateListing(ctx, &mine, base.Version)
			}()
		}
		wg.Wait()
		won := 0
		for _, err := range errs {
			switch marketplace.ErrorCode(err) {
			case "":
				won++
			case marketplace.EPRECONDITION:
			default:
				t.Errorf("writer error: %v", err)
			}
		}
		if won != 1 {
			t.Fatalf("%d writers won; want exactly 1", won)
		}
		got, _ := store.FindListingByID(ctx, l.ID)
		if got.Version != base.Version+1 {
			t.Fatalf("version = %d; want %d", got.Version, base.Version+1)
		}
	})

	t.Run("Markers", func(t *testing.T) {
		cur, _ := store.FindListingByID(ctx, l.ID)
		behind, err := store.FindListingsBehind(ctx, now.Add(time.Hour), 10)
		if err != nil {
			t.Fatal(err)
		}
		want := []marketplace.ListingRef{{ID: l.ID, Version: cur.Version, NeedsIndex: true, NeedsMatches: true}}
		if diff := cmp.Diff(want, behind); diff != "" {
			t.Fatalf("behind (-want +got):\n%s", diff)
		}
		// A marker for an older version changes nothing.
		if err := store.MarkListingIndexed(ctx, l.ID, cur.Version-1); err != nil {
			t.Fatal(err)
		}
		if err := store.MarkListingIndexed(ctx, l.ID, cur.Version); err != nil {
			t.Fatal(err)
		}
		behind, _ = store.FindListingsBehind(ctx, now.Add(time.Hour), 10)
		want[0].NeedsIndex = false
		if diff := cmp.Diff(want, behind); diff != "" {
			t.Fatalf("behind after indexing (-want +got):\n%s", diff)
		}
		if err := store.MarkListingMatched(ctx, l.ID, cur.Version); err != nil {
			t.Fatal(err)
		}
		behind, _ = store.FindListingsBehind(ctx, now.Add(time.Hour), 10)
		if len(behind) != 0 {
			t.Fatalf("behind after matching = %v; want none", behind)
		}
		got, _ := store.FindListingByID(ctx, l.ID)
		if got.IndexedVersion != cur.Version || got.MatchedVersion != cur.Version {
			t.Fatalf("markers = %d/%d; want %d", got.IndexedVersion, got.MatchedVersion, cur.Version)
		}
		// A new version is behind again, and the old markers stay.
		got.Title = "Leaflets again"
		if err := store.UpdateListing(ctx, got, got.Version); err != nil {
			t.Fatal(err)
		}
		behind, _ = store.FindListingsBehind(ctx, now.Add(time.Hour), 10)
		if len(behind) != 1 || behind[0].Version != cur.Version+1 {
			t.Fatalf("behind after a new version = %v", behind)
		}
	})

	t.Run("FindListingsPages", func(t *testing.T) {
		other := "65a1b2c3d4e5f60718293a4d"
		var ids []string
		for i := range 5 {
			x := newListing(other, "Listing number "+string(rune('1'+i)), now)
			if i%2 == 0 {
				x.Status = marketplace.StatusPublished
			}
			if err := store.CreateListing(ctx, x); err != nil {
				t.Fatal(err)
			}
			ids = append([]string{x.ID}, ids...) // newest first
		}
		var got []string
		cursor := ""
		for range 10 {
			page, next, err := store.FindListings(ctx, marketplace.ListingFilter{MemberID: other, Cursor: cursor, Limit: 2})
			if err != nil {
				t.Fatal(err)
			}
			for _, x := range page {
				got = append(got, x.ID)
			}
			if next == "" {
				break
			}
			cursor = next
		}
		if diff := cmp.Diff(ids, got); diff != "" {
			t.Fatalf("pages (-want +got):\n%s", diff)
		}
		published, _, err := store.FindListings(ctx, marketplace.ListingFilter{MemberID: other,
			Statuses: []marketplace.ListingStatus{marketplace.StatusPublished}, Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		if len(published) != 3 {
			t.Fatalf("published = %d; want 3", len(published))
		}
		if _, _, err := store.FindListings(ctx, marketplace.ListingFilter{Cursor: "zzz", Limit: 2}); marketplace.ErrorCode(err) != marketplace.EINVALID {
			t.Fatalf("bad cursor = %v; want invalid", err)
		}
	})
}
