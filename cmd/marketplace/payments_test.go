package main_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	main "cooptrade/cmd/marketplace"
	"cooptrade/marketplace"
	"cooptrade/payments"
	"cooptrade/payments/stripetest"
	"cooptrade/workers"
	"cooptrade/workers/mail/mailtest"
	"cooptrade/workers/redistest"
)

// duesEnv is the environment of a program that takes dues through
// stripe-mock, with its queue on a real Redis.
func duesEnv(t *testing.T) map[string]string {
	t.Helper()
	mock := stripetest.NewServer(t)
	return map[string]string{
		"DATA_DIR": t.TempDir(), "REDIS_URL": redistest.New(t).URL, "LOG_LEVEL": "warn",
		"BASE_URL":          "https://market.example.coop",
		"STRIPE_SECRET_KEY": stripetest.TestSecretKey, "STRIPE_WEBHOOK_SECRET": stripetest.WebhookSecret,
		"STRIPE_API_BASE": mock.URL,
	}
}

// staffOf adds a staff user to the running program and signs them in.
func staffOf(t *testing.T, m *main.Main, c *client, env map[string]string) string {
	t.Helper()
	err := main.Run(context.Background(), []string{"admin", "add-staff", "--name", "Ada", "ada@federation.example"},
		func(k string) string {
			return map[string]string{"DATA_DIR": env["DATA_DIR"], "LOG_LEVEL": "error", "MONGODB_URI": mongoURIOf(t, m)}[k]
		},
		strings.NewReader("a long staff password\n"), io.Discard, io.Discard)
	if err != nil {
		t.Fatalf("admin add-staff: %v", err)
	}
	var login struct{ Token string }
	c.must(201, "POST", "/v1/auth/login", "", map[string]string{"email": "ada@federation.example", "password": "a long staff password"}, &login)
	return login.Token
}

// sendEvent signs an event as Stripe would and posts it to the webhook.
func sendEvent(t *testing.T, c *client, e stripetest.Event) {
	t.Helper()
	body := e.Payload(t)
	req, err := http.NewRequest("POST", c.base+"/v1/stripe/webhook", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Stripe-Signature", stripetest.Sign(body))
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 {
		t.Fatalf("webhook %s: status %d; body %s", e.ID, res.StatusCode, b)
	}
}

// waitForStanding polls the member's dues until its standing is want; the
// workers apply events and jobs in the background.
func waitForStanding(t *testing.T, c *client, token string, want marketplace.Standing) payments.Status {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		var st payments.Status
		c.must(200, "GET", "/v1/dues", token, nil, &st)
		if st.Standing == want {
			return st
		}
		if time.Now().After(deadline) {
			t.Fatalf("standing %s after 20s; want %s", st.Standing, want)
		}
		time.Sleep(25 * time.Millisecond)
	}
}

// assertListed checks that a published listing is shown by search (listed)
// or not, as its member's standing says: search follows a change of
// standing through the member:reindex job, so this waits for it.
func assertListed(t *testing.T, c *client, token string, l marketplace.Listing, listed bool) {
	t.Helper()
	q := url.Values{"q": {strings.Fields(l.Title)[1]}, "kind": {string(l.Kind)}}
	waitForSearch(t, c, "/v1/search?"+q.Encode(), token, l.ID, listed)
}

func invoiceObject(memberID, customer, sub, reason string, start, end time.Time) map[string]any {
	return map[string]any{
		"id": "in_" + reason + "_" + sub, "object": "invoice", "customer": customer, "subscription": sub,
		"billing_reason": reason, "status": "paid",
		"subscription_details": map[string]any{"metadata": map[string]string{"member_id": memberID}},
		"lines": map[string]any{"object": "list", "data": []map[string]any{{
			"object": "line_item", "amount": 500_00,
			"period": map[string]int64{"start": start.Unix(), "end": end.Unix()},
			"price":  map[string]any{"object": "price", "unit_amount": 500_00, "currency": "gbp"},
		}}},
	}
}

