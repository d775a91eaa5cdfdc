package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"cooptrade/marketplace"
	"cooptrade/payments"
	paymongo "cooptrade/payments/mongo"
	"cooptrade/payments/stripetest"
	"cooptrade/workers"
)

// duesServer is the application with dues, Stripe through stripe-mock
// when on. The dues' clock starts at start and moves only when a test
// moves it; the marketplace's stays at start, so that tokens stay valid
// while the dues' clock moves by years.
type duesServer struct {
	*testServer
	Stores *paymongo.Stores
	logs   *syncBuffer
	clock  atomic.Int64 // unix nanoseconds
}

var start = time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)

func (ds *duesServer) Now() time.Time { return time.Unix(0, ds.clock.Load()).UTC() }

// advance moves the clock the service sees.
func (ds *duesServer) advance(d time.Duration) { ds.clock.Add(int64(d)) }

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

func newDuesServer(tb testing.TB, withStripe bool) *duesServer {
	tb.Helper()
	ds := &duesServer{logs: &syncBuffer{}}
	ds.clock.Store(start.UnixNano())
	// Every member of these tests signs in its owner.
	ds.testServer = newTestServer(tb, options{Stripe: withStripe, Logs: ds.logs, DuesNow: ds.Now, LoginsPerMinute: 1000, WritesPerMinute: 10000})
	ds.now = start
	ds.Stores = ds.PaymentStores
	return ds
}

// applicant admits a pending enterprise member with an owner, signed in.
func (ds *duesServer) applicant(tb testing.TB, staff, name string) (*marketplace.Member, string) {
	tb.Helper()
	return ds.memberWithOwner(tb, staff, name, marketplace.StandingPending)
}

// approvedMember admits a member, declares £500,000 of labour costs for
// this year and has staff approve them: the member awaits payment of £500
// + VAT.
func (ds *duesServer) approvedMember(tb testing.TB, staff, name string) (*marketplace.Member, string) {
	tb.Helper()
	m, owner := ds.applicant(tb, staff, name)
	var app payments.Application
	ds.do(tb, "POST", "/v1/dues/application", owner, map[string]any{"labour_costs_pence": 500_000_00}).must(tb, 201).decode(tb, &app)
	ds.do(tb, "POST", "/v1/staff/applications/"+app.ID+"/approve", staff, map[string]any{"notes": "accounts seen"}).must(tb, 200)
	ds.wantStanding(tb, m.ID, marketplace.StandingAwaitingPayment)
	return m, owner
}

func (ds *duesServer) standing(tb testing.TB, memberID string) marketplace.Standing {
	tb.Helper()
	m, err := ds.Service.Members.FindMemberByID(context.Background(), memberID)
	if err != nil {
		tb.Fatal(err)
	}
	return m.Standing
}

func (ds *duesServer) wantStanding(tb testing.TB, memberID string, want marketplace.Standing) {
	tb.Helper()
	if got := ds.standing(tb, memberID); got != want {
		tb.Fatalf("standing %s; want %s", got, want)
	}
}

// standingChanges returns the audited changes of a member's standing, oldest
// first, as "from→to".
func (ds *duesServer) standingChanges(tb testing.TB, memberID string) []string {
	tb.Helper()
	entries, _, err := ds.Service.Audit.FindAudit(context.Background(), marketplace.AuditFilter{Subject: "member:" + memberID, Action: "member.standing", Limit: 100})
	if err != nil {
		tb.Fatal(err)
	}
	var out []string
	for i := len(entries) - 1; i >= 0; i-- {
		out = append(out, entries[i].Details["from"]+"→"+entries[i].Details["to"])
	}
	return out
}

// audit returns the actions of the audit log about a member, oldest first.
func (ds *duesServer) audit(tb testing.TB, memberID string) []*marketplace.AuditEntry {
	tb.Helper()
	entries, _, err := ds.Service.Audit.FindAudit(context.Background(), marketplace.AuditFilter{Subject: "member:" + memberID, Limit: 100})
	if err != nil {
		tb.Fatal(err)
	}
	for i, j := 0, len(entries)-1; i < j; i, j = i+1, j-1 {
		entries[i], entries[j] = entries[j], entries[i]
	}
	return entries
}

// post signs and posts an event to the webhook; it returns the response.
func (ds *duesServer) post(tb testing.TB, e stripetest.Event) *response {
	tb.Helper()
	body := e.Payload(tb)
	return ds.do(tb, "POST", "/v1/stripe/webhook", "", body, "Stripe-Signature", stripetest.Sign(body))
}

// deliver posts an event and then runs its job, as a worker would.
func (ds *duesServer) deliver(tb testing.TB, e stripetest.Event) {
	tb.Helper()
	ds.post(tb, e).must(tb, 200)
	ds.runEventJob(tb, e.ID)
}

func (ds *duesServer) runEventJob(tb testing.TB, id string) {
	tb.Helper()
	payload, _ := json.Marshal(payments.EventPayload{EventID: id})
	if err := ds.Payments.HandleStripeEvent(context.Background(), payload); err != nil {
		tb.Fatalf("apply %s: %v\n%s", id, err, ds.logs.String())
	}
}

// queued returns the IDs of the jobs waiting on the critical queue.
func (ds *duesServer) queued(tb testing.TB) []string {
	tb.Helper()
	insp := asynq.NewInspector(ds.Redis.Opt())
	defer insp.Close()
	tasks, err := insp.ListPendingTasks(workers.QueueCritical, asynq.PageSize(10_000))
	if err != nil && !strings.Contains(err.Error(), "not found") {
		tb.Fatal(err)
	}
	var ids []string
	for _, t := range tasks {
		if t.Type != payments.TypeStripeEvent {
			tb.Errorf("job %s of type %s on the critical queue", t.ID, t.Type)
		}
		ids = append(ids, t.ID)
	}
	return ids
}

// Stripe objects as webhook events carry them.

