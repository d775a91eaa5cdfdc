package mongo_test

import (
	"context"
	"testing"
	"time"

	"cooptrade/marketplace"
	"cooptrade/marketplace/mongo/mongotest"
)

// TestWalkDealsKept: the staff's figures walk the deals; a second walk
// soon after reads the walk kept (a deal stored behind the store's back is
// not seen), and a deal written through the store is seen at once.
func TestWalkDealsKept(t *testing.T) {
	ctx := context.Background()
	db, stores := mongotest.NewStores(t)
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	deal := func(what string) *marketplace.Deal {
		return &marketplace.Deal{Origin: marketplace.OriginSearch, SupplierMemberID: "m1", SupplierName: "Printers", BuyerName: "Ann",
			ValuePence: 100, Date: "2026-11-20", What: what, ReportedBy: marketplace.SideBuyer, Status: marketplace.DealReported,
			Version: 1, CreatedAt: now, UpdatedAt: now}
	}
	walk := func() map[string]marketplace.DealStatus {
		t.Helper()
		seen := map[string]marketplace.DealStatus{}
		if err := stores.Deals.WalkDeals(ctx, func(d *marketplace.Deal) error {
			seen[d.What] = d.Status
			d.What = "changed by the reader" // a copy: the kept walk stays as read
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return seen
	}
	first := deal("first")
	if err := stores.Deals.CreateDeal(ctx, first); err != nil {
		t.Fatal(err)
	}
	if got := walk(); len(got) != 1 || got["first"] != marketplace.DealReported {
		t.Fatalf("the first walk: %v", got)
	}
	// Stored behind the store's back: the walk kept does not see it.
	if _, err := db.Database.Collection("deals").InsertOne(ctx, map[string]any{"_id": "behind", "what": "behind", "status": "confirmed", "schema": 2}); err != nil {
		t.Fatal(err)
	}
	if got := walk(); len(got) != 1 || got["first"] != marketplace.DealReported {
		t.Fatalf("the walk kept: %v", got)
	}
	// Written through the store: seen at once, the other too.
	first.Status, first.Version = marketplace.DealConfirmed, 2
	if err := stores.Deals.UpdateDeal(ctx, first); err != nil {
		t.Fatal(err)
	}
	if got := walk(); len(got) != 2 || got["first"] != marketplace.DealConfirmed || got["behind"] != marketplace.DealConfirmed {
		t.Fatalf("the walk after a write: %v", got)
	}
	if err := stores.Deals.CreateDeal(ctx, deal("second")); err != nil {
		t.Fatal(err)
	}
	if got := walk(); len(got) != 3 {
		t.Fatalf("the walk after a new deal: %v", got)
	}
}
