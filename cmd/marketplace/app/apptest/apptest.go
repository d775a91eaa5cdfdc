// Package apptest opens the whole application for a test, wired as the
// program wires it (package app), over real engines started for the test:
// FerretDB embedded (mongotest), a real redis-server (redistest), the
// embedded search engine in a temporary directory, and stripe-mock when
// asked. Tests of the pages, the API, the workers and the use cases, and
// the benchmarks, build on it instead of wiring the parts by hand. It is
// imported by tests only.
package apptest

import (
	"context"
	"log/slog"
	"net"
	"net/netip"
	"testing"

	argon2id "github.com/alexedwards/argon2id"

	"cooptrade/cmd/marketplace/app"
	"cooptrade/marketplace"
	"cooptrade/marketplace/argon2"
	"cooptrade/marketplace/mongo/mongotest"
	"cooptrade/payments/stripetest"
	"cooptrade/workers/redistest"
)

// Options change what Open starts. The zero value opens the application
// without serving HTTP, without job workers (jobs wait in the queue) and
// without Stripe.
type Options struct {
	// Env adds to or overrides the environment the configuration is read
	// from (BASE_URL, METRICS_TOKEN, TRUSTED_PROXIES, …).
	Env map[string]string
	// Knobs are passed on; DB, Passwords and LookupIP default to a fresh
	// FerretDB database (unless Env gives MONGODB_URI), QuickHashes and
	// PublicDNS.
	Knobs app.Knobs
	// Workers is how many jobs run at once (default none).
	Workers int
	// Serve serves the API and the pages on a free port of 127.0.0.1 (its
	// address is the BASE_URL unless Env gives one).
	Serve bool
	// Stripe takes dues through stripe-mock.
	Stripe bool
	// Logger receives the application's logs (default: discarded).
	Logger *slog.Logger
}

// App is the opened application and the Redis it runs on.
type App struct {
	*app.Main
	Redis *redistest.Server
}

// SecretKey is the SECRET_KEY every test application has.
const SecretKey = "74657374207365637265742c2074686972747920747769206279746573206c6f6e67"

// QuickHashes keeps password hashing cheap in tests; the real parameters
// are tested in package argon2.
var QuickHashes = &argon2.Hasher{Params: &argon2id.Params{Memory: 1024, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32}}

// PublicDNS resolves every host to one public address: the real checker of
// webhook addresses runs, without a network.
func PublicDNS(context.Context, string) ([]netip.Addr, error) {
	return []netip.Addr{netip.MustParseAddr("93.184.215.14")}, nil
}

// Open opens the application for the test and closes it at cleanup.
func Open(tb testing.TB, opt Options) *App {
	tb.Helper()
	a := &App{Redis: redistest.New(tb)}
	env := map[string]string{
		"DATA_DIR":   tb.TempDir(),
		"REDIS_URL":  a.Redis.URL,
		"SECRET_KEY": SecretKey,
		"BASE_URL":   "https://marketplace.example",
	}
	knobs := opt.Knobs
	if opt.Serve {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			tb.Fatal(err)
		}
		knobs.Listener = ln
		env["BASE_URL"] = "http://" + ln.Addr().String()
	}
	if opt.Stripe {
		mock := stripetest.NewServer(tb)
		env["STRIPE_SECRET_KEY"], env["STRIPE_WEBHOOK_SECRET"], env["STRIPE_API_BASE"] = stripetest.TestSecretKey, stripetest.WebhookSecret, mock.URL
	}
	for k, v := range opt.Env {
		env[k] = v
	}
	cfg, err := app.ParseConfig(func(k string) string { return env[k] })
	if err != nil {
		tb.Fatalf("apptest: %v", err)
	}
	logger := opt.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	// With MONGODB_URI in Env the application opens the database itself,
	// as the program does (its command monitor included).
	if knobs.DB == nil && env["MONGODB_URI"] == "" {
		knobs.DB = mongotest.NewDB(tb)
	}
	if knobs.Passwords == nil {
		knobs.Passwords = QuickHashes
	}
	if knobs.LookupIP == nil {
		knobs.LookupIP = PublicDNS
	}
	a.Main = app.New(cfg, logger)
	a.Version = "test"
	a.WorkerConcurrency = opt.Workers
	a.Knobs = knobs
	ctx := context.Background()
	if opt.Serve {
		err = a.Serve(ctx)
	} else if err = a.Open(ctx); err == nil {
		err = a.StartWorkers(ctx)
	}
	tb.Cleanup(func() { _ = a.Close() })
	if err != nil {
		tb.Fatalf("apptest: %v", err)
	}
	return a
}

// AddUser adds a user with a first password to a member, as staff do with
// `marketplace admin add-user`: the API and the pages only invite, and a
// test that needs someone signed in should not have to go through a mail.
// The user's role defaults to editor.
func AddUser(tb testing.TB, svc *marketplace.Service, memberID string, n marketplace.NewUser) *marketplace.User {
	tb.Helper()
	ctx := marketplace.NewContextWithUser(context.Background(), marketplace.SystemUser("test"))
	u, err := svc.AddUser(ctx, memberID, n)
	if err != nil {
		tb.Fatalf("apptest: add user %s: %v", n.Email, err)
	}
	return u
}
