package mongo_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"cooptrade/marketplace"
	"cooptrade/marketplace/mongo"
	"cooptrade/marketplace/mongo/mongotest"
)

// TestInvitationStore checks that an invitation's link is taken once even
// when requests race, that renewing it voids the old link, and that a
// member's invitations are found through its lookup.
func TestInvitationStore(t *testing.T) {
	ctx := context.Background()
	store := mongo.NewInvitationStore(mongotest.NewDB(t))
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	inv := &marketplace.Invitation{ID: "0123456789abcdef01234567", MemberID: "m1", Email: "jo@example.coop", Role: marketplace.RoleEditor,
		Language: "cy", Hash: "first", InvitedBy: "u1", CreatedAt: now, SentAt: now, ExpiresAt: now.Add(marketplace.InvitationTTL)}
	if err := store.CreateInvitation(ctx, inv); err != nil {
		t.Fatal(err)
	}
	other := &marketplace.Invitation{ID: "0123456789abcdef01234568", MemberID: "m2", Email: "al@example.coop", Role: marketplace.RoleOwner,
		Language: "en", Hash: "other", CreatedAt: now, SentAt: now, ExpiresAt: now.Add(marketplace.InvitationTTL)}
	if err := store.CreateInvitation(ctx, other); err != nil {
		t.Fatal(err)
	}
	if got, err := store.FindInvitationsByMember(ctx, "m1"); err != nil || len(got) != 1 || got[0].ID != inv.ID || got[0].Language != "cy" {
		t.Fatalf("m1's invitations: %+v, %v", got, err)
	}

	renewed := *inv
	renewed.Hash, renewed.SentAt = "second", now.Add(time.Hour)
	if err := store.RenewInvitation(ctx, &renewed, "first"); err != nil {
		t.Fatal(err)
	}
	if err := store.RenewInvitation(ctx, &marketplace.Invitation{ID: inv.ID, MemberID: "m1", Hash: "third"}, "first"); marketplace.ErrorCode(err) != marketplace.ENOTFOUND {
		t.Fatalf("renewing from a voided link: %v; want not found", err)
	}
	if _, err := store.FindInvitationByHash(ctx, "first"); marketplace.ErrorCode(err) != marketplace.ENOTFOUND {
		t.Fatalf("the voided link: %v; want not found", err)
	}
	if _, err := store.TakeInvitation(ctx, "first"); marketplace.ErrorCode(err) != marketplace.ENOTFOUND {
		t.Fatalf("taking the voided link: %v; want not found", err)
	}

	var wg sync.WaitGroup
	var mu sync.Mutex
	taken := 0
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got, err := store.TakeInvitation(ctx, "second")
			if err == nil && got.ID == inv.ID {
				mu.Lock()
				taken++
				mu.Unlock()
			} else if marketplace.ErrorCode(err) != marketplace.ENOTFOUND {
				t.Errorf("taking: %v", err)
			}
		}()
	}
	wg.Wait()
	if taken != 1 {
		t.Fatalf("the link was taken %d times by racing requests; want once", taken)
	}
	if got, err := store.FindInvitationsByMember(ctx, "m1"); err != nil || len(got) != 0 {
		t.Fatalf("m1's invitations after the taking: %+v, %v", got, err)
	}

	if err := store.DeleteInvitation(ctx, other); err != nil {
		t.Fatal(err)
	}
	if _, err := store.FindInvitationByHash(ctx, "other"); marketplace.ErrorCode(err) != marketplace.ENOTFOUND {
		t.Fatalf("a withdrawn invitation's link: %v; want not found", err)
	}
}