func checkoutCompleted(memberID, customer, sub, paymentStatus string) map[string]any {
	return map[string]any{
		"id": "cs_test_" + memberID, "object": "checkout.session", "mode": "subscription", "status": "complete",
		"payment_status": paymentStatus, "customer": customer, "subscription": sub, "client_reference_id": memberID,
		"metadata": map[string]string{"member_id": memberID},
	}
}

func invoice(memberID, customer, sub, reason string, periodStart, periodEnd time.Time, amount int64) map[string]any {
	return map[string]any{
		"id": fmt.Sprintf("in_%s_%d", sub, periodEnd.Unix()), "object": "invoice", "customer": customer, "subscription": sub,
		"billing_reason": reason, "status": "open", "hosted_invoice_url": "https://invoice.stripe.com/i/" + sub,
		"subscription_details": map[string]any{"metadata": map[string]string{"member_id": memberID}},
		"lines": map[string]any{"object": "list", "data": []map[string]any{{
			"object": "line_item", "amount": amount,
			"period": map[string]int64{"start": periodStart.Unix(), "end": periodEnd.Unix()},
			"price":  map[string]any{"object": "price", "unit_amount": amount, "currency": "gbp"},
		}}},
	}
}

func subscription(memberID, customer, sub, status string, periodEnd time.Time) map[string]any {
	return map[string]any{
		"id": sub, "object": "subscription", "customer": customer, "status": status,
		"current_period_end": periodEnd.Unix(), "cancel_at_period_end": false,
		"metadata": map[string]string{"member_id": memberID},
	}
}

// payingMember is an approved member that has paid its first year by
// card: Checkout completed and the first invoice paid.
func (ds *duesServer) payingMember(tb testing.TB, staff, name string) (m *marketplace.Member, owner, customer, sub string) {
	tb.Helper()
	m, owner = ds.approvedMember(tb, staff, name)
	customer, sub = "cus_"+m.ID, "sub_"+m.ID
	now := ds.Now()
	ds.deliver(tb, stripetest.Event{ID: "evt_cs_" + m.ID, Type: "checkout.session.completed", Created: now,
		Object: checkoutCompleted(m.ID, customer, sub, "paid")})
	ds.deliver(tb, stripetest.Event{ID: "evt_paid1_" + m.ID, Type: "invoice.paid", Created: now.Add(time.Second),
		Object: invoice(m.ID, customer, sub, "subscription_create", now, now.AddDate(1, 0, 0), 500_00)})
	ds.wantStanding(tb, m.ID, marketplace.StandingActive)
	return m, owner, customer, sub
}

