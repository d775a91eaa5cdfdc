package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/netip"
	"strings"
	"testing"
	"time"

	"cooptrade/cmd/marketplace/app"
	"cooptrade/cmd/marketplace/app/apptest"
	"cooptrade/marketplace"
	"cooptrade/marketplace/httpapi"
	"cooptrade/marketplace/matching"
	"cooptrade/mongodb"
	"cooptrade/mongodb/mongodbtest"
	"cooptrade/payments"
	paymongo "cooptrade/payments/mongo"
	"cooptrade/search"
	"cooptrade/workers/mail/mailtest"
	"cooptrade/workers/redistest"
)

// testServer is the application on a real port, wired as the program
// wires it (cmd/marketplace/app) over FerretDB, a real Redis and the
// embedded search engine, with a clock tests can move.
type testServer struct {
	URL           string
	App           *app.Main
	Service       *marketplace.Service
	DB            *mongodb.DB
	Search        search.Engine
	Payments      *payments.Service
	PaymentStores *paymongo.Stores
	Redis         *redistest.Server
	now           time.Time
}

// options change what newTestServer starts. The zero value runs no job
// workers (jobs wait in the queue), has no Stripe, and limits sign-ins and
// writes as the program does.
type options struct {
	LoginsPerMinute, WritesPerMinute int
	TrustedProxies                   []netip.Prefix
	MetricsToken                     string
	// Workers is how many jobs run at once (default none).
	Workers int
	// Stripe takes dues through stripe-mock.
	Stripe bool
	// Logs receives the warnings (default: discarded).
	Logs io.Writer
	// DuesNow is the dues' clock (default: the server's, ts.now).
	DuesNow func() time.Time
	// SMTP receives the mail (default: mail goes to the log).
	SMTP *mailtest.Server
	// Env adds to the environment (e.g. INBOUND_LMTP_ADDR).
	Env map[string]string
}

// newTestServer runs the application on a port of 127.0.0.1 until the test
// ends.
func newTestServer(tb testing.TB, opt options) *testServer {
	tb.Helper()
	ts := &testServer{now: time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)}
	env := map[string]string{
		"BASE_URL":        "https://marketplace.example",
		"METRICS_TOKEN":   opt.MetricsToken,
		"TRUSTED_PROXIES": "",
		// The mail relay's secret for replies by mail.
		"INBOUND_MAIL_SECRET": inboundSecret,
	}
	if opt.SMTP != nil {
		env["SMTP_URL"], env["MAIL_FROM"] = opt.SMTP.URL, "Marketplace <hello@federation.example>"
	}
	for k, v := range opt.Env {
		env[k] = v
	}
	for _, p := range opt.TrustedProxies {
		env["TRUSTED_PROXIES"] += p.String() + ","
	}
	logs := opt.Logs
	if logs == nil {
		logs = io.Discard
	}
	a := apptest.Open(tb, apptest.Options{
		Env: env, Serve: true, Stripe: opt.Stripe, Workers: opt.Workers,
		Logger: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelWarn})),
		Knobs: app.Knobs{
			Now: func() time.Time { return ts.now }, DuesNow: opt.DuesNow, LookupIP: publicDNS,
			LoginsPerMinute: opt.LoginsPerMinute, WritesPerMinute: opt.WritesPerMinute,
		},
	})
	ts.Redis = a.Redis
	ts.URL, ts.App, ts.Service, ts.DB, ts.Search = a.URL(), a.Main, a.Service, a.DB, a.Search
	ts.Payments, ts.PaymentStores = a.Payments, a.PaymentStores
	return ts
}

// response is what a request got back.
type response struct {
	Status int
	Header http.Header
	Body   []byte
}

func (r *response) decode(tb testing.TB, v any) {
	tb.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		tb.Fatalf("decode %s: %v", r.Body, err)
	}
}

// problem decodes a problem response and checks its content type.
func (r *response) problem(tb testing.TB) httpapi.Problem {
	tb.Helper()
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
		tb.Fatalf("content type %q; want application/problem+json (body %s)", ct, r.Body)
	}
	var p httpapi.Problem
	r.decode(tb, &p)
	return p
}

// do sends a request; body may be a string (sent as is) or a value (sent
// as JSON). Headers come in name, value pairs.
func (ts *testServer) do(tb testing.TB, method, path, token string, body any, headers ...string) *response {
	tb.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		js, err := json.Marshal(b)
		if err != nil {
			tb.Fatal(err)
		}
		rd = bytes.NewReader(js)
	}
	req, err := http.NewRequest(method, ts.URL+path, rd)
	if err != nil {
		tb.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := patientClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return &response{Status: res.StatusCode, Header: res.Header, Body: b}
}

