package workers_test

import (
	"context"
	"testing"
	"time"

	"cooptrade/marketplace"
)

func TestExpiry(t *testing.T) {
	ne := setupNotify(t)
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Millisecond) // as stored
	ne.service.Now = func() time.Time { return now }
	m, kitchen := ne.member(t, "Chapeltown Kitchen", "LS7 3AA")
	ne.owner(t, m.ID, "sam@kitchen.example")
	n := leafletNeed()
	deadline := now.Add(3 * 24 * time.Hour)
	n.Deadline = &deadline
	n = ne.publish(t, kitchen, n)
	if n.ExpiresAt == nil || !n.ExpiresAt.Equal(deadline) {
		t.Fatalf("a need expires at its deadline; expires at %v", n.ExpiresAt)
	}

	// Reminded once, however often the job runs.
	for range 3 {
		if _, err := ne.service.RemindExpiring(ctx); err != nil {
			t.Fatal(err)
		}
	}
	id := "expiring:" + n.ID + ":" + deadline.Format("2006-01-02") + "~user:" + ne.ownerOf(t, m.ID) + "~email"
	mail, err := ne.notifications.FindNotificationByID(ctx, id)
	if err != nil {
		t.Fatalf("reminder e-mail: %v", err)
	}
	if mail.Type != marketplace.NotifyListingExpiring {
		t.Fatalf("reminder type %q", mail.Type)
	}
	items, _, _ := ne.service.FindInbox(kitchen, false, "", 10)
	if len(items) != 1 {
		t.Fatalf("inbox has %d items; want the one reminder", len(items))
	}

	// Not yet due: nothing expires.
	if k, err := ne.service.ExpireListings(ctx); err != nil || k != 0 {
		t.Fatalf("expired %d, %v before the deadline", k, err)
	}
	now = deadline.Add(time.Minute)
	if k, err := ne.service.ExpireListings(ctx); err != nil || k != 1 {
		t.Fatalf("expired %d, %v; want 1", k, err)
	}
	got, _ := ne.listings.FindListingByID(ctx, n.ID)
	if got.Status != marketplace.StatusExpired || got.Version != n.Version+1 {
		t.Fatalf("after expiry: status %s version %d", got.Status, got.Version)
	}
	// Publishing again needs a new deadline.
	if _, err := ne.service.PublishListing(kitchen, n.ID, 0); marketplace.ErrorCode(err) != marketplace.EINVALID {
		t.Fatalf("republishing past the deadline: %v; want invalid", err)
	}
}

// ownerOf returns the ID of a member's (only) owner.
func (ne *notifyEnv) ownerOf(tb testing.TB, memberID string) string {
	tb.Helper()
	users, err := ne.service.Users.FindUsersByMember(context.Background(), memberID)
	if err != nil || len(users) != 1 {
		tb.Fatalf("users of %s: %v %v", memberID, users, err)
	}
	return users[0].ID
}
