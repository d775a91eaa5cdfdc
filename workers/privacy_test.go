package workers_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson"

	"cooptrade/cmd/marketplace/app/apptest"
	"cooptrade/marketplace"
	"cooptrade/payments"
	"cooptrade/search"
)

// TestErasedMemberLeavesSearchAndMatching erases a member whose offer is
// indexed and in the candidate pool: the offer leaves matching at once
// and search with the job the erasure queues, while another member's stays.
func TestErasedMemberLeavesSearchAndMatching(t *testing.T) {
	me := setupMatchingWith(t, apptest.Options{Workers: 1})
	ctx := context.Background()
	erased, owner := me.member(t, "Erased Printers", "LS9 8AB")
	gone := me.publish(t, owner, leafletOffer("LS9 8AB", 50))
	_, keptOwner := me.member(t, "Kept Printers", "LS9 8AB")
	kept := me.publish(t, keptOwner, leafletOffer("LS9 8AB", 50))
	_, buyer := me.member(t, "Buying Tenants", "LS6 1AA")
	need := me.publish(t, buyer, leafletNeed())
	waitForIdleQueues(t, me.env)

	indexed := func() []string {
		t.Helper()
		docs, err := me.app.Search.(interface {
			Documents(context.Context) ([]search.Document, error)
		}).Documents(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, d := range docs {
			ids = append(ids, d.ID)
		}
		return ids
	}
	offers := func() []string {
		t.Helper()
		best, err := me.service.Pool.BestMatches(ctx, need, true, me.now, 10)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, m := range best {
			ids = append(ids, m.OfferID)
		}
		return ids
	}
	if ids := indexed(); !slices.Contains(ids, gone.ID) || !slices.Contains(ids, kept.ID) {
		t.Fatalf("before erasure the index holds %v; want both offers", ids)
	}
	if ids := offers(); !slices.Contains(ids, gone.ID) || !slices.Contains(ids, kept.ID) {
		t.Fatalf("before erasure matching finds %v; want both offers", ids)
	}

	if err := me.service.ErasePersonalData(me.staff, marketplace.MemberSubject(erased.ID)); err != nil {
		t.Fatal(err)
	}
	if ids := offers(); slices.Contains(ids, gone.ID) || !slices.Contains(ids, kept.ID) {
		t.Errorf("after erasure matching finds %v; want %s alone", ids, kept.ID)
	}
	waitForIdleQueues(t, me.env)
	if ids := indexed(); slices.Contains(ids, gone.ID) || !slices.Contains(ids, kept.ID) {
		t.Errorf("after erasure the index holds %v; want %s, not %s", ids, kept.ID, gone.ID)
	}
}

// TestExportBuiltByAJob asks for a member's export, lets the job build it,
// and fetches it from the link.
func TestExportBuiltByAJob(t *testing.T) {
	me := setupMatchingWith(t, apptest.Options{Workers: 1})
	m, _ := me.member(t, "Exported Printers", "LS9 8AB")
	secret, req, err := me.service.RequestExport(me.staff, marketplace.MemberSubject(m.ID))
	if err != nil {
		t.Fatal(err)
	}
	if req.Status != marketplace.ExportPending {
		t.Fatalf("a new request: %+v", req)
	}
	waitForIdleQueues(t, me.env)
	got, err := me.service.FetchExport(me.staff, secret)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != marketplace.ExportReady || !strings.Contains(string(got.Body), "Exported Printers") {
		t.Errorf("after the job: %s, %.300s", got.Status, got.Body)
	}
}

// TestEraseMemberEverywhere plants a marker in a member's and its owner's
// data through the use cases (profile, account, token, session, saved
// search, listing in search, mail, dues, an invitation sent, an
// application to join made, an enquiry answered, a deal, a quote), finds
// it in the exports, erases
// the member, and then finds the marker nowhere: in no raw document of any
// collection, nor the search index; the dues payment stays.
func TestEraseMemberEverywhere(t *testing.T) {
	me := setupMatchingWith(t, apptest.Options{Workers: 1})
	ctx := context.Background()
	const marker = "zqxmark"
	m := &marketplace.Member{Kind: marketplace.MemberEnterprise, Name: "Zqxmark Printers", Email: "hello@zqxmark.example",
		Postcode: "LS9 8AB", Standing: marketplace.StandingPending, Description: "Riso by zqxmark."}
	if err := me.service.CreateMember(me.staff, m); err != nil {
		t.Fatal(err)
	}
	u, err := me.service.AddUser(me.staff, m.ID, marketplace.NewUser{Email: "sam@zqxmark.example", Name: "Sam Zqxmark",
		Password: "owner password 123", Role: marketplace.RoleOwner})
	if err != nil {
		t.Fatal(err)
	}
	owner := marketplace.NewContextWithUser(ctx, u)
	pay := me.app.Payments
	labour := int64(300_000_00)
	app, err := pay.Apply(owner, payments.ApplicationInput{LabourCostsPence: &labour})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pay.DecideApplication(me.staff, app.ID, payments.Decision{Status: payments.ApplicationApproved, Notes: "zqxmark asked nicely"}); err != nil {
		t.Fatal(err)
	}
	start := time.Now().UTC().Truncate(24 * time.Hour)
	if _, err := pay.RecordOfflinePayment(me.staff, m.ID, payments.OfflinePaymentInput{AmountPence: 360_00,
		PeriodStart: start, PeriodEnd: start.AddDate(1, 0, 0), Reference: "BACS ZQX"}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := me.service.CreatePersonalToken(owner, "zqxmark script"); err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := me.service.StartSession(ctx, u.Email, "owner password 123"); err != nil {
		t.Fatal(err)
	}
	// The way in: the owner invites a colleague, and applies to join for
	// themselves as a worker member from their own address.
	if _, err := me.service.Invite(owner, m.ID, marketplace.InvitationRequest{Email: "kit@zqxmark.example", Role: marketplace.RoleEditor}); err != nil {
		t.Fatal(err)
	}
	if err := me.service.ApplyToJoin(ctx, marketplace.JoinApplicationRequest{Kind: marketplace.MemberWorker, Name: "Holme Valley Joinery",
		Sector: "printing-publishing", Postcode: "HD9 1AA", Statement: "Joinery, by a printer.", ApplicantName: "Sam Jones", Email: u.Email}); err != nil {
		t.Fatal(err)
	}
	if _, err := me.service.CreateAlert(owner, marketplace.NewAlert{Name: "zqxmark's search", Query: "q=riso", Frequency: marketplace.AlertDaily}); err != nil {
		t.Fatal(err)
	}
	offer := leafletOffer("LS9 8AB", 50)
	offer.Title = "Zqxmark riso leaflets"
	l := me.publish(t, owner, offer)
	if _, err := me.app.Stores.Notifications.CreateNotification(ctx, &marketplace.Notification{ID: "mail-" + u.ID, Type: "match.new",
		Channel: marketplace.ChannelEmail, MemberID: m.ID, UserID: u.ID, To: u.Email, Subject: "A match",
		Text: "Dear Sam Zqxmark", HTML: "<p>Dear Sam Zqxmark</p>", Status: marketplace.NotificationSent, CreatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	// Trade: another member enquires about the offer, the owner answers
	// and reports the deal, and quotes for the other member's need.
	_, buyer := me.member(t, "Tenants Union Print", "LS6 1AA")
	th, err := me.service.StartEnquiry(buyer, l.ID, marketplace.EnquiryInput{Body: "Could you print 5,000 by March?"})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := me.service.PostThreadMessage(owner, th.ID, "", "Zqxmark can, by Friday."); err != nil {
		t.Fatal(err)
	}
	deal, err := me.service.ReportThreadDeal(owner, th.ID, marketplace.DealInput{ValuePence: 42000,
		Date: time.Now().UTC().Format(time.DateOnly), What: "5,000 zqxmark leaflets"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := me.service.AnswerDeal(buyer, deal.ID, "", true, ""); err != nil {
		t.Fatal(err)
	}
	need := me.publish(t, buyer, leafletNeed())
	quote, err := me.service.SendQuote(owner, need.ID, marketplace.QuoteInput{PricePence: 45000, PriceUnit: "job",
		Covers: "Riso by zqxmark", ValidUntil: time.Now().UTC().AddDate(0, 1, 0).Format(time.DateOnly)})
	if err != nil {
		t.Fatal(err)
	}
	waitForIdleQueues(t, me.env)
	docs := func() string {
		t.Helper()
		all, err := me.app.Search.(interface {
			Documents(context.Context) ([]search.Document, error)
		}).Documents(ctx)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(all)
		return strings.ToLower(string(b))
	}
	if !strings.Contains(docs(), marker) {
		t.Fatalf("the listing %s is not in the index", l.ID)
	}

	for _, sub := range []marketplace.Subject{marketplace.UserSubject(u.ID), marketplace.MemberSubject(m.ID)} {
		export, err := me.service.ExportPersonalData(me.staff, sub)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(export)
		if !strings.Contains(strings.ToLower(string(b)), marker) {
			t.Errorf("the export of %v holds no marker", sub)
		}
		kinds := []string{"invitations"}
		if sub.Kind == marketplace.SubjectUser {
			kinds = append(kinds, "join_applications")
		} else {
			kinds = append(kinds, "threads", "deals", "quotes")
		}
		for _, kind := range kinds {
			if b, _ := json.Marshal(export.Records[kind]); !strings.Contains(strings.ToLower(string(b)), marker) && !strings.Contains(string(b), sub.ID) {
				t.Errorf("the export of %v: its %s hold nothing of it: %s", sub, kind, b)
			}
		}
	}

	if err := me.service.ErasePersonalData(me.staff, marketplace.MemberSubject(m.ID)); err != nil {
		t.Fatal(err)
	}
	waitForIdleQueues(t, me.env)

	db := me.app.DB.Database
	names, err := db.ListCollectionNames(ctx, bson.D{})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range names {
		cur, err := db.Collection(name).Find(ctx, bson.D{})
		if err != nil {
			t.Fatal(err)
		}
		for cur.Next(ctx) {
			raw := strings.ToLower(cur.Current.String())
			gone := []string{marker, u.ID}
			if name != "dues_accounts" && name != "dues_applications" {
				// The dues stay under the member's ID alone.
				gone = append(gone, m.ID)
			}
			for _, g := range gone {
				if strings.Contains(raw, g) {
					t.Errorf("after erasure %s still holds %q: %.300s", name, g, raw)
				}
			}
		}
		if err := cur.Close(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if strings.Contains(docs(), marker) {
		t.Errorf("after erasure the search index still holds the marker")
	}
	// The deal stays for the figures; the thread and the quote go.
	if d, err := me.app.Stores.Deals.FindDealByID(ctx, deal.ID); err != nil || d.ValuePence != 42000 || d.Status != marketplace.DealConfirmed ||
		!strings.HasPrefix(d.SupplierMemberID, "erased:") {
		t.Errorf("the deal after erasure: %+v, %v", d, err)
	}
	if _, err := me.app.Stores.Threads.FindThreadByID(ctx, th.ID); marketplace.ErrorCode(err) != marketplace.ENOTFOUND {
		t.Errorf("the member's thread after erasure: %v", err)
	}
	if _, err := me.app.Stores.Quotes.FindQuoteByID(ctx, quote.ID); marketplace.ErrorCode(err) != marketplace.ENOTFOUND {
		t.Errorf("the member's quote after erasure: %v", err)
	}
	a, err := me.app.PaymentStores.Accounts.FindAccount(ctx, m.ID)
	if err != nil || len(a.OfflinePayments) != 1 || a.OfflinePayments[0].AmountPence != 360_00 {
		t.Errorf("the dues payment after erasure: %+v, %v", a, err)
	}
}

// TestAuditNamesNoInvitee: the audit log outlives an invited person's
// erasure as a user, and only the erasure of what it is about takes its
// details; so inviting, sending again and withdrawing record the
// invitation, never the address it went to.
func TestAuditNamesNoInvitee(t *testing.T) {
	me := setupMatchingWith(t, apptest.Options{Workers: 1})
	ctx := context.Background()
	m := &marketplace.Member{Kind: marketplace.MemberEnterprise, Name: "Audit Printers", Email: "hello@audit-printers.example",
		Postcode: "LS9 8AB", Standing: marketplace.StandingPending}
	if err := me.service.CreateMember(me.staff, m); err != nil {
		t.Fatal(err)
	}
	const invitee = "kit@invited-person.example"
	inv, err := me.service.Invite(me.staff, m.ID, marketplace.InvitationRequest{Email: invitee, Role: marketplace.RoleEditor})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := me.service.ResendInvitation(me.staff, m.ID, inv.ID); err != nil {
		t.Fatal(err)
	}
	if err := me.service.WithdrawInvitation(me.staff, m.ID, inv.ID); err != nil {
		t.Fatal(err)
	}
	cur, err := me.app.DB.Database.Collection("audit").Find(ctx, bson.D{})
	if err != nil {
		t.Fatal(err)
	}
	defer cur.Close(ctx)
	seen := 0
	for cur.Next(ctx) {
		raw := cur.Current.String()
		if strings.Contains(raw, inv.ID) {
			seen++
		}
		if strings.Contains(raw, invitee) {
			t.Errorf("the audit log names the invitee: %.300s", raw)
		}
	}
	if seen != 3 {
		t.Errorf("%d audit entries name the invitation; want 3 (invited, sent again, withdrawn)", seen)
	}
}

// TestErasedPublicWriterIsNotMailed: a member of the public wrote from
// the address of someone who later had an account and closed it; the
// supplier's answer then mails no one (the address is gone), while the
// supplier's own people still read the thread.
func TestErasedPublicWriterIsNotMailed(t *testing.T) {
	me := setupMatchingWith(t, apptest.Options{Workers: 1})
	ctx := context.Background()
	supplier, owner := me.member(t, "Calder Print", "HX7 5AA")
	offer := me.publish(t, owner, leafletOffer("HX7 5AA", 50))
	buyerM, _ := me.member(t, "Hebden Bakers", "HX7 6AA")
	u, err := me.service.AddUser(me.staff, buyerM.ID, marketplace.NewUser{Email: "rhian@example.org", Name: "Rhian",
		Password: "a long password 1", Role: marketplace.RoleEditor})
	if err != nil {
		t.Fatal(err)
	}
	// The enquiry as the member of the public left it, address confirmed.
	now := time.Now().UTC()
	th := &marketplace.Thread{ID: "publicthread1", Kind: marketplace.ThreadEnquiry, Status: marketplace.ThreadOpen, ListingID: offer.ID,
		ListingTitle: offer.Title, SupplierMemberID: supplier.ID, SupplierName: supplier.Name, BuyerName: "Rhian",
		People: []*marketplace.ThreadPerson{{Key: "public", Side: marketplace.SideBuyer, Name: "Rhian", Email: u.Email, Salt: "salt"}},
		Messages: []*marketplace.ThreadMessage{{ID: "1", Side: marketplace.SideBuyer, Author: "Rhian", AuthorKey: "public",
			Body: "Leaflets?", Via: "web", Key: "web:1", CreatedAt: now}}, Version: 1, CreatedAt: now, UpdatedAt: now}
	if err := me.app.Stores.Threads.CreateThread(ctx, th); err != nil {
		t.Fatal(err)
	}
	answer := func(body string) string {
		t.Helper()
		_, msg, err := me.service.PostThreadMessage(owner, th.ID, "", body)
		if err != nil {
			t.Fatal(err)
		}
		return marketplace.NotificationKey("thread:"+th.ID+":"+msg.ID, "public", marketplace.ChannelEmail)
	}
	if n, err := me.app.Stores.Notifications.FindNotificationByID(ctx, answer("Yes.")); err != nil || n.To != u.Email {
		t.Fatalf("before erasure the writer is mailed: %+v, %v", n, err)
	}

	if err := me.service.ErasePersonalData(me.staff, marketplace.UserSubject(u.ID)); err != nil {
		t.Fatal(err)
	}
	if n, err := me.app.Stores.Notifications.FindNotificationByID(ctx, answer("Still there?")); marketplace.ErrorCode(err) != marketplace.ENOTFOUND {
		t.Errorf("after erasure the answer is mailed: %+v, %v", n, err)
	}
	got, err := me.app.Stores.Threads.FindThreadByID(ctx, th.ID)
	if err != nil || len(got.Messages) != 3 || got.Messages[0].Body != "" || got.Person("public").Email != "" {
		t.Errorf("the thread after erasure: %+v, %v", got, err)
	}
}
