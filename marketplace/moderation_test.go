package marketplace_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"cooptrade/cmd/marketplace/app"
	"cooptrade/cmd/marketplace/app/apptest"
	"cooptrade/marketplace"
)

// moderation is the service as the program wires it, over FerretDB.
type moderation struct {
	svc    *marketplace.Service
	staff  context.Context
	member *marketplace.Member
	owner  context.Context
	now    time.Time
}

func setupModeration(tb testing.TB) *moderation {
	tb.Helper()
	md := &moderation{now: time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)}
	md.svc = apptest.Open(tb, apptest.Options{Knobs: app.Knobs{Now: func() time.Time { return md.now }}}).Service
	ctx := context.Background()
	md.staff = marketplace.NewContextWithUser(ctx, &marketplace.User{ID: "staff-1", Email: "ada@federation.example", Staff: true})
	md.member = &marketplace.Member{Kind: marketplace.MemberEnterprise, Name: "Leeds Print Workers", Email: "hello@leedsprint.example",
		Postcode: "LS9 8AB", Standing: marketplace.StandingActive}
	if err := md.svc.CreateMember(md.staff, md.member); err != nil {
		tb.Fatal(err)
	}
	for _, u := range []*marketplace.User{
		{Email: "owner@leedsprint.example", Name: "Owner", MemberID: md.member.ID, Role: marketplace.RoleOwner, Version: 1},
		{Email: "editor@leedsprint.example", Name: "Editor", MemberID: md.member.ID, Role: marketplace.RoleEditor, Version: 1},
	} {
		if err := md.svc.Users.CreateUser(ctx, u); err != nil {
			tb.Fatal(err)
		}
		if u.Role == marketplace.RoleOwner {
			md.owner = marketplace.NewContextWithUser(ctx, u)
		}
	}
	return md
}

