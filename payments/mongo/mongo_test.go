package mongo_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.mongodb.org/mongo-driver/bson/primitive"

	"cooptrade/marketplace"
	"cooptrade/mongodb/mongodbtest"
	"cooptrade/payments"
	"cooptrade/payments/mongo"
)

func openStores(tb testing.TB) *mongo.Stores {
	tb.Helper()
	db := mongodbtest.NewDB(tb)
	ctx := context.Background()
	s, err := mongo.Open(ctx, db)
	if err != nil {
		tb.Fatal(err)
	}
	// Opening again finds the indexes made and makes none twice.
	if _, err := mongo.Open(ctx, db); err != nil {
		tb.Fatalf("open a second time: %v", err)
	}
	return s
}

var now = time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)

func TestAccountStore(t *testing.T) {
	s := openStores(t)
	ctx := context.Background()
	member := primitive.NewObjectID().Hex()

	if _, err := s.Accounts.FindAccount(ctx, member); marketplace.ErrorCode(err) != marketplace.ENOTFOUND {
		t.Fatalf("find a missing account: %v; want ENOTFOUND", err)
	}
	dues, _ := payments.DuesPolicy{}.Compute(marketplace.MemberEnterprise, 500_000_00, nil)
	a := &payments.Account{
		MemberID: member, CustomerID: "cus_1",
		Subscription: payments.Subscription{ID: "sub_1", Status: "past_due", CurrentPeriodEnd: now.AddDate(1, 0, 0),
			CancelAtPeriodEnd: true, EventCreated: now, EventID: "evt_1"},
		PastDueSince: now, PaidThrough: now.AddDate(0, -1, 0), ActionRequiredURL: "https://invoice.stripe.com/i/1",
		WaiverUntil: now.AddDate(0, 2, 0), WaiverReason: "flood",
		OfflinePaidThrough: now.AddDate(0, 3, 0),
		OfflinePayments: []payments.OfflinePayment{{AmountPence: 180_00, PeriodStart: now, PeriodEnd: now.AddDate(0, 3, 0),
			Reference: "BACS 1", RecordedBy: "ada@federation.example", RecordedAt: now}},
		Years:       []payments.YearDues{{Year: 2026, LabourCostsPence: 500_000_00, Dues: dues, ApplicationID: "app1"}},
		RemindedFor: now.AddDate(1, 0, 0), ReviewAt: now.AddDate(0, 1, 0), RenewsAt: now.AddDate(1, 0, 0),
		CreatedAt: now, UpdatedAt: now,
	}
	if err := s.Accounts.SaveAccount(ctx, a, 0); err != nil {
		t.Fatal(err)
	}
	if a.Version != 1 {
		t.Fatalf("version %d after creation; want 1", a.Version)
	}
	got, err := s.Accounts.FindAccount(ctx, member)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(a, got); diff != "" {
		t.Fatalf("round trip (-want +got):\n%s", diff)
	}
	if byCustomer, err := s.Accounts.FindAccountByCustomer(ctx, "cus_1"); err != nil || byCustomer.MemberID != member {
		t.Fatalf("find by customer: %+v, %v", byCustomer, err)
	}
	if _, err := s.Accounts.FindAccountByCustomer(ctx, "cus_other"); marketplace.ErrorCode(err) != marketplace.ENOTFOUND {
		t.Fatalf("find by an unknown customer: %v", err)
	}

	t.Run("ErrStale", func(t *testing.T) {
		again := &payments.Account{MemberID: member}
		if err := s.Accounts.SaveAccount(ctx, again, 0); marketplace.ErrorCode(err) != marketplace.EPRECONDITION {
			t.Fatalf("create an existing account: %v; want EPRECONDITION", err)
		}
		got.WaiverReason = "storm"
		if err := s.Accounts.SaveAccount(ctx, got, 1); err != nil {
			t.Fatal(err)
		}
		a.WaiverReason = "lost update"
		if err := s.Accounts.SaveAccount(ctx, a, 1); marketplace.ErrorCode(err) != marketplace.EPRECONDITION {
			t.Fatalf("write version 1 again: %v; want EPRECONDITION", err)
		}
	})

	t.Run("OneWriterOfAVersionWins", func(t *testing.T) {
		cur, err := s.Accounts.FindAccount(ctx, member)
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		results := make(chan error, 8)
		for i := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				c := *cur
				c.WaiverReason = string(rune('a' + i))
				results <- s.Accounts.SaveAccount(ctx, &c, cur.Version)
			}()
		}
		wg.Wait()
		close(results)
		won := 0
		for err := range results {
			switch marketplace.ErrorCode(err) {
			case "":
				won++
			case marketplace.EPRECONDITION:
			default:
				t.Fatal(err)
			}
		}
		if won != 1 {
			t.Fatalf("%d writers of version %d won; want 1", won, cur.Version)
		}
	})

	t.Run("Ranges", func(t *testing.T) {
		other := &payments.Account{MemberID: primitive.NewObjectID().Hex(), ReviewAt: now.AddDate(0, 0, 1), RenewsAt: now.AddDate(0, 0, 20)}
		none := &payments.Account{MemberID: primitive.NewObjectID().Hex()}
		for _, x := range []*payments.Account{other, none} {
			if err := s.Accounts.SaveAccount(ctx, x, 0); err != nil {
				t.Fatal(err)
			}
		}
		ids := func(accounts []*payments.Account) []string {
			out := []string{}
			for _, a := range accounts {
				out = append(out, a.MemberID)
			}
			return out
		}
		due, err := s.Accounts.FindAccountsToReview(ctx, now.AddDate(0, 0, 2), 10)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]string{other.MemberID}, ids(due)); diff != "" {
			t.Errorf("to review (-want +got):\n%s", diff)
		}
		due, _ = s.Accounts.FindAccountsToReview(ctx, now.AddDate(0, 2, 0), 10)
		if diff := cmp.Diff([]string{other.MemberID, member}, ids(due)); diff != "" {
			t.Errorf("to review later (-want +got):\n%s", diff)
		}
		renewing, err := s.Accounts.FindAccountsRenewing(ctx, now, now.AddDate(0, 0, 30), 10)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]string{other.MemberID}, ids(renewing)); diff != "" {
			t.Errorf("renewing (-want +got):\n%s", diff)
		}
		byID, err := s.Accounts.FindAccounts(ctx, []string{member, none.MemberID, primitive.NewObjectID().Hex(), "junk"})
		if err != nil {
			t.Fatal(err)
		}
		if len(byID) != 2 || byID[member] == nil || byID[none.MemberID] == nil {
			t.Errorf("find accounts by member: %v", byID)
		}
	})
}

