package main_test

import (
	"context"
	"io"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	main "cooptrade/cmd/marketplace"
	"cooptrade/marketplace"
	"cooptrade/marketplace/matching"
	"cooptrade/workers/mail/mailtest"
	"cooptrade/workers/redistest"
)

// TestMain_MatchToIntroduction runs the whole program with real Redis,
// FerretDB, the embedded search engine and an SMTP server in the test: a
// need and an offer that fit become one match with reasons; each side gets
// exactly one e-mail and one inbox item; staff introduce them and both get
// the introduction; the figures count it.
func TestMain_MatchToIntroduction(t *testing.T) {
	smtp := mailtest.NewServer(t)
	rs := redistest.New(t)
	dataDir := t.TempDir()
	env := map[string]string{"DATA_DIR": dataDir, "REDIS_URL": rs.URL, "SMTP_URL": smtp.URL,
		"MAIL_FROM": "Marketplace <matches@federation.example>", "LOG_LEVEL": "warn", "BASE_URL": "https://marketplace.example"}
	m := MustRunMain(t, env)
	c := &client{tb: t, base: "http://" + m.Addr()}

	err := main.Run(context.Background(), []string{"admin", "add-staff", "ada@federation.example"},
		func(k string) string {
			return map[string]string{"DATA_DIR": dataDir, "LOG_LEVEL": "error", "MONGODB_URI": m.MongoURI()}[k]
		},
		strings.NewReader("a long staff password\n"), io.Discard, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	var login struct{ Token string }
	c.must(201, "POST", "/v1/auth/login", "", map[string]string{"email": "ada@federation.example", "password": "a long staff password"}, &login)
	staff := login.Token

	owners := map[string]string{}
	for _, co := range []struct{ name, postcode, sector string }{
		{"Chapeltown Kitchen", "LS7 3AA", "food-catering"},
		{"Leeds Print Workers", "LS9 8AB", "printing-publishing"},
	} {
		var mem marketplace.Member
		c.must(201, "POST", "/v1/members", staff, map[string]any{"kind": "enterprise", "name": co.name, "email": "hello@" + marketplace.Slugify(co.name) + ".example",
			"postcode": co.postcode, "sectors": []string{co.sector}, "standing": "active"}, &mem)
		email := "owner@" + mem.Slug + ".example"
		addUser(t, adminEnv(t, m), mem.Slug, email, "owner password 123", "owner")
		c.must(201, "POST", "/v1/auth/login", "", map[string]string{"email": email, "password": "owner password 123"}, &login)
		owners[co.name] = login.Token
	}
	kitchen, printer := owners["Chapeltown Kitchen"], owners["Leeds Print Workers"]

	deadline := time.Now().Add(60 * 24 * time.Hour).Format(time.DateOnly)
	var need, offer marketplace.Listing
	c.must(201, "POST", "/v1/listings", kitchen, map[string]any{"kind": "need", "title": "5,000 A5 leaflets for a tenants' union",
		"description": "Full colour, recycled paper, delivered in Leeds.", "category": "print-runs", "tags": []string{"leaflets", "recycled paper"},
		"postcode": "LS7 3AA", "price_min_pence": 40000, "price_max_pence": 60000, "price_unit": "job", "deadline": deadline}, &need)
	c.must(200, "POST", "/v1/listings/"+need.ID+"/publish", kitchen, nil, &need)
	c.must(201, "POST", "/v1/listings", printer, map[string]any{"kind": "offer", "title": "Leaflets and flyers on recycled paper",
		"description": "Short and long runs, full colour, delivered.", "category": "print-runs", "tags": []string{"leaflets", "recycled paper"},
		"postcode": "LS9 8AB", "radius_km": 50, "price_min_pence": 30000, "price_max_pence": 50000, "price_unit": "job"}, &offer)
	c.must(200, "POST", "/v1/listings/"+offer.ID+"/publish", printer, nil, &offer)

	// The match appears in staff's queue, with its reasons.
	var queue struct{ Items []marketplace.MatchView }
	deadlineAt := time.Now().Add(20 * time.Second)
	for len(queue.Items) == 0 {
		if time.Now().After(deadlineAt) {
			t.Fatal("no match after 20s")
		}
		time.Sleep(50 * time.Millisecond)
		c.must(200, "GET", "/v1/staff/matches", staff, nil, &queue)
	}
	match := queue.Items[0]
	if len(queue.Items) != 1 || match.OfferID != offer.ID || match.NeedID != need.ID || len(match.Reasons) != 7 || match.Score < matching.MatchWeights.Threshold {
		t.Fatalf("queue: %+v", queue.Items)
	}

	// Each side: exactly one e-mail and one inbox item.
	msgs := smtp.Wait(t, 2, 20*time.Second)
	var to []string
	for _, msg := range msgs {
		to = append(to, strings.Join(msg.To, ","))
	}
	sort.Strings(to)
	if diff := cmp.Diff([]string{"owner@chapeltown-kitchen.example", "owner@leeds-print-workers.example"}, to); diff != "" {
		t.Fatalf("match e-mails (-want +got):\n%s", diff)
	}
	waitInbox := func(tok string, n int) []marketplace.Notification {
		t.Helper()
		var inbox struct{ Items []marketplace.Notification }
		until := time.Now().Add(20 * time.Second)
		for {
			c.must(200, "GET", "/v1/inbox", tok, nil, &inbox)
			if len(inbox.Items) >= n || time.Now().After(until) {
				return inbox.Items
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	for _, tok := range []string{kitchen, printer} {
		if items := waitInbox(tok, 1); len(items) != 1 || items[0].Type != marketplace.NotifyMatchNew {
			t.Fatalf("inbox after the match: %+v", items)
		}
	}

	// Staff introduce them: both get the introduction.
	c.must(200, "POST", "/v1/staff/matches/"+match.ID+"/introduce", staff, map[string]any{"note": "Both Leeds co-ops."}, nil)
	msgs = smtp.Wait(t, 4, 20*time.Second)
	var subjects []string
	for _, msg := range msgs {
		subjects = append(subjects, strings.Join(msg.To, ",")+": "+strings.SplitN(msg.Subject, ":", 2)[0])
	}
	sort.Strings(subjects)
	want := []string{
		"owner@chapeltown-kitchen.example: A supplier for your need",
		"owner@chapeltown-kitchen.example: Introducing Leeds Print Workers for your need",
		"owner@leeds-print-workers.example: A member needs what you offer",
		"owner@leeds-print-workers.example: Introducing Chapeltown Kitchen, who needs",
	}
	if diff := cmp.Diff(want, subjects); diff != "" {
		t.Fatalf("mail (-want +got):\n%s", diff)
	}
	for _, tok := range []string{kitchen, printer} {
		if items := waitInbox(tok, 2); len(items) != 2 {
			t.Fatalf("inbox after the introduction: %+v", items)
		}
	}

	// The deal, and the figures count it.
	c.must(200, "POST", "/v1/staff/matches/"+match.ID+"/outcome", staff, map[string]any{"outcome": "deal", "value_pence": 52000}, nil)
	var st marketplace.TradeStats
	c.must(200, "GET", "/v1/staff/stats", staff, nil, &st)
	if diff := cmp.Diff(marketplace.Funnel{Matches: 1, Introduced: 1, Deals: 1, ValuePence: 52000}, st.Totals); diff != "" {
		t.Fatalf("figures (-want +got):\n%s", diff)
	}
	if got := len(smtp.Messages()); got != 4 {
		t.Fatalf("%d e-mails in all; want 4", got)
	}
}