// TestMain_Dues runs the whole program through a member's dues: it applies,
// staff approve, it pays through Checkout, posts, fails to pay at renewal,
// lapses when the grace period passes and leaves search, pays and comes
// back.
func TestMain_Dues(t *testing.T) {
	env := duesEnv(t)
	m := MustRunMain(t, env)
	c := &client{tb: t, base: "http://" + m.Addr()}
	staff := staffOf(t, m, c, env)

	var coop marketplace.Member
	c.must(201, "POST", "/v1/members", staff, map[string]any{"kind": "enterprise", "name": "Calder Valley Printers",
		"email": "accounts@caldervalley.example", "postcode": "HX7 8AA", "sectors": []string{"printing-publishing"}}, &coop)
	addUser(t, adminEnv(t, m), coop.Slug, "owner@caldervalley.example", "owner password 123", "owner")
	var login struct{ Token string }
	c.must(201, "POST", "/v1/auth/login", "", map[string]string{"email": "owner@caldervalley.example", "password": "owner password 123"}, &login)
	owner := login.Token
	offer := map[string]any{
		"kind": "need", "title": "Riso leaflets for a tenants' union", "description": "A5, two colours, recycled paper.",
		"category": "print-runs", "tags": []string{"leaflets"}, "postcode": "HX7 8AA",
		"price_min_pence": 20000, "price_max_pence": 40000, "price_unit": "job",
	}
	c.must(403, "POST", "/v1/listings", owner, offer, nil) // pending: awaiting approval

	// Apply, and staff approve.
	var app payments.Application
	c.must(201, "POST", "/v1/dues/application", owner, map[string]any{"labour_costs_pence": 500_000_00}, &app)
	var pending struct{ Items []payments.Application }
	c.must(200, "GET", "/v1/staff/applications?status=pending", staff, nil, &pending)
	if len(pending.Items) != 1 || pending.Items[0].ID != app.ID {
		t.Fatalf("pending applications: %+v", pending.Items)
	}
	c.must(200, "POST", "/v1/staff/applications/"+app.ID+"/approve", staff, map[string]any{"notes": "2025 accounts seen"}, nil)
	st := waitForStanding(t, c, owner, marketplace.StandingAwaitingPayment)
	if st.Dues == nil || st.Dues.NetPence != 500_00 || st.Dues.GrossPence != 600_00 {
		t.Fatalf("dues after approval: %+v", st.Dues)
	}
	c.must(402, "POST", "/v1/listings", owner, offer, nil)

	// Checkout, then Stripe's events as they come after a card payment.
	var sess payments.Session
	c.must(201, "POST", "/v1/dues/checkout", owner, nil, &sess)
	if !strings.HasPrefix(sess.URL, "https://") {
		t.Fatalf("checkout URL %q", sess.URL)
	}
	var members struct{ Items []payments.MemberDues }
	c.must(200, "GET", "/v1/staff/members?standing=awaiting_payment", staff, nil, &members)
	if len(members.Items) != 1 || !strings.HasPrefix(members.Items[0].CustomerID, "cus_") {
		t.Fatalf("members awaiting payment: %+v", members.Items)
	}
	customer, sub := members.Items[0].CustomerID, "sub_calder"
	now := time.Now()
	renewal := now.AddDate(1, 0, 0)
	sendEvent(t, c, stripetest.Event{ID: "evt_cs", Type: "checkout.session.completed", Created: now, Object: map[string]any{
		"id": sess.ID, "object": "checkout.session", "mode": "subscription", "status": "complete", "payment_status": "paid",
		"customer": customer, "subscription": sub, "client_reference_id": coop.ID, "metadata": map[string]string{"member_id": coop.ID},
	}})
	sendEvent(t, c, stripetest.Event{ID: "evt_paid_1", Type: "invoice.paid", Created: now.Add(time.Second),
		Object: invoiceObject(coop.ID, customer, sub, "subscription_create", now, renewal)})
	st = waitForStanding(t, c, owner, marketplace.StandingActive)

	// The member posts, publishes, and is found.
	var listing marketplace.Listing
	c.must(201, "POST", "/v1/listings", owner, offer, &listing)
	c.must(200, "POST", "/v1/listings/"+listing.ID+"/publish", owner, nil, &listing)
	assertListed(t, c, owner, listing, true)
	waitForPaidThrough(t, c, owner, renewal)

	// The renewal fails: past due, still listed through the grace period.
	failedAt := renewal.Add(time.Hour)
	m.AdvancePaymentsClock(failedAt.Sub(now))
	renewed := invoiceObject(coop.ID, customer, sub, "subscription_cycle", renewal, renewal.AddDate(1, 0, 0))
	sendEvent(t, c, stripetest.Event{ID: "evt_failed_2", Type: "invoice.payment_failed", Created: failedAt, Object: renewed})
	st = waitForStanding(t, c, owner, marketplace.StandingPastDue)
	if st.LapsesAt == nil || !st.LapsesAt.Equal(failedAt.Truncate(time.Second).Add(payments.DefaultGracePeriod)) {
		t.Fatalf("lapses at %v", st.LapsesAt)
	}
	assertListed(t, c, owner, listing, true)

	// The grace period passes; the daily job lapses the member.
	m.AdvancePaymentsClock(payments.DefaultGracePeriod + time.Hour)
	if err := m.Queue.EnqueueJob(context.Background(), workers.Job{Type: payments.TypeDuesLapse, Queue: workers.QueueCritical}); err != nil {
		t.Fatal(err)
	}
	waitForStanding(t, c, owner, marketplace.StandingLapsed)
	c.must(402, "POST", "/v1/listings", owner, offer, nil)
	assertListed(t, c, owner, listing, false)

	// It pays: active again, and back in search.
	sendEvent(t, c, stripetest.Event{ID: "evt_paid_2", Type: "invoice.paid", Created: failedAt.Add(payments.DefaultGracePeriod + 2*time.Hour), Object: renewed})
	waitForStanding(t, c, owner, marketplace.StandingActive)
	c.must(201, "POST", "/v1/listings", owner, offer, nil)
	assertListed(t, c, owner, listing, true)

	// A redelivered event and a stale one change nothing.
	before, err := m.Payments.Events.FindEventByID(context.Background(), "evt_failed_2")
	if err != nil {
		t.Fatal(err)
	}
	sendEvent(t, c, stripetest.Event{ID: "evt_failed_2", Type: "invoice.payment_failed", Created: failedAt, Object: renewed})
	sendEvent(t, c, stripetest.Event{ID: "evt_failed_2b", Type: "invoice.payment_failed", Created: failedAt.Add(time.Minute), Object: renewed})
	waitForEvent(t, m, "evt_failed_2b")
	after, _ := m.Payments.Events.FindEventByID(context.Background(), "evt_failed_2")
	if !after.AppliedAt.Equal(*before.AppliedAt) {
		t.Fatalf("evt_failed_2 applied again at %v (first at %v)", after.AppliedAt, before.AppliedAt)
	}
	var stale payments.Status
	c.must(200, "GET", "/v1/dues", owner, nil, &stale)
	if stale.Standing != marketplace.StandingActive {
		t.Fatalf("standing %s after a stale failure; want active", stale.Standing)
	}
	st = stale
	if st.PaidThrough == nil || !st.PaidThrough.Equal(renewal.AddDate(1, 0, 0).Truncate(time.Second)) {
		t.Fatalf("paid through %v", st.PaidThrough)
	}
}

