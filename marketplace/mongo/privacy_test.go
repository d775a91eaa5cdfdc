package mongo_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson"

	"cooptrade/marketplace"
	"cooptrade/marketplace/mongo"
	"cooptrade/marketplace/mongo/mongotest"
)

// TestPersonalDataCovered holds every collection to account: a store
// exports and erases what it holds about people, or it is declared to hold
// nothing about them. A new collection fails here until it is one or the
// other.
func TestPersonalDataCovered(t *testing.T) {
	_, stores := mongotest.NewStores(t)
	covered := stores.PersonalCollections()
	for _, name := range mongo.CollectionNames() {
		_, without := mongo.WithoutPersonalData[name]
		switch {
		case covered[name] == 0 && !without:
			t.Errorf("collection %s: no store exports and erases its personal data (personalCollections), and it is not declared to hold none (withoutPersonalData)", name)
		case covered[name] > 0 && without:
			t.Errorf("collection %s is both covered and declared to hold no personal data", name)
		case covered[name] > 1:
			t.Errorf("collection %s is covered by %d stores; one owns it", name, covered[name])
		}
	}
	for name := range covered {
		if !slices.Contains(mongo.CollectionNames(), name) {
			t.Errorf("collection %s is covered but not declared in stores.go", name)
		}
	}
}

// planted is a user and its member with a marker in every collection's
// data about each, and another member's data that must stay.
type planted struct {
	user         *marketplace.User
	member       *marketplace.Member
	other        *marketplace.Member
	otherUser    *marketplace.User
	otherListing *marketplace.Listing
	secrets      []string
	// gone are the IDs of records that go with the subjects, which must
	// be in no lookup or link after erasure either.
	gone []string
}

const (
	userMarker   = "zqxuser"
	memberMarker = "zqxmember"
)

