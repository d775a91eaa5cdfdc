// Package webtest runs the marketplace's pages for a test the way the
// program runs them: the JSON API and the pages on one Fiber app on a free
// port of 127.0.0.1, over FerretDB embedded (mongotest), the embedded search
// engine, a real redis-server (redistest) and the job workers, so that a
// listing published through the pages is indexed and matched as in
// production. It also seeds members, users and listings through the use
// cases, and drives Chromium (browser.go).
package webtest

import (
	"context"
	"log/slog"
	"net"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	argon2id "github.com/alexedwards/argon2id"

	"cooptrade/marketplace"
	"cooptrade/marketplace/argon2"
	"cooptrade/marketplace/httpapi"
	"cooptrade/marketplace/mongo"
	"cooptrade/marketplace/mongo/mongodb"
	"cooptrade/marketplace/mongo/mongotest"
	"cooptrade/marketplace/web"
	"cooptrade/payments"
	paymongo "cooptrade/payments/mongo"
	"cooptrade/payments/stripetest"
	"cooptrade/search"
	"cooptrade/search/bleve"
	"cooptrade/workers"
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
	ctx := context.Background()
	db := mongotest.NewDB(tb)
	engine, err := bleve.Open(tb.TempDir())
	if err != nil {
		tb.Fatalf("webtest: search engine: %v", err)
	}
	tb.Cleanup(func() { _ = engine.Close() })
	rs := redistest.New(tb)
	queue := workers.NewQueue(rs.Opt())
	tb.Cleanup(func() { _ = queue.Close() })
	rdb := workers.NewRedisClient(rs.Opt())
	tb.Cleanup(func() { _ = rdb.Close() })

	secret := []byte("webtest secret key, 32 bytes or more")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	addr := "http://" + ln.Addr().String()
	base := addr
	if opt.BaseURL != "" {
		base = opt.BaseURL
	}
	svc := &marketplace.Service{
		Members: mongo.NewMemberStore(db), Users: mongo.NewUserStore(db), Tokens: mongo.NewTokenStore(db),
		Sessions: mongo.NewSessionStore(db), Listings: mongo.NewListingStore(db), Audit: mongo.NewAuditStore(db),
		Matches: mongo.NewMatchStore(db), Queue: queue, MemberQueue: queue, MatchQueue: queue,
		Index:         search.Index{Engine: engine},
		Notifications: mongo.NewNotificationStore(db), Preferences: mongo.NewPreferenceStore(db),
		Deliveries: queue, Mailer: discardMailer{},
		Alerts: mongo.NewAlertStore(db), AlertEvaluator: search.AlertEvaluator{},
		WebhookTargets: mongo.NewWebhookTargetStore(db, secret), WebhookURLs: httpsURLs{},
		BaseURL: base, Secret: secret, Passwords: quickHashes, Logger: logger,
	}
	svc.Pool = workers.NewSharedPool(rdb, svc.LoadCandidates)

	stores, err := paymongo.Open(ctx, db)
	if err != nil {
		tb.Fatalf("webtest: payments: %v", err)
	}
	pay := &payments.Service{
		Market: svc, Accounts: stores.Accounts, Applications: stores.Applications, Events: stores.Events,
		Objects: stores.Objects, Jobs: queueJobs{queue}, BaseURL: base, Logger: logger,
	}
	if opt.Stripe {
		mock := stripetest.NewServer(tb)
		pay.Stripe, pay.WebhookSecret = mock.Client(), stripetest.WebhookSecret
	}

	w := workers.New(rs.Opt(), workers.Config{Concurrency: 4, Logger: logger, ReconcileGrace: time.Second}, svc, queue)
	for typ, fn := range pay.JobHandlers() {
		w.HandleJob(typ, workers.JobFunc(fn))
	}
	if err := w.Start(ctx); err != nil {
		tb.Fatalf("webtest: workers: %v", err)
	}
	tb.Cleanup(w.Shutdown)

	pages, err := web.New(web.Config{Service: svc, Search: engine, Dues: pay, BaseURL: base, Logger: logger, LoginsPerMinute: opt.LoginsPerMinute})
	if err != nil {
		tb.Fatalf("webtest: pages: %v", err)
	}
	monitor := workers.NewQueueMonitor(rs.Opt(), "/staff/queues")
	api := httpapi.New(httpapi.Config{Service: svc, Search: engine, Dues: pay, Logger: logger, QueueMonitor: monitor, PageSession: pages.Authenticate})
	pages.Mount(api.App)
	done := make(chan error, 1)
	go func() { done <- api.Serve(ln) }()
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = api.Shutdown(ctx)
		<-done
		_ = monitor.Close()
	})

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

// discardMailer sends no mail.
type discardMailer struct{}

func (discardMailer) SendMail(context.Context, marketplace.Mail) error { return nil }

// httpsURLs accepts any https address for a webhook (the real checker
// resolves hosts, which a test without a network cannot).
type httpsURLs struct{}

func (httpsURLs) CheckWebhookURL(_ context.Context, raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "https" || strings.HasSuffix(u.Hostname(), ".invalid") {
		return marketplace.Errorf(marketplace.EINVALID, "The address cannot be reached.")
	}
	return nil
}

// queueJobs queues payments' jobs on the workers' queue.
type queueJobs struct{ q *workers.Queue }

func (j queueJobs) Enqueue(ctx context.Context, jobType string, payload []byte, queue, id string) error {
	return j.q.EnqueueJob(ctx, workers.Job{Type: jobType, Payload: payload, Queue: queue, ID: id})
}
