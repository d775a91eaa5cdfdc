package mongo_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"cooptrade/marketplace"
	"cooptrade/marketplace/mongo"
	"cooptrade/marketplace/mongo/mongotest"
)

// TestMemberMatchesAsTheQuery pages one member's matches, read through the
// member's lookup and filtered in Go, and checks them against the staff's
// query over every match, filtered to that member: the same matches in the
// same order, page by page, for every filter.
func TestMemberMatchesAsTheQuery(t *testing.T) {
	ctx := context.Background()
	_, stores := mongotest.NewStores(t)
	members := []string{"65a1b2c3d4e5f60718293a01", "65a1b2c3d4e5f60718293a02", "65a1b2c3d4e5f60718293a03"}
	rng := rand.New(rand.NewPCG(1, 2))
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	var ms []*marketplace.Match
	for i := range 60 {
		offerMember, needMember := members[rng.IntN(3)], members[rng.IntN(3)]
		offer, need := fmt.Sprintf("65a1b2c3d4e5f607182a%04d", i), fmt.Sprintf("65a1b2c3d4e5f607182b%04d", i%23)
		ms = append(ms, &marketplace.Match{
			ID: marketplace.MatchID(offer, need), OfferID: offer, NeedID: need, OfferMemberID: offerMember, NeedMemberID: needMember,
			Score: float64(50 + rng.IntN(10)), Status: marketplace.MatchNew, Category: []string{"print-runs", "web-development"}[rng.IntN(2)],
			Area: []string{"LS", "M"}[rng.IntN(2)], Version: 1, CreatedAt: now, UpdatedAt: now,
		})
	}
	if _, err := stores.Matches.UpsertMatchScores(ctx, ms); err != nil {
		t.Fatal(err)
	}
	var retire []string
	for _, m := range ms[:15] {
		retire = append(retire, m.ID)
	}
	if err := stores.Matches.RetireMatches(ctx, retire); err != nil {
		t.Fatal(err)
	}

	all := func(f marketplace.MatchFilter) []string {
		var ids []string
		for cursor := ""; ; {
			f.Cursor, f.Limit = cursor, 7
			page, next, err := stores.Matches.FindMatches(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range page {
				ids = append(ids, m.ID)
			}
			if next == "" {
				return ids
			}
			cursor = next
		}
	}
	for _, f := range []marketplace.MatchFilter{
		{}, {IncludeRetired: true}, {Category: "printing-publishing"}, {Area: "LS", MinScore: 55}, {Status: marketplace.MatchNew},
	} {
		for _, member := range members {
			var want []string
			for _, id := range all(f) {
				m, err := stores.Matches.FindMatchByID(ctx, id)
				if err != nil {
					t.Fatal(err)
				}
				if m.OfferMemberID == member || m.NeedMemberID == member {
					want = append(want, id)
				}
			}
			f.MemberID = member
			if diff := cmp.Diff(want, all(f)); diff != "" {
				t.Errorf("filter %+v: member's matches (-query +lookup):\n%s", f, diff)
			}
			f.MemberID = ""
		}
	}

	// A listing's matches are its own.
	of, err := stores.Matches.FindMatchesOfListing(ctx, ms[0].NeedID)
	if err != nil {
		t.Fatal(err)
	}
	var want, got []string
	for _, m := range ms {
		if m.NeedID == ms[0].NeedID {
			want = append(want, m.ID)
		}
	}
	for _, m := range of {
		got = append(got, m.ID)
	}
	slices.Sort(want)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("a need's matches (-want +got):\n%s", diff)
	}
}

