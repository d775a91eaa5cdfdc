// Package webtest runs the marketplace's pages for a test the way the
// program runs them, wired by cmd/marketplace/app: the JSON API and the
// pages on one Fiber app on a free port of 127.0.0.1, over FerretDB
// embedded (mongotest), the embedded search engine, a real redis-server
// (redistest) and the job workers, so that a
// listing published through the pages is indexed and matched as in
// production. It also seeds members, users and listings through the use
// cases, and drives Chromium (browser.go).
package webtest

import (
	"context"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"testing"
	"time"

	argon2id "github.com/alexedwards/argon2id"

	"cooptrade/cmd/marketplace/app"
	"cooptrade/marketplace"
	"cooptrade/marketplace/argon2"
	"cooptrade/marketplace/mongo/mongodb"
	"cooptrade/marketplace/mongo/mongotest"
	"cooptrade/payments"
	"cooptrade/payments/stripetest"
	"cooptrade/search"
	"cooptrade/workers/redistest"
)

// Options change what NewServer starts. The zero value is the usual
// server, without Stripe.
type Options struct {
	// Stripe takes dues through stripe-mock.
	Stripe bool
	// LoginsPerMinute is the pages' limit on sign-in attempts (default
	// 1000, so that tests are not limited unless they mean to be).
	LoginsPerMinute int
	// BaseURL is the address the service believes it has (default: the
	// address it listens on); an https one makes its cookies Secure.
	BaseURL string
	// Logger receives the server's logs (default: discarded, or text on
	// standard error when WEBTEST_LOG is set).
	Logger *slog.Logger
}

// Server is the pages and the API over real engines.
type Server struct {
	// URL is the address of the server, http://127.0.0.1:port.
	URL      string
	Service  *marketplace.Service
	Payments *payments.Service
	DB       *mongodb.DB
	Search   search.Engine

	staff *marketplace.User
}

// quickHashes keeps password hashing cheap in tests; the real parameters
// are tested in package argon2.
var quickHashes = &argon2.Hasher{Params: &argon2id.Params{Memory: 1024, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32}}

// NewServer starts the server for the test and stops it at cleanup.
func NewServer(tb testing.TB, opt Options) *Server {
	tb.Helper()
	logger := opt.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
		if os.Getenv("WEBTEST_LOG") != "" {
			logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
		}
	}
	if opt.LoginsPerMinute == 0 {
		opt.LoginsPerMinute = 1000
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	addr := "http://" + ln.Addr().String()
	env := map[string]string{
		"DATA_DIR":   tb.TempDir(),
		"REDIS_URL":  redistest.New(tb).URL,
		"SECRET_KEY": "7765627465737420736563726574206b65792c203332206279746573206f72206d6f7265",
		"BASE_URL":   addr,
	}
	if opt.BaseURL != "" {
		env["BASE_URL"] = opt.BaseURL
	}
	if opt.Stripe {
		mock := stripetest.NewServer(tb)
		env["STRIPE_SECRET_KEY"], env["STRIPE_WEBHOOK_SECRET"], env["STRIPE_API_BASE"] = stripetest.TestSecretKey, stripetest.WebhookSecret, mock.URL
	}
	cfg, err := app.ParseConfig(func(k string) string { return env[k] })
	if err != nil {
		tb.Fatalf("webtest: %v", err)
	}
	a := app.New(cfg, logger)
	a.WorkerConcurrency = 4
	a.Knobs = app.Knobs{
		DB: mongotest.NewDB(tb), Listener: ln, Passwords: quickHashes, LookupIP: publicDNS,
		LoginsPerMinute: opt.LoginsPerMinute, ReconcileGrace: time.Second,
	}
	ctx := context.Background()
	if err := a.Serve(ctx); err != nil {
		_ = a.Close()
		tb.Fatalf("webtest: %v", err)
	}
	tb.Cleanup(func() { _ = a.Close() })
	svc := a.Service
	db, engine, pay := a.DB, a.Search, a.Payments
	s := &Server{URL: addr, Service: svc, Payments: pay, DB: db, Search: engine}
	s.staff, err = svc.AddStaff(ctx, "staff@federation.example", "Federation Staff", StaffPassword)
	if err != nil {
		tb.Fatalf("webtest: staff: %v", err)
	}
	return s
}

// StaffPassword is the password of the staff user every server has,
// staff@federation.example.
const StaffPassword = "a long staff password"

// Staff returns a context signed in as the server's staff user.
func (s *Server) Staff() context.Context {
	return marketplace.NewContextWithUser(context.Background(), s.staff)
}

// StaffUser returns the server's staff user.
func (s *Server) StaffUser() *marketplace.User { return s.staff }

// As returns a context signed in as u.
func As(u *marketplace.User) context.Context {
	return marketplace.NewContextWithUser(context.Background(), u)
}

// AddMember admits an active member (its standing may be changed after),
// with an owner who signs in as owner@<slug>.example with the password
// Password.
func (s *Server) AddMember(tb testing.TB, m *marketplace.Member) (*marketplace.Member, *marketplace.User) {
	tb.Helper()
	if m.Kind == "" {
		m.Kind = marketplace.MemberEnterprise
	}
	standing := m.Standing
	if standing == "" {
		standing = marketplace.StandingActive
	}
	m.Standing = standing
	if err := s.Service.CreateMember(s.Staff(), m); err != nil {
		tb.Fatalf("webtest: add member %s: %v", m.Name, err)
	}
	u, err := s.Service.AddUser(s.Staff(), m.ID, marketplace.NewUser{
		Email: "owner@" + m.Slug + ".example", Name: "Owner of " + m.Name, Password: Password, Role: marketplace.RoleOwner,
	})
	if err != nil {
		tb.Fatalf("webtest: add owner of %s: %v", m.Name, err)
	}
	return m, u
}

// Password is the password of every user AddMember makes.
const Password = "owner password 123"

// Publish posts and publishes a listing for u's member and waits until
// search has it.
func (s *Server) Publish(tb testing.TB, u *marketplace.User, l *marketplace.Listing) *marketplace.Listing {
	tb.Helper()
	ctx := As(u)
	if err := s.Service.CreateListing(ctx, l); err != nil {
		tb.Fatalf("webtest: post %q: %v", l.Title, err)
	}
	pub, err := s.Service.PublishListing(ctx, l.ID, l.Version)
	if err != nil {
		tb.Fatalf("webtest: publish %q: %v", l.Title, err)
	}
	s.WaitIndexed(tb, pub.ID)
	return pub
}

// WaitIndexed waits until the search index holds the newest version of a
// listing.
func (s *Server) WaitIndexed(tb testing.TB, id string) {
	tb.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		l, err := s.Service.Listings.FindListingByID(context.Background(), id)
		if err != nil {
			tb.Fatalf("webtest: find listing %s: %v", id, err)
		}
		if l.IndexedVersion >= l.Version {
			return
		}
		if time.Now().After(deadline) {
			tb.Fatalf("webtest: listing %s (version %d) not indexed after 20s (indexed %d)", id, l.Version, l.IndexedVersion)
		}
		time.Sleep(25 * time.Millisecond)
	}
}

// publicDNS resolves every host to one public address: the real checker
// of webhook addresses runs, without a network.
func publicDNS(context.Context, string) ([]netip.Addr, error) {
	return []netip.Addr{netip.MustParseAddr("93.184.215.14")}, nil
}