func TestDuesApplication(t *testing.T) {
	ds := newDuesServer(t, false)
	staff := ds.staffToken(t)
	m, owner := ds.applicant(t, staff, "Leeds Print Workers")

	t.Run("ErrInvalid", func(t *testing.T) {
		for _, tc := range []struct {
			body  any
			field string
		}{
			{map[string]any{}, "labour_costs_pence"},
			{map[string]any{"labour_costs_pence": -1}, "labour_costs_pence"},
			{`{"labour_costs_pence": 1.5}`, "labour_costs_pence"},
			{map[string]any{"labour_costs_pence": 1, "year": 2024}, "year"},
			{map[string]any{"labour_costs_pence": 40_000_00, "hardship": map[string]any{"amount_pence": 25_00}}, "hardship.reason"},
			{map[string]any{"labour_costs_pence": 40_000_00, "hardship": map[string]any{"amount_pence": 200_00, "reason": "new"}}, "hardship.amount_pence"},
			{map[string]any{"labour_costs_pence": 40_000_00, "hardship": map[string]any{"amount_pence": 50, "reason": "new"}}, "hardship.amount_pence"},
			{map[string]any{"labour_costs_pence": 1, "standing": "active"}, "standing"},
		} {
			p := ds.do(t, "POST", "/v1/dues/application", owner, tc.body).must(t, 400).problem(t)
			if len(p.Errors) == 0 || p.Errors[0].Field != tc.field {
				t.Errorf("%v: errors %+v; want one naming %s", tc.body, p.Errors, tc.field)
			}
		}
	})

	t.Run("ErrForbidden", func(t *testing.T) {
		email := "editor@" + m.Slug + ".example"
		ds.addUser(t, m.ID, marketplace.NewUser{Email: email, Password: "editor password 123", Role: marketplace.RoleEditor})
		editor := ds.login(t, email, "editor password 123")
		ds.do(t, "POST", "/v1/dues/application", editor, map[string]any{"labour_costs_pence": 1}).must(t, 403)
		ds.do(t, "POST", "/v1/dues/application", staff, map[string]any{"labour_costs_pence": 1}).must(t, 403)
		ds.do(t, "POST", "/v1/dues/application", "", map[string]any{"labour_costs_pence": 1}).must(t, 401)
		ds.do(t, "GET", "/v1/staff/applications", owner, nil).must(t, 403)
	})

	// A hardship request of £25 is accepted; a second application for the
	// year, while pending, replaces it.
	var hardship, app payments.Application
	ds.do(t, "POST", "/v1/dues/application", owner, map[string]any{
		"labour_costs_pence": 40_000_00, "hardship": map[string]any{"amount_pence": 25_00, "reason": "We started in June."},
	}).must(t, 201).decode(t, &hardship)
	if hardship.Kind != payments.ApplicationHardship || hardship.Dues.GrossPence != 30_00 || hardship.Dues.StandardNetPence != 150_00 || hardship.Status != payments.ApplicationPending {
		t.Fatalf("hardship application: %+v", hardship)
	}
	ds.do(t, "POST", "/v1/dues/application", owner, map[string]any{"labour_costs_pence": 500_000_00}).must(t, 201).decode(t, &app)
	if app.ID != hardship.ID || app.Kind != payments.ApplicationDeclaration || app.Dues.NetPence != 500_00 || app.Dues.GrossPence != 600_00 || app.Version != 2 {
		t.Fatalf("replacing application: %+v", app)
	}

	var pending struct{ Items []payments.Application }
	ds.do(t, "GET", "/v1/staff/applications?status=pending", staff, nil).must(t, 200).decode(t, &pending)
	if len(pending.Items) != 1 || pending.Items[0].ID != app.ID {
		t.Fatalf("pending applications: %+v", pending.Items)
	}
	ds.do(t, "GET", "/v1/staff/applications?status=maybe", staff, nil).must(t, 400)

	t.Run("Decisions", func(t *testing.T) {
		ds.do(t, "POST", "/v1/staff/applications/"+app.ID+"/approve", owner, nil).must(t, 403)
		ds.do(t, "POST", "/v1/staff/applications/"+app.ID+"/adjust", staff, map[string]any{"notes": "x"}).must(t, 400)
		ds.do(t, "POST", "/v1/staff/applications/"+app.ID+"/refuse", staff, map[string]any{}).must(t, 400)
		ds.do(t, "POST", "/v1/staff/applications/"+app.ID+"/adjust", staff, map[string]any{"amount_pence": 0, "notes": "nothing"}).must(t, 400)
		ds.do(t, "POST", "/v1/staff/applications/000000000000000000000000/approve", staff, nil).must(t, 404)

		var got payments.Application
		ds.do(t, "POST", "/v1/staff/applications/"+app.ID+"/adjust", staff, map[string]any{"amount_pence": 450_00, "notes": "drawings double counted"}).
			must(t, 200).decode(t, &got)
		if got.Status != payments.ApplicationAdjusted || got.Dues.NetPence != 450_00 || got.Dues.VATPence != 90_00 || got.Dues.Basis != payments.DuesAdjusted || got.StaffNotes != "drawings double counted" {
			t.Fatalf("adjusted: %+v", got)
		}
		ds.wantStanding(t, m.ID, marketplace.StandingAwaitingPayment)
		ds.do(t, "POST", "/v1/staff/applications/"+app.ID+"/approve", staff, nil).must(t, 409)

		var st payments.Status
		ds.do(t, "GET", "/v1/dues", owner, nil).must(t, 200).decode(t, &st)
		if st.Dues == nil || st.Dues.GrossPence != 540_00 || st.Standing != marketplace.StandingAwaitingPayment || len(st.Applications) != 1 {
			t.Fatalf("status: %+v", st)
		}
		var actions []string
		for _, e := range ds.audit(t, m.ID) {
			actions = append(actions, e.Action+":"+e.Reason)
		}
		want := []string{"member.create:", "dues.application.adjust:drawings double counted", "member.standing:dues application for 2026 adjusted"}
		if strings.Join(actions, "|") != strings.Join(want, "|") {
			t.Fatalf("audit %q; want %q", actions, want)
		}
	})

	t.Run("Refuse", func(t *testing.T) {
		var next payments.Application
		ds.do(t, "POST", "/v1/dues/application", owner, map[string]any{"year": 2027, "labour_costs_pence": 10}).must(t, 201).decode(t, &next)
		ds.do(t, "POST", "/v1/staff/applications/"+next.ID+"/refuse", staff, map[string]any{"notes": "Send the accounts."}).must(t, 200)
		ds.wantStanding(t, m.ID, marketplace.StandingAwaitingPayment)
		var refused struct{ Items []payments.Application }
		ds.do(t, "GET", "/v1/staff/applications?status=refused&member="+m.ID, staff, nil).must(t, 200).decode(t, &refused)
		if len(refused.Items) != 1 || refused.Items[0].StaffNotes != "Send the accounts." || refused.Items[0].DecidedBy == "" {
			t.Fatalf("refused: %+v", refused.Items)
		}
	})

	t.Run("ApprovalKeepsStandingSetByStaff", func(t *testing.T) {
		am, tok := ds.memberWithOwner(t, staff, "Long Standing Co-op", marketplace.StandingActive)
		var next payments.Application
		ds.do(t, "POST", "/v1/dues/application", tok, map[string]any{"year": 2027, "labour_costs_pence": 300_000_00}).must(t, 201).decode(t, &next)
		ds.do(t, "POST", "/v1/staff/applications/"+next.ID+"/approve", staff, nil).must(t, 200)
		ds.wantStanding(t, am.ID, marketplace.StandingActive)
	})

	t.Run("WorkerMemberActiveWithoutPaying", func(t *testing.T) {
		var w marketplace.Member
		ds.do(t, "POST", "/v1/members", staff, map[string]any{"kind": "worker", "name": "Sam Weaver", "email": "sam@weaver.example", "postcode": "LS6 1AA"}).must(t, 201).decode(t, &w)
		ds.addUser(t, w.ID, marketplace.NewUser{Email: "sam@weaver.example", Password: "worker password 123", Role: marketplace.RoleOwner})
		tok := ds.login(t, "sam@weaver.example", "worker password 123")
		ds.do(t, "POST", "/v1/dues/application", tok, map[string]any{"hardship": map[string]any{"amount_pence": 100, "reason": "x"}}).must(t, 400)
		var wapp payments.Application
		ds.do(t, "POST", "/v1/dues/application", tok, map[string]any{}).must(t, 201).decode(t, &wapp)
		if wapp.Dues.Basis != payments.DuesNone || wapp.Dues.GrossPence != 0 {
			t.Fatalf("worker application: %+v", wapp)
		}
		ds.do(t, "POST", "/v1/staff/applications/"+wapp.ID+"/adjust", staff, map[string]any{"amount_pence": 100_00, "notes": "x"}).must(t, 409)
		ds.do(t, "POST", "/v1/staff/applications/"+wapp.ID+"/approve", staff, nil).must(t, 200)
		ds.wantStanding(t, w.ID, marketplace.StandingActive)
		ds.do(t, "POST", "/v1/listings", tok, need("Leaflets for a tenants' union")).must(t, 201)
	})
}