// TestLookupsAfterUpgrade drops the lookups, as a database written before
// they existed would be, and opens the stores again: the lookups are filled
// from the documents, and every way of finding them works.
func TestLookupsAfterUpgrade(t *testing.T) {
	ctx := context.Background()
	db, stores := mongotest.NewStores(t)
	m := newMember("Upgraded Printers")
	if err := stores.Members.CreateMember(ctx, m); err != nil {
		t.Fatal(err)
	}
	u := &marketplace.User{Email: "owner@upgraded.example", MemberID: m.ID, Role: marketplace.RoleOwner, PasswordHash: "x", Version: 1}
	if err := stores.Users.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	l := newListing(m.ID, "Leaflets wanted", time.Now().UTC())
	if err := stores.Listings.CreateListing(ctx, l); err != nil {
		t.Fatal(err)
	}
	n := &marketplace.Notification{ID: "about~member:" + m.ID + "~inbox", Type: marketplace.NotifyMatchNew, Channel: marketplace.ChannelInbox,
		MemberID: m.ID, Subject: "A match", Text: "A match.", Status: marketplace.NotificationSent, CreatedAt: time.Now().UTC()}
	if _, err := stores.Notifications.CreateNotification(ctx, n); err != nil {
		t.Fatal(err)
	}
	for _, c := range []string{"member_slugs", "user_emails", "member_users", "member_listings", "inbox", "listing_matches", "member_matches"} {
		if err := db.Database.Collection(c).Drop(ctx); err != nil {
			t.Fatal(err)
		}
	}
	stores, err := mongo.Open(ctx, db, mongotest.WebhookKey)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := stores.Members.FindMemberBySlug(ctx, m.Slug); err != nil || got.ID != m.ID {
		t.Errorf("by slug: %+v %v", got, err)
	}
	if got, err := stores.Users.FindUserByEmail(ctx, u.Email); err != nil || got.ID != u.ID {
		t.Errorf("by e-mail: %+v %v", got, err)
	}
	if got, err := stores.Users.FindUsersByMember(ctx, m.ID); err != nil || len(got) != 1 {
		t.Errorf("users of the member: %+v %v", got, err)
	}
	if got, _, err := stores.Listings.FindListings(ctx, marketplace.ListingFilter{MemberID: m.ID, Limit: 10}); err != nil || len(got) != 1 {
		t.Errorf("listings of the member: %+v %v", got, err)
	}
	if got, _, err := stores.Notifications.FindInbox(ctx, marketplace.InboxFilter{MemberID: m.ID, Limit: 10}); err != nil || len(got) != 1 {
		t.Errorf("the member's inbox: %+v %v", got, err)
	}
}

// TestSlugAndEmailLookups: a slug given up no longer finds its old member,
// and a slug or address that names two documents finds the right one.
func TestSlugAndEmailLookups(t *testing.T) {
	ctx := context.Background()
	_, stores := mongotest.NewStores(t)
	a := newMember("Renamed Co-op")
	if err := stores.Members.CreateMember(ctx, a); err != nil {
		t.Fatal(err)
	}
	old := a.Slug
	a.Slug = "renamed-again"
	if err := stores.Members.UpdateMember(ctx, a, a.Version); err != nil {
		t.Fatal(err)
	}
	if _, err := stores.Members.FindMemberBySlug(ctx, old); marketplace.ErrorCode(err) != marketplace.ENOTFOUND {
		t.Errorf("the old slug: %v; want not found", err)
	}
	b := newMember("Renamed Co-op") // takes the old slug
	if err := stores.Members.CreateMember(ctx, b); err != nil {
		t.Fatal(err)
	}
	if got, err := stores.Members.FindMemberBySlug(ctx, old); err != nil || got.ID != b.ID {
		t.Errorf("the old slug, taken again: %+v %v", got, err)
	}
	if got, err := stores.Members.FindMemberBySlug(ctx, "renamed-again"); err != nil || got.ID != a.ID {
		t.Errorf("the new slug: %+v %v", got, err)
	}

	u := &marketplace.User{Email: "someone@coop.example", Role: marketplace.RoleOwner, PasswordHash: "x", Version: 1}
	if err := stores.Users.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	twin := &marketplace.User{Email: "someone@coop.example", Role: marketplace.RoleOwner, PasswordHash: "y", Version: 1}
	if err := stores.Users.CreateUser(ctx, twin); marketplace.ErrorCode(err) != marketplace.ECONFLICT {
		t.Fatalf("the same address twice: %v", err)
	}
	if got, err := stores.Users.FindUserByEmail(ctx, "someone@coop.example"); err != nil || got.ID != u.ID || got.PasswordHash != "x" {
		t.Errorf("by e-mail after a refused twin: %+v %v", got, err)
	}
}