func plant(t *testing.T, ctx context.Context, s *mongo.Stores) *planted {
	t.Helper()
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	p := &planted{}
	p.member = newMember("Zqxmember Printers")
	p.member.Email = "zqxmember@example.coop"
	p.member.Description = "Riso printing by zqxmember."
	must(s.Members.CreateMember(ctx, p.member))
	p.other = newMember("Calder Valley Bakers")
	must(s.Members.CreateMember(ctx, p.other))

	p.user = &marketplace.User{Email: "zqxuser@example.coop", Name: "Zqxuser Jones", MemberID: p.member.ID,
		Role: marketplace.RoleEditor, PasswordHash: "$argon2id$secret-password-hash", Version: 1, CreatedAt: now}
	must(s.Users.CreateUser(ctx, p.user))
	p.otherUser = &marketplace.User{Email: "baker@example.coop", Name: "A Baker", MemberID: p.other.ID,
		Role: marketplace.RoleOwner, PasswordHash: "x", Version: 1, CreatedAt: now}
	must(s.Users.CreateUser(ctx, p.otherUser))
	p.secrets = append(p.secrets, p.user.PasswordHash)

	must(s.Tokens.CreateToken(ctx, &marketplace.Token{Hash: "tokenhash-secret-1", Prefix: "cmt_ab", UserID: p.user.ID,
		Name: "zqxuser script", Personal: true, CreatedAt: now, ExpiresAt: now.Add(time.Hour), LastUsedAt: now}))
	must(s.Sessions.CreateSession(ctx, &marketplace.Session{Hash: "sessionhash-secret-1", UserID: p.user.ID,
		CSRF: "csrf-secret-1", Lang: "cy", CreatedAt: now, ExpiresAt: now.Add(time.Hour), SeenAt: now}))
	must(s.Resets.CreateReset(ctx, &marketplace.PasswordReset{Hash: "resethash-secret-1", UserID: p.user.ID, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}))
	p.secrets = append(p.secrets, "tokenhash-secret-1", "sessionhash-secret-1", "csrf-secret-1", "resethash-secret-1")
	must(s.Preferences.SetPreference(ctx, p.user.ID, "match.new", marketplace.ChannelEmail, false))

	for i, n := range []*marketplace.Notification{
		{ID: "n1-" + p.user.ID, Type: "match.new", Channel: marketplace.ChannelEmail, MemberID: p.member.ID, UserID: p.user.ID,
			To: p.user.Email, Subject: "A match", Text: "Dear Zqxuser, a match.", HTML: "<p>Dear Zqxuser</p>",
			Unsubscribe: "unsubscribe-secret-1", Status: marketplace.NotificationSent, CreatedAt: now},
		{ID: "n2-" + p.user.ID, Type: "match.new", Channel: marketplace.ChannelInbox, MemberID: p.member.ID, UserID: p.user.ID,
			Subject: "A match for zqxuser", Text: "In the inbox", Status: marketplace.NotificationSent, CreatedAt: now},
		{ID: "n3-" + p.member.ID, Type: "listing.expiring", Channel: marketplace.ChannelInbox, MemberID: p.member.ID,
			Subject: "Zqxmember's listing expires", Text: "Soon", Status: marketplace.NotificationSent, CreatedAt: now},
	} {
		if _, err := s.Notifications.CreateNotification(ctx, n); err != nil {
			t.Fatalf("notification %d: %v", i, err)
		}
	}
	p.secrets = append(p.secrets, "unsubscribe-secret-1")

	alert := &marketplace.Alert{UserID: p.user.ID, MemberID: p.member.ID, Name: "zqxuser's riso search", Query: "riso",
		Frequency: marketplace.AlertDaily, Version: 1, CreatedAt: now, UpdatedAt: now}
	must(s.Alerts.CreateAlert(ctx, alert))
	if _, err := s.Alerts.CreateAlertHit(ctx, &marketplace.AlertHit{AlertID: alert.ID, ListingID: "65a1b2c3d4e5f60718293a4b",
		UserID: p.user.ID, Kind: marketplace.KindOffer, Title: "Bread", MemberName: "Calder Valley Bakers", CreatedAt: now}); err != nil {
		t.Fatal(err)
	}

	mine := newListing(p.member.ID, "Zqxmember riso leaflets", now)
	mine.Kind = marketplace.KindOffer
	must(s.Listings.CreateListing(ctx, mine))
	p.otherListing = newListing(p.other.ID, "Leaflets for a bakery", now)
	must(s.Listings.CreateListing(ctx, p.otherListing))
	// Someone else's saved search found the member's listing.
	otherAlert := &marketplace.Alert{UserID: p.otherUser.ID, MemberID: p.other.ID, Name: "print", Query: "print",
		Frequency: marketplace.AlertDaily, Version: 1, CreatedAt: now, UpdatedAt: now}
	must(s.Alerts.CreateAlert(ctx, otherAlert))
	if _, err := s.Alerts.CreateAlertHit(ctx, &marketplace.AlertHit{AlertID: otherAlert.ID, ListingID: mine.ID,
		UserID: p.otherUser.ID, Kind: marketplace.KindOffer, Title: mine.Title, MemberName: p.member.Name, CreatedAt: now}); err != nil {
		t.Fatal(err)
	}

	// Others heard of the member: a match with its listing, an
	// introduction naming it.
	for i, n := range []*marketplace.Notification{
		{ID: "other-match", Type: "match.new", Channel: marketplace.ChannelEmail, MemberID: p.other.ID, UserID: p.otherUser.ID,
			To: p.otherUser.Email, Subject: "A match", Text: "Zqxmember Printers offers leaflets.", Status: marketplace.NotificationSent,
			Data: map[string]string{"listing_id": mine.ID}, CreatedAt: now},
		{ID: "other-intro", Type: "match.introduced", Channel: marketplace.ChannelInbox, MemberID: p.other.ID,
			Subject: "Meet Zqxmember", Text: "Write to zqxmember@example.coop", Status: marketplace.NotificationSent,
			Data: map[string]string{"member_id": p.member.ID}, CreatedAt: now},
		{ID: "other-kept", Type: "listing.expiring", Channel: marketplace.ChannelInbox, MemberID: p.other.ID,
			Subject: "Your listing expires", Text: "Soon", Status: marketplace.NotificationSent,
			Data: map[string]string{"listing_id": p.otherListing.ID}, CreatedAt: now},
	} {
		if _, err := s.Notifications.CreateNotification(ctx, n); err != nil {
			t.Fatalf("others' notification %d: %v", i, err)
		}
	}

	match := &marketplace.Match{ID: marketplace.MatchID(mine.ID, p.otherListing.ID), OfferID: mine.ID, NeedID: p.otherListing.ID,
		OfferMemberID: p.member.ID, NeedMemberID: p.other.ID, Score: 0.8, Status: marketplace.MatchNew, Category: "print-runs",
		Version: 1, CreatedAt: now, UpdatedAt: now}
	if _, err := s.Matches.UpsertMatchScores(ctx, []*marketplace.Match{match}); err != nil {
		t.Fatal(err)
	}
	must(s.WebhookTargets.SaveWebhookTarget(ctx, &marketplace.WebhookTarget{MemberID: p.member.ID,
		URL: "https://zqxmember.example.coop/hook", Secret: "whsec-secret-1", Created: now}))

	for i, sub := range []marketplace.Subject{marketplace.UserSubject(p.user.ID), marketplace.MemberSubject(p.member.ID)} {
		hash := "exporthash-secret-" + string(rune('a'+i))
		must(s.Exports.CreateExport(ctx, &marketplace.ExportRequest{Hash: hash, Subject: sub, RequestedBy: p.user.ID,
			Status: marketplace.ExportPending, CreatedAt: now, ExpiresAt: now.Add(marketplace.ExportTTL)}))
		must(s.Exports.FinishExport(ctx, hash, []byte(`{"secret-body":"zqxuser zqxmember"}`)))
		p.secrets = append(p.secrets, hash, "secret-body")
	}

	for _, e := range []*marketplace.AuditEntry{
		{At: now, ActorID: p.user.ID, Actor: p.user.Email, Action: "token.create", Subject: "user:" + p.user.ID, Details: map[string]string{"name": "zqxuser script"}},
		{At: now, ActorID: "staff1", Actor: "staff@example.org", Action: "member.update", Subject: "member:" + p.member.ID, Reason: "zqxmember asked"},
		{At: now, ActorID: "staff1", Actor: "staff@example.org", Action: "member.update", Subject: "member:" + p.other.ID, Reason: "kept"},
	} {
		must(s.Audit.AddAudit(ctx, e))
	}
	plantJoining(t, ctx, s, p, now)
	plantTrade(t, ctx, s, p, now)
	return p
}