// TestDuesWithoutStripe: with no Stripe keys the Stripe-backed endpoints
// answer 503 naming what to set, and everything else works.
func TestDuesWithoutStripe(t *testing.T) {
	ds := newDuesServer(t, false)
	staff := ds.staffToken(t)
	m, owner := ds.approvedMember(t, staff, "Pennine Print Co-op")
	for _, path := range []string{"/v1/dues/checkout", "/v1/dues/portal", "/v1/stripe/webhook"} {
		p := ds.do(t, "POST", path, owner, nil, "Stripe-Signature", "t=1,v1=00").must(t, 503).problem(t)
		if p.Type != "/problems/unavailable" || !strings.Contains(p.Detail, "STRIPE_SECRET_KEY") || !strings.Contains(p.Detail, "STRIPE_WEBHOOK_SECRET") {
			t.Errorf("%s: %+v; want a 503 naming STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET", path, p)
		}
	}
	var st payments.Status
	ds.do(t, "GET", "/v1/dues", owner, nil).must(t, 200).decode(t, &st)
	if st.StripeEnabled || st.Dues == nil || st.Dues.GrossPence != 600_00 || len(st.Invoices) != 0 {
		t.Fatalf("status without Stripe: %+v", st)
	}
	ds.do(t, "POST", "/v1/staff/members/"+m.ID+"/offline-payment", staff, map[string]any{
		"amount_pence": 600_00, "period_start": "2026-11-27", "period_end": "2027-11-26", "reference": "BACS LPW 2026",
	}).must(t, 201)
	ds.wantStanding(t, m.ID, marketplace.StandingActive)
}