// must fails the test unless the response has the given status.
func (r *response) must(tb testing.TB, status int) *response {
	tb.Helper()
	if r.Status != status {
		tb.Fatalf("status %d; want %d; body %s", r.Status, status, r.Body)
	}
	return r
}

// staffToken adds a staff user and signs in as them.
func (ts *testServer) staffToken(tb testing.TB) string {
	tb.Helper()
	email := "staff-" + mongodbtest.DatabaseName() + "@federation.example"
	if _, err := ts.Service.AddStaff(context.Background(), email, "Staff", "staff password 123"); err != nil {
		tb.Fatal(err)
	}
	return ts.login(tb, email, "staff password 123")
}

func (ts *testServer) login(tb testing.TB, email, password string) string {
	tb.Helper()
	var out struct{ Token string }
	ts.do(tb, "POST", "/v1/auth/login", "", map[string]string{"email": email, "password": password}).must(tb, 201).decode(tb, &out)
	return out.Token
}

// memberWithOwner admits a member with the given standing, adds its owner
// and signs the owner in.
func (ts *testServer) memberWithOwner(tb testing.TB, staff, name string, standing marketplace.Standing) (*marketplace.Member, string) {
	tb.Helper()
	var m marketplace.Member
	ts.do(tb, "POST", "/v1/members", staff, map[string]any{
		"kind": "enterprise", "name": name, "email": "hello@" + marketplace.Slugify(name) + ".example",
		"postcode": "LS6 1AA", "sectors": []string{"printing-publishing"}, "standing": standing,
	}).must(tb, 201).decode(tb, &m)
	email := "owner@" + m.Slug + ".example"
	ts.addUser(tb, m.ID, marketplace.NewUser{Email: email, Password: "owner password 123", Role: marketplace.RoleOwner})
	return &m, ts.login(tb, email, "owner password 123")
}

// addUser adds a user with a password to a member, as staff do on the
// command line: the API only invites.
func (ts *testServer) addUser(tb testing.TB, memberID string, n marketplace.NewUser) *marketplace.User {
	tb.Helper()
	return apptest.AddUser(tb, ts.Service, memberID, n)
}

// need is a valid need for a listing POST.
func need(title string) map[string]any {
	return map[string]any{
		"kind": "need", "title": title, "description": "A5, double-sided, full colour, on recycled paper.",
		"category": "print-runs", "tags": []string{"leaflets", "recycled paper"}, "postcode": "LS6 1AA",
		"price_min_pence": 40000, "price_max_pence": 60000, "price_unit": "job", "deadline": "2027-03-01",
	}
}

// publishedListing posts and publishes a listing for the member whose
// owner's token is given.
func (ts *testServer) publishedListing(tb testing.TB, token string, body map[string]any) *marketplace.Listing {
	tb.Helper()
	var l marketplace.Listing
	ts.do(tb, "POST", "/v1/listings", token, body).must(tb, 201).decode(tb, &l)
	ts.do(tb, "POST", "/v1/listings/"+l.ID+"/publish", token, nil).must(tb, 200).decode(tb, &l)
	return &l
}

// offerBody is a valid offer for a listing POST.
func offerBody(title string) map[string]any {
	return map[string]any{
		"kind": "offer", "title": title, "description": "Litho and digital print, recycled stock, delivered.",
		"category": "print-runs", "tags": []string{"leaflets", "recycled paper"}, "postcode": "LS9 8AB", "radius_km": 60,
		"price_min_pence": 30000, "price_max_pence": 50000, "price_unit": "job",
	}
}

// storeMatch scores an offer against a need and stores the match, as the
// matcher would.
func (ts *testServer) storeMatch(tb testing.TB, offer, need *marketplace.Listing) *marketplace.Match {
	tb.Helper()
	best := matching.BestMatches(matching.NewCandidate(offer, true), []matching.Candidate{matching.NewCandidate(need, true)}, ts.now, 1)
	if len(best) != 1 {
		tb.Fatalf("the offer %q and the need %q do not match", offer.Title, need.Title)
	}
	m := best[0]
	m.Version, m.CreatedAt, m.UpdatedAt = 1, ts.now, ts.now
	if _, err := ts.Service.Matches.UpsertMatchScores(context.Background(), []*marketplace.Match{m}); err != nil {
		tb.Fatal(err)
	}
	return m
}