// plantJoining plants invitations and applications to join: the member's,
// and the user's as invitee, inviter, applicant and deciding staff.
func plantJoining(t *testing.T, ctx context.Context, s *mongo.Stores, p *planted, now time.Time) {
	t.Helper()
	for i, inv := range []*marketplace.Invitation{
		{ID: "gone-inv-member", MemberID: p.member.ID, Email: "newbie@example.coop", InvitedBy: "staff1"},
		{ID: "gone-inv-to-user", MemberID: p.other.ID, Email: p.user.Email, InvitedBy: p.otherUser.ID},
		{ID: "kept-inv-by-user", MemberID: p.other.ID, Email: "friend@example.coop", InvitedBy: p.user.ID},
	} {
		inv.Role, inv.Language, inv.CreatedAt, inv.SentAt, inv.ExpiresAt = marketplace.RoleEditor, "en", now, now, now.Add(marketplace.InvitationTTL)
		inv.Hash = "invhash-secret-" + string(rune('a'+i))
		if err := s.Invitations.CreateInvitation(ctx, inv); err != nil {
			t.Fatal(err)
		}
		p.secrets = append(p.secrets, inv.Hash)
	}
	p.gone = append(p.gone, "gone-inv-member", "gone-inv-to-user")

	decided := now.Add(time.Hour)
	for i, a := range []*marketplace.JoinApplication{
		{ID: "gone-app-user", Name: "Jones Joinery", Email: p.user.Email, ApplicantName: "Zqxuser Jones",
			Statement: "zqxuser wants to join", Status: marketplace.ApplicationUnconfirmed},
		{ID: "gone-app-member", Name: p.member.Name, Email: p.member.Email, ApplicantName: "Ann Zqxmember",
			Statement: "We print.", Status: marketplace.ApplicationAdmitted, MemberID: p.member.ID, DecidedBy: "staff1", DecidedAt: &decided},
		{ID: "kept-app-admitted", Name: p.other.Name, Email: p.user.Email, ApplicantName: "Zqxuser Jones",
			Statement: "zqxuser bakes", Status: marketplace.ApplicationAdmitted, MemberID: p.other.ID, DecidedBy: p.user.ID, DecidedAt: &decided},
		{ID: "kept-app-decided", Name: "Hebden Bakers", Email: "hebden@example.coop", ApplicantName: "B Baker",
			Statement: "We bake.", Status: marketplace.ApplicationRefused, DecidedBy: p.user.ID, DecidedAt: &decided, Note: "Not yet."},
	} {
		a.Kind, a.Sector, a.Postcode, a.Language, a.Version = marketplace.MemberEnterprise, "print", "LS9 8AB", "en", 1
		a.ConfirmHash, a.ConfirmBy, a.CreatedAt = "confirmhash-secret-"+string(rune('a'+i)), now.Add(marketplace.ConfirmTTL), now
		if err := s.JoinApplications.CreateJoinApplication(ctx, a); err != nil {
			t.Fatal(err)
		}
		p.secrets = append(p.secrets, a.ConfirmHash)
	}
	// The user's own application waits for staff, in the queue.
	a, err := s.JoinApplications.FindJoinApplicationByID(ctx, "gone-app-user")
	if err != nil {
		t.Fatal(err)
	}
	a.Status, a.ConfirmedAt, a.Version = marketplace.ApplicationPending, &now, a.Version+1
	if err := s.JoinApplications.UpdateJoinApplication(ctx, a); err != nil {
		t.Fatal(err)
	}
	p.gone = append(p.gone, "gone-app-user", "gone-app-member")
}