func TestDuesCheckout(t *testing.T) {
	ds := newDuesServer(t, true)
	staff := ds.staffToken(t)
	ctx := context.Background()

	t.Run("ErrPending", func(t *testing.T) {
		_, owner := ds.applicant(t, staff, "Pending Co-op")
		p := ds.do(t, "POST", "/v1/dues/checkout", owner, nil).must(t, 403).problem(t)
		if !strings.Contains(p.Detail, "approval") {
			t.Fatalf("detail %q", p.Detail)
		}
		ds.do(t, "POST", "/v1/dues/portal", owner, nil).must(t, 409)
	})

	m, owner := ds.approvedMember(t, staff, "Chapeltown Kitchen")
	var sess payments.Session
	ds.do(t, "POST", "/v1/dues/checkout", owner, nil).must(t, 201).decode(t, &sess)
	if !strings.HasPrefix(sess.ID, "cs_") || !strings.HasPrefix(sess.URL, "https://") {
		t.Fatalf("checkout session: %+v", sess)
	}
	a, err := ds.Stores.Accounts.FindAccount(ctx, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(a.CustomerID, "cus_") {
		t.Fatalf("customer %q; want one stored", a.CustomerID)
	}
	taxRate, err := ds.Stores.Objects.FindObjectID(ctx, "tax_rate:vat:2000:test")
	if err != nil || !strings.HasPrefix(taxRate, "txr_") {
		t.Fatalf("VAT tax rate remembered: %q, %v", taxRate, err)
	}

	// A second Checkout (the first was abandoned) reuses the customer and
	// the tax rate.
	ds.do(t, "POST", "/v1/dues/checkout", owner, nil).must(t, 201)
	again, _ := ds.Stores.Accounts.FindAccount(ctx, m.ID)
	if again.CustomerID != a.CustomerID {
		t.Fatalf("customer %q, then %q; want one customer", a.CustomerID, again.CustomerID)
	}
	if id, _ := ds.Stores.Objects.FindObjectID(ctx, "tax_rate:vat:2000:test"); id != taxRate {
		t.Fatalf("tax rate %q, then %q", taxRate, id)
	}

	var portal payments.Session
	ds.do(t, "POST", "/v1/dues/portal", owner, nil).must(t, 201).decode(t, &portal)
	if !strings.HasPrefix(portal.ID, "bps_") || portal.URL == "" {
		t.Fatalf("portal session: %+v", portal)
	}

	var st payments.Status
	ds.do(t, "GET", "/v1/dues", owner, nil).must(t, 200).decode(t, &st)
	if !st.StripeEnabled || st.InvoicesUnavailable || len(st.Invoices) == 0 || !strings.HasPrefix(st.Invoices[0].ID, "in_") {
		t.Fatalf("status with Stripe: %+v", st)
	}
	ds.do(t, "GET", "/v1/dues?member="+m.ID, staff, nil).must(t, 200)

	t.Run("ErrAlreadySubscribed", func(t *testing.T) {
		ds.deliver(t, stripetest.Event{ID: "evt_sub_created", Type: "customer.subscription.created", Created: ds.Now(),
			Object: subscription(m.ID, a.CustomerID, "sub_kitchen", "active", ds.Now().AddDate(1, 0, 0))})
		ds.wantStanding(t, m.ID, marketplace.StandingActive)
		p := ds.do(t, "POST", "/v1/dues/checkout", owner, nil).must(t, 409).problem(t)
		if !strings.Contains(p.Detail, "portal") {
			t.Fatalf("detail %q", p.Detail)
		}
	})

	t.Run("ErrForbidden", func(t *testing.T) {
		_, rival := ds.approvedMember(t, staff, "Rival Kitchen")
		ds.do(t, "GET", "/v1/dues?member="+m.ID, rival, nil).must(t, 403)
		ds.do(t, "POST", "/v1/dues/checkout", staff, nil).must(t, 403)
	})

	t.Run("ErrNoDues", func(t *testing.T) {
		_, tok := ds.memberWithOwner(t, staff, "Never Declared", marketplace.StandingAwaitingPayment)
		p := ds.do(t, "POST", "/v1/dues/checkout", tok, nil).must(t, 409).problem(t)
		if !strings.Contains(p.Detail, "/v1/dues/application") {
			t.Fatalf("detail %q", p.Detail)
		}
	})

	// Approving next year's declaration while the member pays by
	// subscription sets the price of its renewal in Stripe.
	t.Run("NextYearSetsRenewalPrice", func(t *testing.T) {
		var next payments.Application
		ds.do(t, "POST", "/v1/dues/application", owner, map[string]any{"year": 2027, "labour_costs_pence": 800_000_00}).must(t, 201).decode(t, &next)
		ds.do(t, "POST", "/v1/staff/applications/"+next.ID+"/approve", staff, nil).must(t, 200)
		if logs := ds.logs.String(); strings.Contains(logs, "cannot set the amount") {
			t.Fatalf("the renewal price was not set:\n%s", logs)
		}
		// Stripe announces the renewal: the invoice to come bills the old
		// price, so the subscription's price is set again.
		renewal := ds.Now().AddDate(1, 0, 0)
		up := invoice(m.ID, a.CustomerID, "sub_kitchen", "upcoming", renewal, renewal.AddDate(1, 0, 0), 500_00)
		delete(up, "id")
		ds.deliver(t, stripetest.Event{ID: "evt_upcoming", Type: "invoice.upcoming", Created: ds.Now(), Object: up})
		e, err := ds.Stores.Events.FindEventByID(ctx, "evt_upcoming")
		if err != nil {
			t.Fatal(err)
		}
		if e.Outcome != "renewal price set to £800.00 for 2027" {
			t.Fatalf("outcome %q", e.Outcome)
		}
	})
}

// TestStripeWebhook posts signed events and checks, after each, that the
// member's standing is what Stripe's newest state says and that nothing
// was stored or applied twice.
func TestStripeWebhook(t *testing.T) {
	ds := newDuesServer(t, true)
	staff := ds.staffToken(t)
	ctx := context.Background()

	t.Run("OK", func(t *testing.T) {
		m, owner, _, _ := ds.payingMember(t, staff, "Valid Events Co-op")
		ds.do(t, "POST", "/v1/listings", owner, need("Leaflets")).must(t, 201)
		if diff := strings.Join(ds.standingChanges(t, m.ID), " "); diff != "pending→awaiting_payment awaiting_payment→active" {
			t.Fatalf("standing changes %q", diff)
		}
		var st payments.Status
		ds.do(t, "GET", "/v1/dues", owner, nil).must(t, 200).decode(t, &st)
		if st.PaidThrough == nil || !st.PaidThrough.Equal(start.AddDate(1, 0, 0)) || st.Subscription == nil || st.Subscription.Status != "active" {
			t.Fatalf("status: %+v", st)
		}
		for _, id := range []string{"evt_cs_" + m.ID, "evt_paid1_" + m.ID} {
			e, err := ds.Stores.Events.FindEventByID(ctx, id)
			if err != nil || e.AppliedAt == nil || !strings.HasPrefix(e.Outcome, "applied") {
				t.Fatalf("event %s: %+v, %v", id, e, err)
			}
		}
	})

	t.Run("ErrBadSignature", func(t *testing.T) {
		m, _ := ds.approvedMember(t, staff, "Forged Events Co-op")
		e := stripetest.Event{ID: "evt_forged", Type: "invoice.paid", Created: ds.Now(),
			Object: invoice(m.ID, "cus_x", "sub_x", "subscription_create", ds.Now(), ds.Now().AddDate(1, 0, 0), 1)}
		body := e.Payload(t)
		for name, sig := range map[string]string{
			"WrongSecret":   stripetest.SignPayload(body, "whsec_other", time.Now()),
			"TooOld":        stripetest.SignPayload(body, stripetest.WebhookSecret, time.Now().Add(-time.Hour)),
			"FromTheFuture": stripetest.SignPayload(body, stripetest.WebhookSecret, time.Now().Add(time.Hour)),
			"AlteredBody":   stripetest.Sign(bytes.Replace(body, []byte(`"amount":1`), []byte(`"amount":2`), 1)),
			"NotSignature":  "hello",
		} {
			p := ds.do(t, "POST", "/v1/stripe/webhook", "", body, "Stripe-Signature", sig).must(t, 400).problem(t)
			if p.Type != "/problems/invalid" || !strings.Contains(p.Detail, "Stripe-Signature") {
				t.Errorf("%s: %+v", name, p)
			}
		}
		if _, err := ds.Stores.Events.FindEventByID(ctx, "evt_forged"); marketplace.ErrorCode(err) != marketplace.ENOTFOUND {
			t.Fatalf("a forged event was stored: %v", err)
		}
		ds.wantStanding(t, m.ID, marketplace.StandingAwaitingPayment)
	})

	t.Run("ErrMissingHeader", func(t *testing.T) {
		m, _ := ds.approvedMember(t, staff, "Unsigned Events Co-op")
		e := stripetest.Event{ID: "evt_unsigned", Type: "invoice.paid", Created: ds.Now(),
			Object: invoice(m.ID, "cus_y", "sub_y", "subscription_create", ds.Now(), ds.Now().AddDate(1, 0, 0), 1)}
		p := ds.do(t, "POST", "/v1/stripe/webhook", "", e.Payload(t)).must(t, 400).problem(t)
		if !strings.Contains(p.Detail, "missing") {
			t.Fatalf("detail %q", p.Detail)
		}
		if _, err := ds.Stores.Events.FindEventByID(ctx, "evt_unsigned"); marketplace.ErrorCode(err) != marketplace.ENOTFOUND {
			t.Fatalf("an unsigned event was stored: %v", err)
		}
		ds.wantStanding(t, m.ID, marketplace.StandingAwaitingPayment)
	})

	t.Run("SameEventThreeTimes", func(t *testing.T) {
		m, _ := ds.approvedMember(t, staff, "Redelivered Co-op")
		before := ds.queued(t)
		e := stripetest.Event{ID: "evt_thrice", Type: "invoice.paid", Created: ds.Now(),
			Object: invoice(m.ID, "cus_z", "sub_z", "subscription_create", ds.Now(), ds.Now().AddDate(1, 0, 0), 500_00)}
		for i := range 3 {
			var r payments.Receipt
			ds.post(t, e).must(t, 200).decode(t, &r)
			if r.EventID != "evt_thrice" || r.Duplicate != (i > 0) {
				t.Fatalf("delivery %d: %+v", i+1, r)
			}
		}
		if got := len(ds.queued(t)) - len(before); got != 1 {
			t.Fatalf("%d jobs queued for three deliveries; want 1", got)
		}
		for range 3 { // the job run three times, as retries might
			ds.runEventJob(t, "evt_thrice")
		}
		ds.wantStanding(t, m.ID, marketplace.StandingActive)
		stored, _ := ds.Stores.Events.FindEventByID(ctx, "evt_thrice")
		if stored.AppliedAt == nil || !strings.HasPrefix(stored.Outcome, "applied; standing awaiting_payment → active") {
			t.Fatalf("stored event: %+v", stored)
		}
		if diff := strings.Join(ds.standingChanges(t, m.ID), " "); diff != "pending→awaiting_payment awaiting_payment→active" {
			t.Fatalf("standing changes %q; want one change to active", diff)
		}
		// A fourth delivery after it was applied is not even queued.
		queued := len(ds.queued(t))
		ds.post(t, e).must(t, 200)
		if len(ds.queued(t)) != queued {
			t.Fatal("a delivery of an applied event was queued")
		}
	})

	t.Run("FailureAfterNewerPayment", func(t *testing.T) {
		m, _, customer, sub := ds.payingMember(t, staff, "Out Of Order Co-op")
		renewal := ds.Now().AddDate(1, 0, 0)
		failedAt := renewal.Add(time.Hour)
		paid := stripetest.Event{ID: "evt_paid2_ooo", Type: "invoice.paid", Created: failedAt.Add(2 * 24 * time.Hour),
			Object: invoice(m.ID, customer, sub, "subscription_cycle", renewal, renewal.AddDate(1, 0, 0), 500_00)}
		failed := stripetest.Event{ID: "evt_failed2_ooo", Type: "invoice.payment_failed", Created: failedAt,
			Object: invoice(m.ID, customer, sub, "subscription_cycle", renewal, renewal.AddDate(1, 0, 0), 500_00)}
		ds.deliver(t, paid)
		ds.deliver(t, failed)
		ds.wantStanding(t, m.ID, marketplace.StandingActive)
		a, _ := ds.Stores.Accounts.FindAccount(ctx, m.ID)
		if a.Subscription.EventID != paid.ID || !a.PastDueSince.IsZero() || !a.PaidThrough.Equal(renewal.AddDate(1, 0, 0)) {
			t.Fatalf("account after a stale failure: %+v", a)
		}
		e, _ := ds.Stores.Events.FindEventByID(ctx, failed.ID)
		if e.Outcome != "older than the state held" {
			t.Fatalf("outcome of the stale failure %q", e.Outcome)
		}
		if diff := strings.Join(ds.standingChanges(t, m.ID), " "); diff != "pending→awaiting_payment awaiting_payment→active" {
			t.Fatalf("standing changes %q", diff)
		}
	})

	t.Run("PaymentFailsThenActionRequired", func(t *testing.T) {
		m, owner, customer, sub := ds.payingMember(t, staff, "Renewal Fails Co-op")
		renewal := ds.Now().AddDate(1, 0, 0)
		ds.deliver(t, stripetest.Event{ID: "evt_failed_rf", Type: "invoice.payment_failed", Created: renewal.Add(time.Hour),
			Object: invoice(m.ID, customer, sub, "subscription_cycle", renewal, renewal.AddDate(1, 0, 0), 500_00)})
		ds.wantStanding(t, m.ID, marketplace.StandingPastDue)
		ds.deliver(t, stripetest.Event{ID: "evt_sca_rf", Type: "invoice.payment_action_required", Created: renewal.Add(2 * time.Hour),
			Object: invoice(m.ID, customer, sub, "subscription_cycle", renewal, renewal.AddDate(1, 0, 0), 500_00)})
		var st payments.Status
		ds.do(t, "GET", "/v1/dues", owner, nil).must(t, 200).decode(t, &st)
		if st.Standing != marketplace.StandingPastDue || st.ActionRequiredURL == "" || st.LapsesAt == nil ||
			!st.LapsesAt.Equal(renewal.Add(time.Hour).Add(payments.DefaultGracePeriod)) || !strings.Contains(st.NextStep, "confirm") {
			t.Fatalf("status: %+v", st)
		}
		// A past-due member may not post, but its listings stay listed
		// through the grace period.
		ds.do(t, "POST", "/v1/listings", owner, need("Leaflets")).must(t, 402)
	})

	t.Run("SubscriptionDeleted", func(t *testing.T) {
		m, owner, customer, sub := ds.payingMember(t, staff, "Leaving Co-op")
		end := ds.Now().AddDate(1, 0, 0)
		ds.deliver(t, stripetest.Event{ID: "evt_deleted_lc", Type: "customer.subscription.deleted", Created: end,
			Object: subscription(m.ID, customer, sub, "canceled", end)})
		ds.wantStanding(t, m.ID, marketplace.StandingLapsed)
		// An update from before the deletion changes nothing.
		ds.deliver(t, stripetest.Event{ID: "evt_updated_lc", Type: "customer.subscription.updated", Created: end.Add(-time.Hour),
			Object: subscription(m.ID, customer, sub, "active", end)})
		ds.wantStanding(t, m.ID, marketplace.StandingLapsed)
		ds.do(t, "POST", "/v1/listings", owner, need("Leaflets")).must(t, 402)
		// The member may pay again with a new Checkout.
		ds.do(t, "POST", "/v1/dues/checkout", owner, nil).must(t, 201)
	})

	// Jobs of one member's events run at once, as several workers would
	// run them: the standing ends as the newest state says.
	t.Run("ConcurrentJobs", func(t *testing.T) {
		for _, newest := range []string{"invoice.paid", "invoice.payment_failed"} {
			m, _, customer, sub := ds.payingMember(t, staff, "Busy Co-op "+newest)
			var ids []string
			for i := range 6 {
				typ := []string{"invoice.paid", "invoice.payment_failed"}[i%2]
				if i == 5 {
					typ = newest
				}
				periodStart := ds.Now().AddDate(i+1, 0, 0)
				e := stripetest.Event{ID: fmt.Sprintf("evt_busy_%s_%d", m.ID, i), Type: typ, Created: periodStart.Add(time.Hour),
					Object: invoice(m.ID, customer, sub, "subscription_cycle", periodStart, periodStart.AddDate(1, 0, 0), 500_00)}
				ds.post(t, e).must(t, 200)
				ids = append(ids, e.ID)
			}
			var wg sync.WaitGroup
			errs := make(chan error, len(ids))
			for _, id := range ids {
				wg.Add(1)
				go func() {
					defer wg.Done()
					payload, _ := json.Marshal(payments.EventPayload{EventID: id})
					errs <- ds.Payments.HandleStripeEvent(context.Background(), payload)
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Fatal(err)
				}
			}
			want := map[string]marketplace.Standing{"invoice.paid": marketplace.StandingActive, "invoice.payment_failed": marketplace.StandingPastDue}[newest]
			ds.wantStanding(t, m.ID, want)
			a, _ := ds.Stores.Accounts.FindAccount(ctx, m.ID)
			if a.Subscription.EventID != ids[5] {
				t.Fatalf("state from %s; want from the newest, %s", a.Subscription.EventID, ids[5])
			}
		}
	})

	t.Run("UnknownType", func(t *testing.T) {
		m, _, customer, _ := ds.payingMember(t, staff, "Unknown Events Co-op")
		ds.deliver(t, stripetest.Event{ID: "evt_unknown", Type: "customer.tax_id.created", Created: ds.Now(),
			Object: map[string]any{"id": "txi_1", "object": "tax_id", "customer": customer}})
		e, err := ds.Stores.Events.FindEventByID(ctx, "evt_unknown")
		if err != nil || e.AppliedAt == nil || !strings.HasPrefix(e.Outcome, "ignored") {
			t.Fatalf("unknown event: %+v, %v", e, err)
		}
		ds.wantStanding(t, m.ID, marketplace.StandingActive)
	})

	t.Run("UnknownCustomer", func(t *testing.T) {
		e := stripetest.Event{ID: "evt_stranger", Type: "customer.subscription.updated", Created: ds.Now(),
			Object: map[string]any{"id": "sub_stranger", "object": "subscription", "customer": "cus_stranger", "status": "active"}}
		ds.deliver(t, e)
		stored, _ := ds.Stores.Events.FindEventByID(ctx, e.ID)
		if stored.AppliedAt == nil || !strings.Contains(stored.Outcome, "no member's") {
			t.Fatalf("stored: %+v", stored)
		}
	})

	t.Run("Reconcile", func(t *testing.T) {
		m, _ := ds.approvedMember(t, staff, "Lost Job Co-op")
		e := stripetest.Event{ID: "evt_lost_job", Type: "invoice.paid", Created: ds.Now(),
			Object: invoice(m.ID, "cus_lost", "sub_lost", "subscription_create", ds.Now(), ds.Now().AddDate(1, 0, 0), 500_00)}
		ds.post(t, e).must(t, 200)
		// The job is lost (Redis restarted empty).
		insp := asynq.NewInspector(ds.Redis.Opt())
		defer insp.Close()
		if err := insp.DeleteTask(workers.QueueCritical, e.ID); err != nil {
			t.Fatal(err)
		}
		ds.advance(2 * time.Minute)
		if err := ds.Payments.HandleStripeReconcile(ctx, nil); err != nil {
			t.Fatal(err)
		}
		found := false
		for _, id := range ds.queued(t) {
			found = found || id == e.ID
		}
		if !found {
			t.Fatalf("the reconciler did not queue %s again", e.ID)
		}
	})
}

// TestDuesLapse: a past-due member lapses when the grace period ends, by
// the daily job, and its listings are refused until it pays again.
func TestDuesLapse(t *testing.T) {
	ds := newDuesServer(t, true)
	staff := ds.staffToken(t)
	ctx := context.Background()
	m, owner, customer, sub := ds.payingMember(t, staff, "Late Payers Co-op")
	other, _, _, _ := ds.payingMember(t, staff, "Prompt Payers Co-op")

	renewal := ds.Now().AddDate(1, 0, 0)
	ds.advance(renewal.Sub(ds.Now()) + time.Hour)
	failedAt := ds.Now()
	failed := invoice(m.ID, customer, sub, "subscription_cycle", renewal, renewal.AddDate(1, 0, 0), 500_00)
	ds.deliver(t, stripetest.Event{ID: "evt_failed_lp", Type: "invoice.payment_failed", Created: failedAt, Object: failed})
	ds.wantStanding(t, m.ID, marketplace.StandingPastDue)

	// A day short of the grace period: nothing happens.
	ds.advance(payments.DefaultGracePeriod - 24*time.Hour)
	if err := ds.Payments.HandleDuesLapse(ctx, nil); err != nil {
		t.Fatal(err)
	}
	ds.wantStanding(t, m.ID, marketplace.StandingPastDue)

	ds.advance(24 * time.Hour)
	for range 2 { // a second run finds nothing more to do
		if err := ds.Payments.HandleDuesLapse(ctx, nil); err != nil {
			t.Fatal(err)
		}
	}
	ds.wantStanding(t, m.ID, marketplace.StandingLapsed)
	ds.wantStanding(t, other.ID, marketplace.StandingActive)
	changes := ds.audit(t, m.ID)
	last := changes[len(changes)-1]
	if last.Action != "member.standing" || last.ActorID != "system:payments" || !strings.Contains(last.Reason, "grace period of 30 days") {
		t.Fatalf("last audit entry: %+v", last)
	}
	p := ds.do(t, "POST", "/v1/listings", owner, need("Leaflets")).must(t, 402).problem(t)
	if !strings.Contains(p.Detail, "lapsed") {
		t.Fatalf("detail %q", p.Detail)
	}

	ds.deliver(t, stripetest.Event{ID: "evt_paid_lp", Type: "invoice.paid", Created: ds.Now(), Object: failed})
	ds.wantStanding(t, m.ID, marketplace.StandingActive)
	ds.do(t, "POST", "/v1/listings", owner, need("Leaflets")).must(t, 201)
	if diff := strings.Join(ds.standingChanges(t, m.ID), " "); diff != "pending→awaiting_payment awaiting_payment→active active→past_due past_due→lapsed lapsed→active" {
		t.Fatalf("standing changes %q", diff)
	}
}

func TestStaffDues(t *testing.T) {
	ds := newDuesServer(t, false)
	staff := ds.staffToken(t)
	ctx := context.Background()
	paid, _ := ds.approvedMember(t, staff, "Transfer Payers Co-op")
	waived, waivedOwner := ds.approvedMember(t, staff, "Flooded Co-op")
	pending, _ := ds.applicant(t, staff, "Brand New Co-op")

	t.Run("ErrForbidden", func(t *testing.T) {
		ds.do(t, "POST", "/v1/staff/members/"+paid.ID+"/waiver", waivedOwner, map[string]any{"until": "2027-01-01", "reason": "x"}).must(t, 403)
		ds.do(t, "POST", "/v1/staff/members/"+paid.ID+"/offline-payment", waivedOwner, map[string]any{
			"amount_pence": 1, "period_start": "2026-11-27", "period_end": "2027-11-26", "reference": "x"}).must(t, 403)
		ds.do(t, "GET", "/v1/staff/members", waivedOwner, nil).must(t, 403)
	})

	t.Run("OfflinePayment", func(t *testing.T) {
		body := map[string]any{"amount_pence": 600_00, "period_start": "2026-11-27", "period_end": "2027-11-26", "reference": "BACS TPC 2026"}
		ds.do(t, "POST", "/v1/staff/members/"+paid.ID+"/offline-payment", staff, map[string]any{"amount_pence": 600_00, "period_start": "2026-11-27", "reference": "x"}).must(t, 400)
		var d payments.MemberDues
		ds.do(t, "POST", "/v1/staff/members/"+paid.ID+"/offline-payment", staff, body).must(t, 201).decode(t, &d)
		if d.Standing != marketplace.StandingActive || d.PaidThrough == nil || d.PaidThrough.Format(time.DateOnly) != "2027-11-26" {
			t.Fatalf("after the payment: %+v", d)
		}
		ds.do(t, "POST", "/v1/staff/members/"+paid.ID+"/offline-payment", staff, body).must(t, 409)
		ds.do(t, "POST", "/v1/staff/members/"+pending.ID+"/offline-payment", staff, body).must(t, 409)
		entries := ds.audit(t, paid.ID)
		found := false
		for _, e := range entries {
			found = found || e.Action == "dues.offline_payment" && e.Details["reference"] == "BACS TPC 2026" && e.Actor != ""
		}
		if !found {
			t.Fatalf("no audit entry of the payment: %+v", entries)
		}
	})

	t.Run("Waiver", func(t *testing.T) {
		until := ds.Now().AddDate(0, 3, 0)
		ds.do(t, "POST", "/v1/staff/members/"+waived.ID+"/waiver", staff, map[string]any{"until": "2020-01-01", "reason": "flood"}).must(t, 400)
		ds.do(t, "POST", "/v1/staff/members/"+waived.ID+"/waiver", staff, map[string]any{"until": until.Format(time.DateOnly)}).must(t, 400)
		var d payments.MemberDues
		ds.do(t, "POST", "/v1/staff/members/"+waived.ID+"/waiver", staff, map[string]any{"until": until.Format(time.DateOnly), "reason": "Workshop flooded"}).
			must(t, 200).decode(t, &d)
		if d.Standing != marketplace.StandingActive || d.WaiverUntil == nil || d.WaiverReason != "Workshop flooded" {
			t.Fatalf("after the waiver: %+v", d)
		}
		ds.do(t, "POST", "/v1/listings", waivedOwner, need("Dehumidifiers")).must(t, 201)

		// When the waiver ends, the member owes its dues again.
		ds.advance(until.Sub(ds.Now()) + 24*time.Hour)
		if err := ds.Payments.HandleDuesLapse(ctx, nil); err != nil {
			t.Fatal(err)
		}
		ds.wantStanding(t, waived.ID, marketplace.StandingLapsed)
		entries := ds.audit(t, waived.ID)
		last := entries[len(entries)-1]
		if last.Action != "member.standing" || !strings.Contains(last.Reason, "waiver ended") {
			t.Fatalf("last audit entry: %+v", last)
		}
	})

	t.Run("List", func(t *testing.T) {
		var all struct{ Items []payments.MemberDues }
		ds.do(t, "GET", "/v1/staff/members", staff, nil).must(t, 200).decode(t, &all)
		if len(all.Items) != 3 {
			t.Fatalf("%d members; want 3", len(all.Items))
		}
		var active struct{ Items []payments.MemberDues }
		ds.do(t, "GET", "/v1/staff/members?standing=active", staff, nil).must(t, 200).decode(t, &active)
		if len(active.Items) != 1 || active.Items[0].ID != paid.ID || active.Items[0].Dues == nil || active.Items[0].Dues.GrossPence != 600_00 ||
			*active.Items[0].LabourCostsPence != 500_000_00 {
			t.Fatalf("active members: %+v", active.Items)
		}
		var none struct{ Items []payments.MemberDues }
		ds.do(t, "GET", "/v1/staff/members?standing=pending", staff, nil).must(t, 200).decode(t, &none)
		if len(none.Items) != 1 || none.Items[0].ID != pending.ID || none.Items[0].Dues != nil {
			t.Fatalf("pending members: %+v", none.Items)
		}
		ds.do(t, "GET", "/v1/staff/members?standing=gold", staff, nil).must(t, 400)
	})
}
