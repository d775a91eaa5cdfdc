// Package webtest runs the marketplace's pages for a test the way the
// program runs them, wired by cmd/marketplace/app: the JSON API and the
// pages on one Fiber app on a free port of 127.0.0.1, over FerretDB
// embedded (mongotest), the embedded search engine, a real redis-server
// (redistest) and the job workers, so that a
// listing published through the pages is indexed and matched as in
// production. It also seeds members, users and listings through the use
// cases, and drives Chromium (browser.go).
//
// It is imported by tests only.
package webtest

import (
	"context"
	"log/slog"
	"os"
	"testing"
	"time"

	"cooptrade/cmd/marketplace/app"
	"cooptrade/cmd/marketplace/app/apptest"
	"cooptrade/marketplace"
	"cooptrade/mongodb"
	"cooptrade/payments"
	"cooptrade/search"
	"cooptrade/workers/mail/mailtest"
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
	// SMTP receives the mail (default: mail goes to the log).
	SMTP *mailtest.Server
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
	env := map[string]string{"INBOUND_MAIL_SECRET": InboundSecret}
	if opt.BaseURL != "" {
		env["BASE_URL"] = opt.BaseURL
	}
	if opt.SMTP != nil {
		env["SMTP_URL"], env["MAIL_FROM"] = opt.SMTP.URL, "Marketplace <hello@federation.example>"
	}
	a := apptest.Open(tb, apptest.Options{
		Env: env, Serve: true, Stripe: opt.Stripe, Workers: 4, Logger: logger,
		Knobs: app.Knobs{LoginsPerMinute: opt.LoginsPerMinute, ReconcileGrace: time.Second},
	})
	ctx := context.Background()
	addr := a.URL()
	svc := a.Service
	db, engine, pay := a.DB, a.Search, a.Payments
	s := &Server{URL: addr, Service: svc, Payments: pay, DB: db, Search: engine}
	var err error
	s.staff, err = svc.AddStaff(ctx, "staff@federation.example", "Federation Staff", StaffPassword)
	if err != nil {
		tb.Fatalf("webtest: staff: %v", err)
	}
	return s
}

// InboundSecret is the mail relay's secret of every server: the bearer
// token of POST /v1/inbound/mail.
const InboundSecret = "the mail relay's secret of the tests"

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