// TestPersonalDataExportAndErase plants a marker in each collection's data
// about a user and its member, exports each, finds every marker and no
// secret, then erases both and finds the markers nowhere in the database,
// while the other member's data stays.
func TestPersonalDataExportAndErase(t *testing.T) {
	ctx := context.Background()
	db, stores := mongotest.NewStores(t)
	p := plant(t, ctx, stores)
	data := stores.PersonalData()

	export := func(sub marketplace.Subject) marketplace.PersonalRecords {
		t.Helper()
		into := marketplace.PersonalRecords{}
		for _, d := range data {
			if err := d.ExportSubject(ctx, sub, into); err != nil {
				t.Fatal(err)
			}
		}
		return into
	}
	check := func(records marketplace.PersonalRecords, markers []string, kinds ...string) {
		t.Helper()
		whole, err := json.Marshal(records)
		if err != nil {
			t.Fatal(err)
		}
		for _, secret := range p.secrets {
			if strings.Contains(string(whole), secret) {
				t.Errorf("the export holds the secret %q", secret)
			}
		}
		for _, kind := range kinds {
			b, _ := json.Marshal(records[kind])
			found := false
			for _, m := range markers {
				found = found || strings.Contains(strings.ToLower(string(b)), m)
			}
			if !found {
				t.Errorf("the export's %s holds none of %v: %s", kind, markers, b)
			}
		}
	}
	check(export(marketplace.UserSubject(p.user.ID)), []string{userMarker, p.user.ID},
		"users", "tokens", "sessions", "password_resets", "preferences", "notifications", "alerts", "alert_hits", "audit", "exports",
		"invitations", "join_applications", "threads", "deals")
	check(export(marketplace.MemberSubject(p.member.ID)), []string{memberMarker, p.member.ID},
		"members", "users", "listings", "matches", "webhook_targets", "notifications", "audit", "exports",
		"invitations", "join_applications", "threads", "deals", "quotes")

	for _, sub := range []marketplace.Subject{marketplace.UserSubject(p.user.ID), marketplace.MemberSubject(p.member.ID)} {
		pseudonym := marketplace.NewPseudonym()
		for _, d := range data {
			if err := d.EraseSubject(ctx, sub, pseudonym); err != nil {
				t.Fatalf("erase %v: %v", sub, err)
			}
		}
	}

	names, err := db.Database.ListCollectionNames(ctx, bson.D{})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range names {
		cur, err := db.Database.Collection(name).Find(ctx, bson.D{})
		if err != nil {
			t.Fatal(err)
		}
		for cur.Next(ctx) {
			raw := strings.ToLower(bson.Raw(cur.Current).String())
			for _, m := range append([]string{userMarker, memberMarker, p.user.ID, p.member.ID}, p.gone...) {
				if strings.Contains(raw, m) {
					t.Errorf("after erasure %s still holds %q: %s", name, m, raw)
				}
			}
		}
		if err := cur.Close(ctx); err != nil {
			t.Fatal(err)
		}
	}

	// Through the stores too: caches and lookups forgot them.
	if _, err := stores.Users.FindUserByEmail(ctx, p.user.Email); marketplace.ErrorCode(err) != marketplace.ENOTFOUND {
		t.Errorf("the erased user is still found by e-mail: %v", err)
	}
	if _, err := stores.Members.FindMemberByID(ctx, p.member.ID); marketplace.ErrorCode(err) != marketplace.ENOTFOUND {
		t.Errorf("the erased member is still found: %v", err)
	}
	if _, err := stores.Members.FindMemberBySlug(ctx, p.member.Slug); marketplace.ErrorCode(err) != marketplace.ENOTFOUND {
		t.Errorf("the erased member is still found by slug: %v", err)
	}
	// The other member's stay whole.
	if u, err := stores.Users.FindUserByEmail(ctx, p.otherUser.Email); err != nil || u.ID != p.otherUser.ID {
		t.Errorf("the other member's user: %v, %v", u, err)
	}
	if _, err := stores.Listings.FindListingByID(ctx, p.otherListing.ID); err != nil {
		t.Errorf("the other member's listing: %v", err)
	}
	if matches, err := stores.Matches.FindMatchesOfListing(ctx, p.otherListing.ID); err != nil || len(matches) != 0 {
		t.Errorf("the other member's listing's matches: %v, %v", matches, err)
	}
	if _, err := stores.Notifications.FindNotificationByID(ctx, "other-kept"); err != nil {
		t.Errorf("the other member's own notification: %v", err)
	}
	checkJoiningKept(t, ctx, stores, p)
	checkTradeKept(t, ctx, stores, p)
	kept, _, err := stores.Audit.FindAudit(ctx, marketplace.AuditFilter{Limit: 10})
	if err != nil || len(kept) != 3 {
		t.Errorf("the audit log after erasure: %d entries, %v; want all 3 kept", len(kept), err)
	}
}