func TestApplicationStore(t *testing.T) {
	s := openStores(t)
	ctx := context.Background()
	member, other := primitive.NewObjectID().Hex(), primitive.NewObjectID().Hex()
	dues, _ := payments.DuesPolicy{}.Compute(marketplace.MemberEnterprise, 500_000_00, nil)
	var made []*payments.Application
	for i, m := range []string{member, member, other, member} {
		a := &payments.Application{MemberID: m, Year: 2026 + i%2, Kind: payments.ApplicationDeclaration,
			LabourCostsPence: 500_000_00, Dues: dues, Status: payments.ApplicationPending, Version: 1, CreatedAt: now, UpdatedAt: now}
		if err := s.Applications.CreateApplication(ctx, a); err != nil {
			t.Fatal(err)
		}
		made = append(made, a)
	}
	got, err := s.Applications.FindApplicationByID(ctx, made[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(made[0], got); diff != "" {
		t.Fatalf("round trip (-want +got):\n%s", diff)
	}
	for _, id := range []string{primitive.NewObjectID().Hex(), "junk"} {
		if _, err := s.Applications.FindApplicationByID(ctx, id); marketplace.ErrorCode(err) != marketplace.ENOTFOUND {
			t.Errorf("find %q: %v; want ENOTFOUND", id, err)
		}
	}

	decided := now.Add(time.Hour)
	got.Status, got.StaffNotes, got.DecidedBy, got.DecidedAt = payments.ApplicationApproved, "fine", "ada", &decided
	if err := s.Applications.UpdateApplication(ctx, got, 1); err != nil {
		t.Fatal(err)
	}
	if got.Version != 2 {
		t.Fatalf("version %d; want 2", got.Version)
	}
	if err := s.Applications.UpdateApplication(ctx, made[0], 1); marketplace.ErrorCode(err) != marketplace.EPRECONDITION {
		t.Fatalf("stale update: %v; want EPRECONDITION", err)
	}

	ids := func(apps []*payments.Application) []string {
		out := []string{}
		for _, a := range apps {
			out = append(out, a.ID)
		}
		return out
	}
	page1, next, err := s.Applications.FindApplications(ctx, payments.ApplicationFilter{MemberID: member, Limit: 2})
	if err != nil {
		t.Fatal(err)
	}
	page2, end, err := s.Applications.FindApplications(ctx, payments.ApplicationFilter{MemberID: member, Limit: 2, Cursor: next})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{made[3].ID, made[1].ID, made[0].ID}, append(ids(page1), ids(page2)...)); diff != "" || end != "" {
		t.Errorf("the member's applications, newest first (-want +got):\n%s (end cursor %q)", diff, end)
	}
	pending, _, _ := s.Applications.FindApplications(ctx, payments.ApplicationFilter{Status: payments.ApplicationPending, Year: 2027})
	if diff := cmp.Diff([]string{made[3].ID, made[1].ID}, ids(pending)); diff != "" {
		t.Errorf("pending of 2027 (-want +got):\n%s", diff)
	}
	if _, _, err := s.Applications.FindApplications(ctx, payments.ApplicationFilter{Cursor: "junk"}); marketplace.ErrorCode(err) != marketplace.EINVALID {
		t.Errorf("bad cursor: %v; want EINVALID", err)
	}
}

func TestEventStore(t *testing.T) {
	s := openStores(t)
	ctx := context.Background()
	e := &payments.Event{ID: "evt_1", Type: "invoice.paid", Created: now, Payload: `{"id":"evt_1","data":{"object":{"metadata":{"a.b":"$x"}}}}`, ReceivedAt: now}
	if err := s.Events.CreateEvent(ctx, e); err != nil {
		t.Fatal(err)
	}
	if err := s.Events.CreateEvent(ctx, e); marketplace.ErrorCode(err) != marketplace.ECONFLICT {
		t.Fatalf("store the same event again: %v; want ECONFLICT", err)
	}
	late := &payments.Event{ID: "evt_2", Type: "invoice.paid", Created: now, Payload: "{}", ReceivedAt: now.Add(time.Hour)}
	if err := s.Events.CreateEvent(ctx, late); err != nil {
		t.Fatal(err)
	}
	got, err := s.Events.FindEventByID(ctx, "evt_1")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(e, got); diff != "" {
		t.Fatalf("round trip (-want +got):\n%s", diff)
	}
	waiting, err := s.Events.FindUnappliedEvents(ctx, now.Add(time.Minute), 10)
	if err != nil || len(waiting) != 1 || waiting[0].ID != "evt_1" {
		t.Fatalf("unapplied before now+1m: %v, %v; want evt_1", waiting, err)
	}
	for i, want := range []bool{true, false, false} {
		marked, err := s.Events.MarkEventApplied(ctx, "evt_1", now.Add(time.Duration(i)*time.Minute), "applied")
		if err != nil || marked != want {
			t.Fatalf("mark applied, time %d: %v, %v; want %v", i+1, marked, err, want)
		}
	}
	got, _ = s.Events.FindEventByID(ctx, "evt_1")
	if got.AppliedAt == nil || !got.AppliedAt.Equal(now) || got.Outcome != "applied" {
		t.Fatalf("applied at %v (%q); want the first marking's time", got.AppliedAt, got.Outcome)
	}
	if waiting, _ := s.Events.FindUnappliedEvents(ctx, now.Add(2*time.Hour), 10); len(waiting) != 1 || waiting[0].ID != "evt_2" {
		t.Fatalf("unapplied after marking: %v; want evt_2 only", waiting)
	}
	if _, err := s.Events.FindEventByID(ctx, "evt_none"); marketplace.ErrorCode(err) != marketplace.ENOTFOUND {
		t.Fatalf("find a missing event: %v", err)
	}
}

func TestObjectStore(t *testing.T) {
	s := openStores(t)
	ctx := context.Background()
	if _, err := s.Objects.FindObjectID(ctx, "tax_rate:vat:2000:test"); marketplace.ErrorCode(err) != marketplace.ENOTFOUND {
		t.Fatalf("find missing: %v", err)
	}
	if id, err := s.Objects.SaveObjectID(ctx, "tax_rate:vat:2000:test", "txr_1"); err != nil || id != "txr_1" {
		t.Fatalf("save: %q, %v", id, err)
	}
	if id, err := s.Objects.SaveObjectID(ctx, "tax_rate:vat:2000:test", "txr_2"); err != nil || id != "txr_1" {
		t.Fatalf("save a second: %q, %v; want the first kept", id, err)
	}
	if id, err := s.Objects.FindObjectID(ctx, "tax_rate:vat:2000:test"); err != nil || id != "txr_1" {
		t.Fatalf("find: %q, %v", id, err)
	}
}