func (md *moderation) published(tb testing.TB, title string) *marketplace.Listing {
	tb.Helper()
	l := &marketplace.Listing{Kind: marketplace.KindOffer, Title: title, Description: "Litho and digital print.",
		Category: "print-runs", Postcode: "LS9 8AB", RadiusKM: 50}
	if err := md.svc.CreateListing(md.owner, l); err != nil {
		tb.Fatal(err)
	}
	p, err := md.svc.PublishListing(md.owner, l.ID, l.Version)
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

func TestRemoveListing(t *testing.T) {
	md := setupModeration(t)
	ctx := context.Background()
	l := md.published(t, "Leaflets and flyers, cheapest in Yorkshire")
	const note = "Members can't make claims about other co-ops' prices; please post it again without the comparison."

	t.Run("ErrNotStaff", func(t *testing.T) {
		_, err := md.svc.RemoveListing(md.owner, l.ID, 0, note)
		if code := marketplace.ErrorCode(err); code != marketplace.EFORBIDDEN {
			t.Fatalf("a member removing: %v; want %s", err, marketplace.EFORBIDDEN)
		}
		_, err = md.svc.RemoveListing(ctx, l.ID, 0, note)
		if code := marketplace.ErrorCode(err); code != marketplace.EUNAUTHORIZED {
			t.Fatalf("the public removing: %v; want %s", err, marketplace.EUNAUTHORIZED)
		}
	})

	t.Run("ErrInvalid", func(t *testing.T) {
		for name, n := range map[string]string{
			"empty":   "  \n ",
			"long":    strings.Repeat("é", marketplace.MaxModerationNote+1),
			"control": "Removed\x00 for spam",
		} {
			_, err := md.svc.RemoveListing(md.staff, l.ID, 0, n)
			fields := marketplace.ErrorFields(err)
			if marketplace.ErrorCode(err) != marketplace.EINVALID || len(fields) != 1 || fields[0].Field != "note" {
				t.Errorf("%s note: %v; want invalid note", name, err)
			}
		}
	})

	t.Run("ErrNotFound", func(t *testing.T) {
		_, err := md.svc.RemoveListing(md.staff, "0123456789abcdef01234567", 0, note)
		if code := marketplace.ErrorCode(err); code != marketplace.ENOTFOUND {
			t.Fatalf("removing an unknown listing: %v", err)
		}
	})

	t.Run("ErrPrecondition", func(t *testing.T) {
		_, err := md.svc.RemoveListing(md.staff, l.ID, l.Version-1, note)
		if code := marketplace.ErrorCode(err); code != marketplace.EPRECONDITION {
			t.Fatalf("removing a stale version: %v", err)
		}
	})

	t.Run("OK", func(t *testing.T) {
		md.now = md.now.Add(time.Hour)
		got, err := md.svc.RemoveListing(md.staff, l.ID, l.Version, "  "+note+"\n")
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != marketplace.StatusRemoved || got.Version != l.Version+1 || !got.UpdatedAt.Equal(md.now) {
			t.Fatalf("after removal: status %s version %d updated %s", got.Status, got.Version, got.UpdatedAt)
		}
		stored, err := md.svc.Listings.FindListingByID(ctx, l.ID)
		if err != nil {
			t.Fatal(err)
		}
		if stored.Status != marketplace.StatusRemoved || stored.Version != got.Version {
			t.Fatalf("stored: status %s version %d", stored.Status, stored.Version)
		}

		// The public no longer sees it; its member still does.
		if _, err := md.svc.FindListing(ctx, l.ID); marketplace.ErrorCode(err) != marketplace.ENOTFOUND {
			t.Errorf("the public finds a removed listing: %v", err)
		}
		if _, err := md.svc.FindListing(md.owner, l.ID); err != nil {
			t.Errorf("its member cannot see the removed listing: %v", err)
		}

		// The action is audited with the note.
		entries, _, err := md.svc.FindAudit(md.staff, marketplace.AuditFilter{Subject: "listing:" + l.ID})
		if err != nil {
			t.Fatal(err)
		}
		if len(entries) != 1 {
			t.Fatalf("audit of the listing: %+v", entries)
		}
		e := entries[0]
		want := marketplace.AuditEntry{ID: e.ID, At: md.now, ActorID: "staff-1", Actor: "ada@federation.example", Action: "listing.remove",
			Subject: "listing:" + l.ID, Reason: note, Details: map[string]string{
				"from": "published", "to": "removed", "member_id": md.member.ID, "title": l.Title}}
		if diff := cmp.Diff(want, *e); diff != "" {
			t.Errorf("audit entry (-want +got):\n%s", diff)
		}

		// The member has the note in its inbox, as staff wrote it.
		inbox, _, err := md.svc.FindInbox(md.owner, false, "", 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(inbox) != 1 {
			t.Fatalf("inbox: %+v", inbox)
		}
		n := inbox[0]
		if n.Type != marketplace.NotifyListingRemoved || n.Subject != "Your listing was removed: "+l.Title ||
			!strings.Contains(n.Text, "Why: "+note) || n.Data["listing_id"] != l.ID || n.Link != "https://marketplace.example/dashboard" {
			t.Fatalf("inbox item: %+v", n)
		}

		// The owner gets it by e-mail (the HTML escaped); the editor does not.
		ownerMail, err := md.svc.Notifications.FindNotificationByID(ctx, "removed:"+l.ID+":"+strconv.FormatInt(got.Version, 10)+"~user:"+userID(md.owner)+"~email")
		if err != nil {
			t.Fatalf("the owner's e-mail: %v", err)
		}
		if ownerMail.To != "owner@leedsprint.example" || ownerMail.Status != marketplace.NotificationPending ||
			!strings.Contains(ownerMail.HTML, "can&#39;t make claims") || !strings.Contains(ownerMail.Text, note) {
			t.Fatalf("the owner's e-mail: %+v", ownerMail)
		}
	})

	t.Run("ErrConflict", func(t *testing.T) {
		_, err := md.svc.RemoveListing(md.staff, l.ID, 0, note)
		if code := marketplace.ErrorCode(err); code != marketplace.ECONFLICT {
			t.Fatalf("removing twice: %v", err)
		}
		// The member cannot bring it back.
		if _, err := md.svc.PublishListing(md.owner, l.ID, 0); marketplace.ErrorCode(err) != marketplace.ECONFLICT {
			t.Fatalf("publishing a removed listing: %v", err)
		}
		if _, err := md.svc.UpdateListing(md.owner, l.ID, 0, marketplace.ListingUpdate{}); marketplace.ErrorCode(err) != marketplace.ECONFLICT {
			t.Fatalf("editing a removed listing: %v", err)
		}
	})

	t.Run("Draft", func(t *testing.T) {
		d := &marketplace.Listing{Kind: marketplace.KindOffer, Title: "A draft staff remove", Category: "print-runs", Remote: true}
		if err := md.svc.CreateListing(md.owner, d); err != nil {
			t.Fatal(err)
		}
		got, err := md.svc.RemoveListing(md.staff, d.ID, 0, "Spam.")
		if err != nil || got.Status != marketplace.StatusRemoved {
			t.Fatalf("removing a draft: %v, %+v", err, got)
		}
		inbox, _, err := md.svc.FindInbox(md.owner, false, "", 10)
		if err != nil || len(inbox) != 2 {
			t.Fatalf("inbox after two removals: %d items, %v", len(inbox), err)
		}
	})
}

func userID(ctx context.Context) string { return marketplace.UserFromContext(ctx).ID }
