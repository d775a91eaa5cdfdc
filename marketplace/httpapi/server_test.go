package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"cooptrade/marketplace"
	"cooptrade/marketplace/argon2"
	"cooptrade/marketplace/httpapi"
	"cooptrade/marketplace/mongo"
	"cooptrade/marketplace/mongo/mongodb"
	"cooptrade/marketplace/mongo/mongotest"
	"cooptrade/payments"
	paymongo "cooptrade/payments/mongo"
	"cooptrade/payments/stripetest"
	"cooptrade/workers"
	"cooptrade/workers/redistest"

	argon2id "github.com/alexedwards/argon2id"
)

// testServer is the API on a real port over FerretDB, with a clock tests
// can move.
type testServer struct {
	URL     string
	Service *marketplace.Service
	DB      *mongodb.DB
	now     time.Time
}

// quickHashes keeps password hashing cheap in tests; the real parameters
// are tested in package argon2.
var quickHashes = &argon2.Hasher{Params: &argon2id.Params{Memory: 1024, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32}}

// newTestServer runs the API over FerretDB on a port of 127.0.0.1 until the
// test ends. Each wire function, when given, completes cfg with what is
// built on the server's service and database (the dues) before the API is.
func newTestServer(tb testing.TB, cfg httpapi.Config, wire ...func(ts *testServer, cfg *httpapi.Config)) *testServer {
	tb.Helper()
	db := mongotest.NewDB(tb)
	ts := &testServer{DB: db, now: time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)}
	svc := &marketplace.Service{
		Members: mongo.NewMemberStore(db), Users: mongo.NewUserStore(db), Tokens: mongo.NewTokenStore(db),
		Listings: mongo.NewListingStore(db), Passwords: quickHashes,
		Notifications: mongo.NewNotificationStore(db), Preferences: mongo.NewPreferenceStore(db),
		Matches: mongo.NewMatchStore(db), Audit: mongo.NewAuditStore(db), Sessions: mongo.NewSessionStore(db),
		Secret: []byte("test secret"), BaseURL: "https://marketplace.example",
		Logger: slog.New(slog.DiscardHandler), Now: func() time.Time { return ts.now },
	}
	ts.Service = svc
	cfg.Service = svc
	for _, w := range wire {
		w(ts, &cfg)
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Registry == nil {
		cfg.Registry = prometheus.NewRegistry()
	}
	if cfg.ReadyChecks == nil {
		cfg.ReadyChecks = map[string]func(context.Context) error{"mongodb": db.Ping}
	}
	srv := httpapi.New(cfg)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
		<-done
	})
	ts.URL = "http://" + ln.Addr().String()
	return ts
}

// newPayments returns the members' dues over a marketplace service and its
// database, wired as the program wires them: payments' own stores, its jobs
// on a real Redis queue and, withStripe, stripe-mock and the test webhook
// secret. now is the clock it sees; its warnings go to logs.
func newPayments(tb testing.TB, svc *marketplace.Service, db *mongodb.DB, now func() time.Time, logs io.Writer, withStripe bool) (*payments.Service, *paymongo.Stores, *redistest.Server) {
	tb.Helper()
	stores, err := paymongo.Open(context.Background(), db)
	if err != nil {
		tb.Fatal(err)
	}
	rs := redistest.New(tb)
	queue := workers.NewQueue(rs.Opt())
	tb.Cleanup(func() { _ = queue.Close() })
	pay := &payments.Service{
		Market: svc, Accounts: stores.Accounts, Applications: stores.Applications, Events: stores.Events,
		Objects: stores.Objects, Jobs: queueJobs{queue}, BaseURL: "https://market.example.coop",
		Logger: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelWarn})), Now: now,
	}
	if withStripe {
		mock := stripetest.NewServer(tb)
		pay.Stripe, pay.WebhookSecret = mock.Client(), stripetest.WebhookSecret
	}
	return pay, stores, rs
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
	email := "staff-" + mongotest.DatabaseName() + "@federation.example"
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
	ts.do(tb, "POST", "/v1/members/"+m.ID+"/users", staff, map[string]any{
		"email": email, "password": "owner password 123", "role": "owner",
	}).must(tb, 201)
	return &m, ts.login(tb, email, "owner password 123")
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
	best := marketplace.BestMatches(marketplace.NewCandidate(offer, true), []marketplace.Candidate{marketplace.NewCandidate(need, true)}, ts.now, 1)
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