// waitForPaidThrough waits until the dues show the period paid.
func waitForPaidThrough(t *testing.T, c *client, token string, end time.Time) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		var st payments.Status
		c.must(200, "GET", "/v1/dues", token, nil, &st)
		if st.PaidThrough != nil && st.PaidThrough.Equal(end.Truncate(time.Second)) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("paid through %v after 20s; want %v", st.PaidThrough, end)
		}
		time.Sleep(25 * time.Millisecond)
	}
}

// waitForEvent waits until the workers have applied a stored event.
func waitForEvent(t *testing.T, m *main.Main, id string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		e, err := m.Payments.Events.FindEventByID(context.Background(), id)
		if err == nil && e.AppliedAt != nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("event %s not applied after 20s: %+v, %v", id, e, err)
		}
		time.Sleep(25 * time.Millisecond)
	}
}

// waitForJob waits until a job has run to success: asynq keeps no
// completed task, so its ID is then unknown. A failed job is kept for a
// retry, and the wait fails.
func waitForJob(t *testing.T, redisURL, queue, id string) {
	t.Helper()
	opt, err := asynq.ParseRedisURI(redisURL)
	if err != nil {
		t.Fatal(err)
	}
	insp := asynq.NewInspector(opt)
	defer insp.Close()
	deadline := time.Now().Add(20 * time.Second)
	for {
		info, err := insp.GetTaskInfo(queue, id)
		if errors.Is(err, asynq.ErrTaskNotFound) {
			return
		} else if err != nil {
			t.Fatal(err)
		}
		if time.Now().After(deadline) {
			t.Fatalf("job %s still %s after 20s (last error %q)", id, info.State, info.LastErr)
		}
		time.Sleep(25 * time.Millisecond)
	}
}

