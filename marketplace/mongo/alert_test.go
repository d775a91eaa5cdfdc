package mongo_test

import (
	"context"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"cooptrade/marketplace"
	"cooptrade/marketplace/mongo"
	"cooptrade/marketplace/mongo/mongotest"
)

func newAlert(userID, query string, f marketplace.AlertFrequency, at time.Time) *marketplace.Alert {
	return &marketplace.Alert{UserID: userID, MemberID: "6650b3a8c1a9e43d2f0a1b01", Name: "Leaflets near Leeds",
		Query: query, Frequency: f, Version: 1, CreatedAt: at, UpdatedAt: at}
}

func TestAlertStore(t *testing.T) {
	ctx := context.Background()
	db := mongotest.NewDB(t)
	store := mongo.NewAlertStore(db)
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)

	gen0, err := store.AlertGeneration(ctx)
	if err != nil {
		t.Fatal(err)
	}
	first := newAlert("u1", "q=leaflets&kind=need", marketplace.AlertDaily, now)
	second := newAlert("u1", "q=riso", marketplace.AlertInstant, now.Add(time.Minute))
	other := newAlert("u2", "q=catering", marketplace.AlertWeekly, now)
	for _, a := range []*marketplace.Alert{first, second, other} {
		if err := store.CreateAlert(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	gen1, err := store.AlertGeneration(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if gen1 == gen0 {
		t.Fatal("creating alerts left the generation as it was")
	}

	t.Run("Find", func(t *testing.T) {
		got, err := store.FindAlertByID(ctx, first.ID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(first, got); diff != "" {
			t.Fatalf("by id (-want +got):\n%s", diff)
		}
		mine, err := store.FindAlertsByUser(ctx, "u1")
		if err != nil {
			t.Fatal(err)
		}
		if len(mine) != 2 || mine[0].ID != second.ID || mine[1].ID != first.ID {
			t.Fatalf("alerts of u1: %+v; want the second, then the first", mine)
		}
		var all []string
		if err := store.WalkAlerts(ctx, func(a *marketplace.Alert) error {
			all = append(all, a.ID)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if len(all) != 3 {
			t.Fatalf("walked %d alerts; want 3", len(all))
		}
		for _, id := range []string{"0123456789abcdef01234567", "not-an-id"} {
			if _, err := store.FindAlertByID(ctx, id); marketplace.ErrorCode(err) != marketplace.ENOTFOUND {
				t.Errorf("FindAlertByID(%q) = %v; want not found", id, err)
			}
		}
	})

	t.Run("Update", func(t *testing.T) {
		a, _ := store.FindAlertByID(ctx, first.ID)
		a.Paused, a.Frequency = true, marketplace.AlertWeekly
		if err := store.UpdateAlert(ctx, a, 1); err != nil {
			t.Fatal(err)
		}
		if a.Version != 2 {
			t.Fatalf("version after update %d; want 2", a.Version)
		}
		got, _ := store.FindAlertByID(ctx, first.ID)
		if !got.Paused || got.Frequency != marketplace.AlertWeekly || got.Version != 2 {
			t.Fatalf("after update: %+v", got)
		}
		if gen, _ := store.AlertGeneration(ctx); gen == gen1 {
			t.Fatal("updating an alert left the generation as it was")
		}
		if err := store.UpdateAlert(ctx, a, 1); marketplace.ErrorCode(err) != marketplace.EPRECONDITION {
			t.Fatalf("a stale version: %v; want precondition failed", err)
		}
		gone := *a
		gone.ID = "0123456789abcdef01234567"
		if err := store.UpdateAlert(ctx, &gone, 2); marketplace.ErrorCode(err) != marketplace.ENOTFOUND {
			t.Fatalf("an unknown alert: %v; want not found", err)
		}
	})

	t.Run("Hits", func(t *testing.T) {
		hit := func(alertID, listingID string, at time.Time) *marketplace.AlertHit {
			return &marketplace.AlertHit{AlertID: alertID, ListingID: listingID, UserID: "u1", Kind: marketplace.KindNeed,
				Title: "Leaflets " + listingID, MemberName: "Chapeltown Kitchen", Area: "LS", PriceMinPence: 40000,
				PriceMaxPence: 60000, PriceUnit: "job", PublishedAt: at, CreatedAt: at}
		}
		h1 := hit(first.ID, "l1", now)
		for i, want := range []bool{true, false} {
			stored, err := store.CreateAlertHit(ctx, h1)
			if err != nil {
				t.Fatal(err)
			}
			if stored != want {
				t.Fatalf("storing the hit, time %d: stored %v; want %v", i+1, stored, want)
			}
		}
		// The same listing for another alert is another hit.
		if stored, err := store.CreateAlertHit(ctx, hit(other.ID, "l1", now)); err != nil || !stored {
			t.Fatalf("the listing's hit for another alert: %v, %v", stored, err)
		}
		late := hit(first.ID, "l2", now.Add(2*time.Hour))
		if _, err := store.CreateAlertHit(ctx, late); err != nil {
			t.Fatal(err)
		}
		pending := func(before time.Time, digests ...string) []string {
			t.Helper()
			hs, err := store.FindAlertHits(ctx, marketplace.AlertHitFilter{AlertIDs: []string{first.ID}, Digests: digests, Before: before})
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, h := range hs {
				ids = append(ids, h.ListingID+":"+h.Digest)
			}
			sort.Strings(ids)
			return ids
		}
		if diff := cmp.Diff([]string{"l1:"}, pending(now.Add(time.Hour), "")); diff != "" {
			t.Fatalf("hits before an hour later (-want +got):\n%s", diff)
		}
		got, err := store.FindAlertHits(ctx, marketplace.AlertHitFilter{AlertIDs: []string{first.ID}, Digests: []string{""}, Before: now.Add(time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]*marketplace.AlertHit{h1}, got); diff != "" {
			t.Fatalf("a hit as stored (-want +got):\n%s", diff)
		}
		ids := []string{marketplace.AlertHitID(first.ID, "l1"), marketplace.AlertHitID(first.ID, "l2")}
		if err := store.MarkAlertHits(ctx, ids[:1], "day:2026-11-27"); err != nil {
			t.Fatal(err)
		}
		// A hit already in a digest keeps it.
		if err := store.MarkAlertHits(ctx, ids, "day:2026-11-28"); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]string{"l1:day:2026-11-27", "l2:day:2026-11-28"}, pending(time.Time{})); diff != "" {
			t.Fatalf("hits after marking (-want +got):\n%s", diff)
		}
		if got := pending(time.Time{}, ""); len(got) != 0 {
			t.Fatalf("hits still pending: %v", got)
		}
		none, err := store.FindAlertHits(ctx, marketplace.AlertHitFilter{})
		if err != nil || len(none) != 0 {
			t.Fatalf("hits of no alert: %v, %v", none, err)
		}
	})

	t.Run("Delete", func(t *testing.T) {
		before, _ := store.AlertGeneration(ctx)
		if err := store.DeleteAlert(ctx, first.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := store.FindAlertByID(ctx, first.ID); marketplace.ErrorCode(err) != marketplace.ENOTFOUND {
			t.Fatalf("a deleted alert: %v; want not found", err)
		}
		hs, err := store.FindAlertHits(ctx, marketplace.AlertHitFilter{AlertIDs: []string{first.ID, other.ID}})
		if err != nil {
			t.Fatal(err)
		}
		if len(hs) != 1 || hs[0].AlertID != other.ID {
			t.Fatalf("hits after deleting the first alert: %+v; want the other alert's only", hs)
		}
		if err := store.DeleteAlert(ctx, first.ID); marketplace.ErrorCode(err) != marketplace.ENOTFOUND {
			t.Fatalf("deleting it again: %v; want not found", err)
		}
		if after, _ := store.AlertGeneration(ctx); after == before {
			t.Fatal("deleting an alert left the generation as it was")
		}
		mine, _ := store.FindAlertsByUser(ctx, "u1")
		if !slices.ContainsFunc(mine, func(a *marketplace.Alert) bool { return a.ID == second.ID }) || len(mine) != 1 {
			t.Fatalf("alerts of u1 after deleting one: %+v", mine)
		}
	})
}