// TestJoinApplicationStore checks that a confirmation link is taken once,
// that only confirmed applications are in the staff's queue, and that a
// stale write is refused.
func TestJoinApplicationStore(t *testing.T) {
	ctx := context.Background()
	store := mongo.NewJoinApplicationStore(mongotest.NewDB(t))
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	a := &marketplace.JoinApplication{ID: "a1", Kind: marketplace.MemberEnterprise, Name: "Todmorden Tinkers", Sector: "transport-logistics",
		Postcode: "OL14 5AA", Statement: "Bikes.", ApplicantName: "Ffion", Email: "ffion@tinkers.example", Language: "cy",
		Status: marketplace.ApplicationUnconfirmed, ConfirmHash: "confirm", ConfirmBy: now.Add(marketplace.ConfirmTTL), CreatedAt: now, Version: 1}
	if err := store.CreateJoinApplication(ctx, a); err != nil {
		t.Fatal(err)
	}
	if queue, err := store.FindJoinApplications(ctx, marketplace.ApplicationPending); err != nil || len(queue) != 0 {
		t.Fatalf("the queue before confirming: %+v, %v", queue, err)
	}
	got, err := store.TakeJoinConfirmation(ctx, "confirm")
	if err != nil || got.Email != a.Email || got.Language != "cy" {
		t.Fatalf("taking the confirmation: %+v, %v", got, err)
	}
	if _, err := store.TakeJoinConfirmation(ctx, "confirm"); marketplace.ErrorCode(err) != marketplace.ENOTFOUND {
		t.Fatalf("taking it again: %v; want not found", err)
	}
	got.Status, got.ConfirmHash, got.ConfirmedAt = marketplace.ApplicationPending, "", &now
	got.Version++
	if err := store.UpdateJoinApplication(ctx, got); err != nil {
		t.Fatal(err)
	}
	if queue, err := store.FindJoinApplications(ctx, marketplace.ApplicationPending); err != nil || len(queue) != 1 || queue[0].ID != "a1" {
		t.Fatalf("the queue after confirming: %+v, %v", queue, err)
	}
	stale := *got
	stale.Status = marketplace.ApplicationRefused
	if err := store.UpdateJoinApplication(ctx, &stale); marketplace.ErrorCode(err) != marketplace.EPRECONDITION {
		t.Fatalf("a write of the version read twice: %v; want a precondition failure", err)
	}
	got.Status = marketplace.ApplicationAdmitted
	got.Version++
	if err := store.UpdateJoinApplication(ctx, got); err != nil {
		t.Fatal(err)
	}
	if queue, err := store.FindJoinApplications(ctx, marketplace.ApplicationPending); err != nil || len(queue) != 0 {
		t.Fatalf("the queue after admitting: %+v, %v", queue, err)
	}

	// An application never confirmed goes once its link has expired, when
	// the next one comes; a decided one stays.
	robot := *a
	robot.ID, robot.Email, robot.ConfirmHash, robot.Status, robot.Version = "a2", "robot@spam.example", "robot", marketplace.ApplicationUnconfirmed, 1
	if err := store.CreateJoinApplication(ctx, &robot); err != nil {
		t.Fatal(err)
	}
	later := robot
	later.ID, later.ConfirmHash = "a3", "later"
	later.CreatedAt = now.Add(marketplace.ConfirmTTL)
	later.ConfirmBy = later.CreatedAt.Add(marketplace.ConfirmTTL)
	if err := store.CreateJoinApplication(ctx, &later); err != nil {
		t.Fatal(err)
	}
	if _, err := store.FindJoinApplicationByID(ctx, "a2"); marketplace.ErrorCode(err) != marketplace.ENOTFOUND {
		t.Errorf("the expired unconfirmed application: %v; want it gone", err)
	}
	if _, err := store.TakeJoinConfirmation(ctx, "robot"); marketplace.ErrorCode(err) != marketplace.ENOTFOUND {
		t.Errorf("its link: %v; want it gone", err)
	}
	for _, id := range []string{"a1", "a3"} {
		if _, err := store.FindJoinApplicationByID(ctx, id); err != nil {
			t.Errorf("application %s: %v; want it kept", id, err)
		}
	}
}