// TestMain_DuesReminder: the daily job reminds a member of its renewal by
// mail, once.
func TestMain_DuesReminder(t *testing.T) {
	env := duesEnv(t)
	smtp := mailtest.NewServer(t)
	env["SMTP_URL"] = smtp.URL + "?from=" + url.QueryEscape("Federation <dues@federation.example>")
	m := MustRunMain(t, env)
	c := &client{tb: t, base: "http://" + m.Addr()}
	staff := staffOf(t, m, c, env)

	var coop marketplace.Member
	c.must(201, "POST", "/v1/members", staff, map[string]any{"kind": "enterprise", "name": "Hebden Bakers",
		"email": "accounts@hebden.example", "postcode": "HX7 6AA"}, &coop)
	addUser(t, adminEnv(t, m), coop.Slug, "owner@hebden.example", "owner password 123", "owner")
	// An owner who reads Welsh gets the reminder in Welsh, on its own.
	addUser(t, adminEnv(t, m), coop.Slug, "perchennog@hebden.example", "owner password 123", "owner", "--lang", "cy")
	var login struct{ Token string }
	c.must(201, "POST", "/v1/auth/login", "", map[string]string{"email": "owner@hebden.example", "password": "owner password 123"}, &login)
	var app payments.Application
	c.must(201, "POST", "/v1/dues/application", login.Token, map[string]any{"labour_costs_pence": 40_000_00}, &app)
	c.must(200, "POST", "/v1/staff/applications/"+app.ID+"/approve", staff, nil, nil)

	// Paid a year ago: the renewal is in three weeks.
	now := time.Now()
	renewal := now.Add(21 * 24 * time.Hour)
	sendEvent(t, c, stripetest.Event{ID: "evt_sub", Type: "customer.subscription.updated", Created: now, Object: map[string]any{
		"id": "sub_hebden", "object": "subscription", "customer": "cus_hebden", "status": "active",
		"current_period_end": renewal.Unix(), "metadata": map[string]string{"member_id": coop.ID},
	}})
	waitForStanding(t, c, login.Token, marketplace.StandingActive)
	for _, id := range []string{"remind-1", "remind-2"} { // the second run sends nothing more
		if err := m.Queue.EnqueueJob(context.Background(), workers.Job{Type: payments.TypeDuesRemind, Queue: workers.QueueCritical, ID: id}); err != nil {
			t.Fatal(err)
		}
		waitForJob(t, env["REDIS_URL"], workers.QueueCritical, id)
		msgs := smtp.Messages()
		if len(msgs) != 2 {
			t.Fatalf("after %s: %d reminders; want 2 (English and Welsh)", id, len(msgs))
		}
		byTo := map[string]mailtest.Message{}
		for _, msg := range msgs {
			byTo[strings.Join(msg.To, ",")] = msg
		}
		msg := byTo["accounts@hebden.example,owner@hebden.example"]
		if !strings.Contains(msg.Subject, "renew on") || !strings.Contains(msg.Text, "£180.00") || msg.Header.Get("Content-Language") != "en" {
			t.Fatalf("reminder: to %v, subject %q:\n%s", msg.To, msg.Subject, msg.Text)
		}
		msg = byTo["perchennog@hebden.example"]
		if !strings.Contains(msg.Subject, "yn adnewyddu ar") || !strings.Contains(msg.Text, "£180.00") || msg.Header.Get("Content-Language") != "cy" ||
			!strings.Contains(msg.HTML, `<html lang="cy">`) {
			t.Fatalf("Welsh reminder: to %v, subject %q:\n%s", msg.To, msg.Subject, msg.Text)
		}
	}
}

func TestPaymentsQueue(t *testing.T) {
	if payments.QueueCritical != workers.QueueCritical {
		t.Fatalf("payments queue %q; the workers' critical queue is %q", payments.QueueCritical, workers.QueueCritical)
	}
}