// checkJoiningKept checks what of the way in outlives the erasure: an
// invitation the user sent, naming the pseudonym; the application the user
// made that admitted another member, without their name, address and
// statement; one the user decided, naming the pseudonym.
func checkJoiningKept(t *testing.T, ctx context.Context, stores *mongo.Stores, p *planted) {
	t.Helper()
	invs, err := stores.Invitations.FindInvitationsByMember(ctx, p.other.ID)
	if err != nil || len(invs) != 1 || invs[0].ID != "kept-inv-by-user" || !strings.HasPrefix(invs[0].InvitedBy, "erased:") {
		t.Errorf("the other member's invitations after erasure: %+v, %v; want the one the user sent, by a pseudonym", invs, err)
	}
	a, err := stores.JoinApplications.FindJoinApplicationByID(ctx, "kept-app-admitted")
	if err != nil || a.Name != p.other.Name || a.MemberID != p.other.ID || a.ApplicantName != "" || a.Email != "" || a.Statement != "" ||
		!strings.HasPrefix(a.DecidedBy, "erased:") {
		t.Errorf("the user's admitted application after erasure: %+v, %v", a, err)
	}
	a, err = stores.JoinApplications.FindJoinApplicationByID(ctx, "kept-app-decided")
	if err != nil || a.ApplicantName != "B Baker" || a.Email != "hebden@example.coop" || !strings.HasPrefix(a.DecidedBy, "erased:") {
		t.Errorf("the application the user decided, after erasure: %+v, %v", a, err)
	}
	if queue, err := stores.JoinApplications.FindJoinApplications(ctx, marketplace.ApplicationPending); err != nil || len(queue) != 0 {
		t.Errorf("staff's queue after erasure: %+v, %v", queue, err)
	}
}
