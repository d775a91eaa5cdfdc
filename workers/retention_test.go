package workers_test

import (
	"context"
	"testing"
	"time"

	"cooptrade/marketplace"
	"cooptrade/payments"
	"cooptrade/workers"
)

// TestRetentionDeletesExactlyWhatIsPastItsTime plants, for each kind the
// retention job enforces, records a day past their time, a day short of
// it, and others the job must leave (pending mail, inbox text, an open or
// matched listing, an unapplied Stripe event, an admitted or waiting
// application), runs the job, and finds the
// first gone and everything else as it was.
func TestRetentionDeletesExactlyWhatIsPastItsTime(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	s := e.app.Stores
	now := time.Now().UTC()
	past := func(kind marketplace.RetentionKind) time.Time {
		return now.Add(-marketplace.Retention{}.Period(kind) - marketplace.Day)
	}
	within := func(kind marketplace.RetentionKind) time.Time {
		return now.Add(-marketplace.Retention{}.Period(kind) + marketplace.Day)
	}
	user, member := "65a1b2c3d4e5f60718293a40", "65a1b2c3d4e5f60718293a41"

	// Notifications and their mails.
	notify := func(id string, ch marketplace.Channel, status marketplace.NotificationStatus, at time.Time) {
		t.Helper()
		n := &marketplace.Notification{ID: id, Type: "match.new", Channel: ch, MemberID: member, UserID: user, To: "sam@example.coop",
			Subject: "A match", Text: "the body", HTML: "<p>the body</p>", Status: status, CreatedAt: at}
		if ch == marketplace.ChannelInbox {
			n.To = ""
		}
		if _, err := s.Notifications.CreateNotification(ctx, n); err != nil {
			t.Fatal(err)
		}
	}
	notify("mail-old", marketplace.ChannelEmail, marketplace.NotificationSent, past(marketplace.RetainMailBodies))
	notify("mail-young", marketplace.ChannelEmail, marketplace.NotificationSent, within(marketplace.RetainMailBodies))
	notify("mail-pending", marketplace.ChannelEmail, marketplace.NotificationPending, past(marketplace.RetainMailBodies))
	notify("inbox-kept-text", marketplace.ChannelInbox, marketplace.NotificationSent, past(marketplace.RetainMailBodies))
	notify("note-old", marketplace.ChannelInbox, marketplace.NotificationSent, past(marketplace.RetainNotifications))
	notify("note-failed-old", marketplace.ChannelEmail, marketplace.NotificationFailed, past(marketplace.RetainNotifications))
	notify("note-young", marketplace.ChannelInbox, marketplace.NotificationSent, within(marketplace.RetainNotifications))
	notify("note-pending", marketplace.ChannelEmail, marketplace.NotificationPending, past(marketplace.RetainNotifications))

	// Listings.
	closedOld := insertClosed(t, e, marketplace.StatusClosed, past(marketplace.RetainListings))
	expiredOld := insertClosed(t, e, marketplace.StatusExpired, past(marketplace.RetainListings))
	closedYoung := insertClosed(t, e, marketplace.StatusClosed, within(marketplace.RetainListings))
	openOld := insertListing(t, e, past(marketplace.RetainListings))
	matchedOld := insertClosed(t, e, marketplace.StatusClosed, past(marketplace.RetainListings))
	need := insertClosed(t, e, marketplace.StatusClosed, past(marketplace.RetainListings))
	if _, err := s.Matches.UpsertMatchScores(ctx, []*marketplace.Match{{ID: marketplace.MatchID(matchedOld.ID, need.ID),
		OfferID: matchedOld.ID, NeedID: need.ID, OfferMemberID: member, NeedMemberID: "65a1b2c3d4e5f60718293a42",
		Score: 0.7, Status: marketplace.MatchNew, Version: 1, CreatedAt: now, UpdatedAt: now}}); err != nil {
		t.Fatal(err)
	}

	// The audit log.
	auditOld := &marketplace.AuditEntry{At: past(marketplace.RetainAudit), ActorID: "staff", Action: "member.update", Subject: "member:" + member}
	auditYoung := &marketplace.AuditEntry{At: within(marketplace.RetainAudit), ActorID: "staff", Action: "member.update", Subject: "member:" + member}
	for _, a := range []*marketplace.AuditEntry{auditOld, auditYoung} {
		if err := s.Audit.AddAudit(ctx, a); err != nil {
			t.Fatal(err)
		}
	}

	// Stripe's events.
	events := e.app.PaymentStores.Events
	event := func(id string, at time.Time, applied bool) {
		t.Helper()
		if err := events.CreateEvent(ctx, &payments.Event{ID: id, Type: "invoice.paid", Created: at, Payload: "{}", ReceivedAt: at}); err != nil {
			t.Fatal(err)
		}
		if applied {
			if _, err := events.MarkEventApplied(ctx, id, at, "applied"); err != nil {
				t.Fatal(err)
			}
		}
	}
	event("evt_old", past(marketplace.RetainStripeEvents), true)
	event("evt_young", within(marketplace.RetainStripeEvents), true)
	event("evt_unapplied", past(marketplace.RetainStripeEvents), false)

	// Prepared downloads.
	for hash, at := range map[string]time.Time{"export-old": past(marketplace.RetainExports), "export-young": within(marketplace.RetainExports)} {
		if err := s.Exports.CreateExport(ctx, &marketplace.ExportRequest{Hash: hash, Subject: marketplace.UserSubject(user), RequestedBy: user,
			Status: marketplace.ExportPending, CreatedAt: at, ExpiresAt: at.Add(marketplace.ExportTTL)}); err != nil {
			t.Fatal(err)
		}
	}

	// The way in: invitations never taken up, applications to join.
	for id, expired := range map[string]time.Time{"inv-old": past(marketplace.RetainInvitations), "inv-young": within(marketplace.RetainInvitations)} {
		if err := s.Invitations.CreateInvitation(ctx, &marketplace.Invitation{ID: id, MemberID: member, Email: id + "@example.coop",
			Role: marketplace.RoleEditor, Language: "en", Hash: "hash-" + id, InvitedBy: user,
			CreatedAt: expired.Add(-marketplace.InvitationTTL), SentAt: expired.Add(-marketplace.InvitationTTL), ExpiresAt: expired}); err != nil {
			t.Fatal(err)
		}
	}
	application := func(id string, status marketplace.ApplicationStatus, created time.Time, decided *time.Time) {
		t.Helper()
		a := &marketplace.JoinApplication{ID: id, Kind: marketplace.MemberEnterprise, Name: "Applying Co-op", Sector: "print", Postcode: "LS9 8AB",
			Statement: "We print.", ApplicantName: "Ann", Email: id + "@example.coop", Language: "en", Status: status,
			ConfirmHash: "hash-" + id, ConfirmBy: created.Add(marketplace.ConfirmTTL), DecidedAt: decided, CreatedAt: created, Version: 1}
		if status == marketplace.ApplicationAdmitted {
			a.MemberID = member
		}
		if err := s.JoinApplications.CreateJoinApplication(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	refusedOld, refusedYoung := past(marketplace.RetainRefusedApplications), within(marketplace.RetainRefusedApplications)
	application("app-refused-old", marketplace.ApplicationRefused, refusedOld.Add(-marketplace.Day), &refusedOld)
	application("app-refused-young", marketplace.ApplicationRefused, refusedYoung.Add(-marketplace.Day), &refusedYoung)
	application("app-admitted-old", marketplace.ApplicationAdmitted, refusedOld.Add(-marketplace.Day), &refusedOld)
	application("app-pending-old", marketplace.ApplicationPending, refusedOld.Add(-marketplace.Day), nil)
	// The young one first: making an application deletes those whose
	// link has expired by then.
	application("app-unconfirmed-young", marketplace.ApplicationUnconfirmed, within(marketplace.RetainUnconfirmedApplications), nil)
	application("app-unconfirmed-old", marketplace.ApplicationUnconfirmed, past(marketplace.RetainUnconfirmedApplications), nil)

	// Enquiries: from the public, unconfirmed past their time; an open
	// one as old stays.
	enquiry := func(id string, status marketplace.ThreadStatus, created time.Time) {
		t.Helper()
		if err := s.Threads.CreateThread(ctx, &marketplace.Thread{ID: id, Kind: marketplace.ThreadEnquiry, Status: status,
			SupplierMemberID: member, BuyerName: "Sam", People: []*marketplace.ThreadPerson{{Key: "public", Side: marketplace.SideBuyer,
				Name: "Sam", Email: id + "@example.org"}}, Version: 1, CreatedAt: created, UpdatedAt: created}); err != nil {
			t.Fatal(err)
		}
	}
	enquiry("enquiry-unconfirmed-old", marketplace.ThreadUnconfirmed, past(marketplace.RetainUnconfirmedEnquiries))
	enquiry("enquiry-unconfirmed-young", marketplace.ThreadUnconfirmed, within(marketplace.RetainUnconfirmedEnquiries))
	enquiry("enquiry-open-old", marketplace.ThreadOpen, past(marketplace.RetainUnconfirmedEnquiries))

	if err := e.workers(workers.Config{}).HandleRetention(ctx, nil); err != nil {
		t.Fatal(err)
	}

	// Mail bodies: cleared past their time, e-mails only.
	for id, cleared := range map[string]bool{"mail-old": true, "mail-young": false, "mail-pending": false, "inbox-kept-text": false} {
		n, err := s.Notifications.FindNotificationByID(ctx, id)
		if err != nil {
			t.Fatalf("%s: %v", id, err)
		}
		if got := n.Text == "" && n.HTML == "" && n.To == ""; got != cleared {
			t.Errorf("%s: body cleared %v; want %v (%+v)", id, got, cleared, n)
		}
	}
	// Notifications.
	for id, gone := range map[string]bool{"note-old": true, "note-failed-old": true, "note-young": false, "note-pending": false} {
		_, err := s.Notifications.FindNotificationByID(ctx, id)
		if got := marketplace.ErrorCode(err) == marketplace.ENOTFOUND; got != gone {
			t.Errorf("notification %s: gone %v (%v); want %v", id, got, err, gone)
		}
	}
	inbox, _, err := s.Notifications.FindInbox(ctx, marketplace.InboxFilter{MemberID: member, UserID: user, Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	var inInbox []string
	for _, n := range inbox {
		inInbox = append(inInbox, n.ID)
	}
	if len(inInbox) != 2 {
		t.Errorf("the inbox holds %v; want inbox-kept-text and note-young", inInbox)
	}
	// Listings.
	for l, gone := range map[*marketplace.Listing]bool{closedOld: true, expiredOld: true, closedYoung: false, openOld: false, matchedOld: false, need: false} {
		_, err := e.listings.FindListingByID(ctx, l.ID)
		if got := marketplace.ErrorCode(err) == marketplace.ENOTFOUND; got != gone {
			t.Errorf("listing %s (%s, %s): gone %v (%v); want %v", l.ID, l.Status, l.UpdatedAt, got, err, gone)
		}
	}
	mine, _, err := e.listings.FindListings(ctx, marketplace.ListingFilter{MemberID: "65a1b2c3d4e5f60718293a4b", Limit: 50})
	if err != nil || len(mine) != 4 {
		t.Errorf("the member's listings after retention: %d, %v; want 4", len(mine), err)
	}
	// The audit log.
	entries, _, err := s.Audit.FindAudit(ctx, marketplace.AuditFilter{Limit: 50})
	if err != nil || len(entries) != 1 || entries[0].ID != auditYoung.ID {
		t.Errorf("the audit log after retention: %+v, %v; want the young entry alone", entries, err)
	}
	// Prepared downloads.
	for hash, gone := range map[string]bool{"export-old": true, "export-young": false} {
		_, err := s.Exports.FindExport(ctx, hash)
		if got := marketplace.ErrorCode(err) == marketplace.ENOTFOUND; got != gone {
			t.Errorf("export %s: gone %v (%v); want %v", hash, got, err, gone)
		}
	}
	// The way in.
	for id, gone := range map[string]bool{"inv-old": true, "inv-young": false} {
		_, err := s.Invitations.FindInvitationByID(ctx, id)
		if got := marketplace.ErrorCode(err) == marketplace.ENOTFOUND; got != gone {
			t.Errorf("invitation %s: gone %v (%v); want %v", id, got, err, gone)
		}
	}
	if invs, err := s.Invitations.FindInvitationsByMember(ctx, member); err != nil || len(invs) != 1 || invs[0].ID != "inv-young" {
		t.Errorf("the member's invitations after retention: %+v, %v; want inv-young alone", invs, err)
	}
	if _, err := s.Invitations.FindInvitationByHash(ctx, "hash-inv-old"); marketplace.ErrorCode(err) != marketplace.ENOTFOUND {
		t.Errorf("the old invitation's link still works: %v", err)
	}
	for id, gone := range map[string]bool{"app-refused-old": true, "app-refused-young": false, "app-admitted-old": false,
		"app-pending-old": false, "app-unconfirmed-old": true, "app-unconfirmed-young": false} {
		_, err := s.JoinApplications.FindJoinApplicationByID(ctx, id)
		if got := marketplace.ErrorCode(err) == marketplace.ENOTFOUND; got != gone {
			t.Errorf("application %s: gone %v (%v); want %v", id, got, err, gone)
		}
	}
	if _, err := s.JoinApplications.TakeJoinConfirmation(ctx, "hash-app-unconfirmed-old"); marketplace.ErrorCode(err) != marketplace.ENOTFOUND {
		t.Errorf("the old unconfirmed application's link still works: %v", err)
	}
	for id, gone := range map[string]bool{"enquiry-unconfirmed-old": true, "enquiry-unconfirmed-young": false, "enquiry-open-old": false} {
		_, err := s.Threads.FindThreadByID(ctx, id)
		if got := marketplace.ErrorCode(err) == marketplace.ENOTFOUND; got != gone {
			t.Errorf("enquiry %s: gone %v (%v); want %v", id, got, err, gone)
		}
	}
	if threads, err := s.Threads.FindThreadsOf(ctx, "member:"+member); err != nil || len(threads) != 2 {
		t.Errorf("the member's threads after retention: %d, %v; want the young and the open one", len(threads), err)
	}
	// Stripe's events.
	for id, gone := range map[string]bool{"evt_old": true, "evt_young": false, "evt_unapplied": false} {
		_, err := events.FindEventByID(ctx, id)
		if got := marketplace.ErrorCode(err) == marketplace.ENOTFOUND; got != gone {
			t.Errorf("event %s: gone %v (%v); want %v", id, got, err, gone)
		}
	}
}

// insertClosed stores a listing in a final status whose last change was at.
func insertClosed(tb testing.TB, e *env, status marketplace.ListingStatus, at time.Time) *marketplace.Listing {
	tb.Helper()
	l := &marketplace.Listing{MemberID: "65a1b2c3d4e5f60718293a4b", Kind: marketplace.KindOffer, Title: "Risograph zines",
		Category: "risograph-screen-print", Remote: true, Status: status, Version: 1, CreatedAt: at, UpdatedAt: at}
	l.Normalize()
	if err := e.listings.CreateListing(context.Background(), l); err != nil {
		tb.Fatal(err)
	}
	return l
}
