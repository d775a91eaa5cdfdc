package app

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"runtime"
	"time"

	"github.com/hibiken/asynq"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/redis/go-redis/v9"

	"cooptrade/marketplace"
	"cooptrade/marketplace/alerting"
	"cooptrade/marketplace/argon2"
	"cooptrade/marketplace/httpapi"
	"cooptrade/marketplace/lmtp"
	"cooptrade/marketplace/matching"
	"cooptrade/marketplace/message"
	"cooptrade/marketplace/mongo"
	"cooptrade/marketplace/web"
	"cooptrade/mongodb"
	"cooptrade/payments"
	paymongo "cooptrade/payments/mongo"
	"cooptrade/search"
	"cooptrade/search/bleve"
	"cooptrade/search/meili"
	"cooptrade/workers"
	"cooptrade/workers/mail"
)

// Main is the whole application: what it opened, in the order it opened
// it, so that Close can undo it in reverse.
type Main struct {
	Config Config
	Knobs  Knobs
	Logger *slog.Logger
	// WorkerConcurrency is how many jobs run at once in this process; 0
	// runs no workers.
	WorkerConcurrency int
	// Version is the program's version, shown by /healthz.
	Version string

	Registry *prometheus.Registry
	DB       *mongodb.DB
	Stores   *mongo.Stores
	Service  *marketplace.Service
	// Indexer keeps the search index in step; it is made with Search.
	Indexer *marketplace.Indexer
	// Alerts runs the saved searches, for the workers.
	Alerts   *alerting.Alerts
	Queue    *workers.Queue
	Workers  *workers.Workers
	Search   search.Engine
	Payments *payments.Service
	// PaymentStores are the dues' own records.
	PaymentStores *paymongo.Stores
	Pages         *web.Server
	HTTP          *httpapi.Server

	clock         offsetClock
	mailSender    mail.Sender
	mailer        *workers.Mailer
	webhooks      *workers.WebhookSender
	ownDB         bool
	embeddedMongo *mongodb.Embedded
	// gate lets the jobs' queries give way to requests, on the embedded
	// database only (their queries run in this process).
	gate          *workers.Gate
	embeddedRedis *workers.EmbeddedRedis
	redis         redis.UniversalClient
	monitor       *workers.QueueMonitor
	metrics       *appMetrics
	metricsServer *http.Server // the worker's /metrics
	metricsAddr   string
	queueMetrics  *workers.QueueCollector
	listener      net.Listener
	served        chan error
	lmtp          *lmtp.Server
	lmtpListener  net.Listener
	lmtpServed    chan error
}

// Knobs change what Main builds, for tests and benchmarks. The zero value
// is what the program runs.
type Knobs struct {
	// DB is an open database to use instead of MONGODB_URI or the embedded
	// one; Close leaves it open.
	DB *mongodb.DB
	// Listener is where HTTP is served instead of HTTP_ADDR.
	Listener net.Listener
	// Passwords hashes passwords (default: argon2id with its recommended
	// parameters).
	Passwords marketplace.PasswordHasher
	// Now is the clock of the use cases and the dues (default: the real
	// time; the dues' can be moved on by AdvancePaymentsClock).
	Now func() time.Time
	// LookupIP resolves the hosts of members' webhooks (default: the
	// system's resolver); a test without a network gives its own.
	LookupIP func(ctx context.Context, host string) ([]netip.Addr, error)
	// WebhookTLS is the TLS configuration of webhook deliveries (default:
	// the system's roots); a test gives its receivers' certificate.
	WebhookTLS *tls.Config
	// DuesNow is the dues' clock, when it must differ from Now (default:
	// Now, or the real time moved on by AdvancePaymentsClock).
	DuesNow func() time.Time
	// LoginsPerMinute and WritesPerMinute are the API's and the pages'
	// limits per client address (default: theirs).
	LoginsPerMinute, WritesPerMinute int
	// ReconcileGrace is how old pending work must be before the workers'
	// reconciler queues it again (default: theirs).
	ReconcileGrace time.Duration
	// MetricsCacheTTL is how long figures that cost a scan are kept
	// between scrapes (default DefaultMetricsCacheTTL).
	MetricsCacheTTL time.Duration
}

// New returns the application with the given configuration, logging to
// logger (slog.Default() when nil). Nothing is opened until Open, Serve or
// Work.
func New(cfg Config, logger *slog.Logger) *Main {
	if logger == nil {
		logger = slog.Default()
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m := &Main{Config: cfg, Logger: logger, WorkerConcurrency: DefaultWorkers(cfg), Version: "dev", Registry: reg,
		metrics: newAppMetrics(reg), gate: workers.NewGate(gateQuiet, gateMaxWait)}
	reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{
		Name: "marketplace_jobs_yielded_seconds_total",
		Help: "Time the jobs' database commands waited for requests to be served first (embedded database only).",
	}, func() float64 { return m.gate.Waited().Seconds() }))
	return m
}

// A job's database command on the embedded database waits until no
// request has been served for gateQuiet; while requests keep coming, it
// goes after gateMaxWait, one such command at a time: jobs run in the gaps
// between requests, and still move.
const (
	gateQuiet   = time.Millisecond
	gateMaxWait = 25 * time.Millisecond
)

// DefaultWorkers is how many jobs run at once unless --workers says. On
// the embedded database the jobs' queries run in this process, on the
// CPUs that serve requests: one CPU is left to the requests, so that a
// person's request never waits for a CPU behind the jobs (measured on 2
// CPUs while a backlog of 6,000 jobs ran, five runs each: the API's p99
// 0.7–1.9 times its p99 with the backlog paused with one worker, 1.3–3.7
// times with two; a lone request's p50 0.30–0.33 ms against 0.51–0.64 ms;
// the backlog 31–35 s instead of 20–24 s). More jobs than CPUs only make
// them wait for each other.
// On MongoDB they wait on the network, and 10 keep it busy.
func DefaultWorkers(cfg Config) int {
	if cfg.MongoURI == "" {
		return max(runtime.NumCPU()-1, 1)
	}
	return 10
}

// JSONLogger is the program's logger: JSON lines at the configured level.
func JSONLogger(cfg Config, w io.Writer) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: cfg.LogLevel}))
}

// Open opens everything but the workers and HTTP: the database, the queue,
// mail, the use cases, the search engine and the dues.
func (m *Main) Open(ctx context.Context) error {
	if err := m.OpenStorage(ctx); err != nil {
		return err
	}
	if err := m.OpenSearch(ctx); err != nil {
		return err
	}
	return m.OpenRest(ctx)
}

// OpenRest opens, after storage and search, the dues. Bulk commands open
// search in their own way, then call it.
func (m *Main) OpenRest(ctx context.Context) error {
	if err := m.openPayments(ctx); err != nil {
		return err
	}
	m.logOtherEngines()
	return nil
}

// OpenStorage connects to MongoDB, or starts FerretDB embedded under
// DATA_DIR, opens the queue and mail, and builds the use cases on them:
// all but search, which the embedded engine allows one process only, so
// that commands that only read and write records (admin) run beside a
// running service.
func (m *Main) OpenStorage(ctx context.Context) error {
	if m.Service != nil {
		return nil
	}
	if err := m.openDB(ctx); err != nil {
		return err
	}
	// Before anything reads the documents: a database written by a newer
	// program stops the start here, and an older one is upgraded.
	if err := m.migrateAtStart(ctx); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	secret, err := m.secretKey()
	if err != nil {
		return err
	}
	stores, err := mongo.Open(ctx, m.DB, secret)
	if err != nil {
		return err
	}
	m.Stores = stores
	// Payments' stores now, so that the service's list of personal data
	// holds theirs; the payments service is built on them later.
	if m.PaymentStores, err = paymongo.Open(ctx, m.DB); err != nil {
		return err
	}
	if err := m.openQueue(); err != nil {
		return err
	}
	if err := m.openNotifications(); err != nil {
		return err
	}
	passwords := m.Knobs.Passwords
	if passwords == nil {
		passwords = &argon2.Hasher{}
	}
	domain := stores.Domain()
	// Matching's candidate pool is shared by every worker through Redis.
	pool := workers.NewSharedPool(m.Redis(), func(ctx context.Context) ([]matching.Candidate, error) {
		return matching.LoadCandidates(ctx, domain.Members, domain.Listings)
	})
	m.Service, err = marketplace.NewService(marketplace.Dependencies{
		Stores:         domain,
		Queue:          m.Queue,
		Pool:           pool,
		Messages:       message.Writer{},
		Mailer:         m.mailer,
		Webhooks:       m.webhooks,
		WebhookURLs:    m.webhooks,
		AlertEvaluator: search.AlertEvaluator{},
		Passwords:      passwords,
		PersonalData:   append(stores.PersonalData(), m.PaymentStores.PersonalData()...),
		Pruners:        pruners(stores, m.PaymentStores),
		Exports:        stores.Exports,
		EnquirerLinks:  stores.EnquirerLinks,
	}, marketplace.Settings{
		BaseURL:   m.Config.BaseURL,
		Secret:    secret,
		Logger:    m.Logger,
		Now:       m.Knobs.Now,
		TokenTTL:  m.Config.TokenTTL,
		Retention: m.Config.Retention,

		ReplyDomain: m.Config.ReplyDomain,
	})
	if err != nil {
		return err
	}
	m.Alerts = alerting.New(m.Service)
	return nil
}

// pruners are every store's pruners, by kind of record.
func pruners(stores *mongo.Stores, pay *paymongo.Stores) map[marketplace.RetentionKind]marketplace.Pruner {
	all := stores.Pruners()
	for kind, p := range pay.Pruners() {
		all[kind] = p
	}
	return all
}

// openDB opens the database: the one the knobs give, MongoDB at
// MONGODB_URI, or FerretDB embedded under DATA_DIR.
func (m *Main) openDB(ctx context.Context) error {
	if m.Knobs.DB != nil {
		m.DB = m.Knobs.DB
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	var db *mongodb.DB
	var err error
	if m.Config.MongoURI != "" {
		m.Logger.Info("database: MongoDB", "database", m.Config.MongoDatabase)
		db, err = mongodb.Open(ctx, m.Config.MongoURI, m.Config.MongoDatabase, m.metrics.dbMonitor(nil))
	} else {
		dir := m.Config.EmbeddedDBDir()
		var ferretLog *slog.Logger
		if m.Config.LogLevel <= slog.LevelDebug {
			ferretLog = m.Logger.With("component", "ferretdb")
		}
		// Not :=, which would hide the error of e.Open from the check below.
		var e *mongodb.Embedded
		if e, err = mongodb.StartEmbeddedSync(dir, ferretLog, m.Config.DataSync); err != nil {
			return err
		}
		m.embeddedMongo = e
		m.Logger.Info("database: FerretDB embedded, on SQLite files", "dir", dir)
		// The jobs' queries run here, beside the requests: they give way.
		db, err = e.Open(ctx, m.Config.MongoDatabase, m.metrics.dbMonitor(m.gate))
	}
	if err != nil {
		return err
	}
	m.DB, m.ownDB = db, true
	return nil
}

// openQueue connects to Redis, or starts miniredis in the process.
func (m *Main) openQueue() error {
	if m.Config.RedisURL == "" {
		r, err := workers.StartEmbeddedRedis()
		if err != nil {
			return err
		}
		m.embeddedRedis = r
		m.Queue = workers.NewQueue(r.Opt())
		m.Logger.Warn("queue: miniredis embedded in the process; queued jobs are kept in memory and do not survive a restart (the reconciler enqueues pending work again at start)")
	} else {
		m.Queue = workers.NewQueue(m.RedisOpt())
		m.Logger.Info("queue: Redis")
	}
	return nil
}

// RedisOpt returns how to reach the queue's Redis.
func (m *Main) RedisOpt() asynq.RedisConnOpt {
	if m.embeddedRedis != nil {
		return m.embeddedRedis.Opt()
	}
	opt, _ := workers.ParseRedisURL(m.Config.RedisURL) // checked by ParseConfig
	return opt
}

// Redis returns a client of the queue's Redis, made the first time.
func (m *Main) Redis() redis.UniversalClient {
	if m.redis == nil {
		m.redis = workers.NewRedisClient(m.RedisOpt())
	}
	return m.redis
}

// OpenSearch opens the search engine: Meilisearch when MEILI_URL is set,
// otherwise the embedded engine under DATA_DIR.
func (m *Main) OpenSearch(ctx context.Context) error {
	if m.Search != nil {
		return nil
	}
	if m.Config.MeiliURL != "" {
		e, err := meili.Open(ctx, meili.Config{URL: m.Config.MeiliURL, APIKey: m.Config.MeiliAPIKey})
		if err != nil {
			return fmt.Errorf("search: %w", err)
		}
		m.Search = e
		m.Logger.Info("search: Meilisearch")
	} else {
		dir := m.Config.SearchDir()
		e, err := bleve.Open(dir)
		if err != nil {
			return err
		}
		m.Search = e
		m.Logger.Info("search: embedded engine (Bleve)", "dir", dir)
	}
	indexer, err := marketplace.NewIndexer(m.Stores.Domain(), search.Index{Engine: m.measuredSearch()}, m.Queue)
	if err != nil {
		return err
	}
	m.Indexer = indexer
	return nil
}

func (m *Main) logOtherEngines() {
	if m.Config.SMTPURL == "" {
		m.Logger.Info("mail: written to the log (set SMTP_URL to send it)")
	} else {
		m.Logger.Info("mail: SMTP")
	}
}

// Close shuts down in order: HTTP (finishing requests in flight), the
// workers (finishing or handing back running jobs), the queue client, the
// database, and the embedded servers, within SHUTDOWN_TIMEOUT. Closing
// twice is harmless.
func (m *Main) Close() error {
	timeout := m.Config.ShutdownTimeout
	if timeout <= 0 {
		timeout = 25 * time.Second
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	var errs []error
	if m.HTTP != nil {
		errs = append(errs, m.HTTP.Shutdown(ctx))
		// A Shutdown that comes before the serving goroutine has started
		// finds nothing to stop, and Serve would then accept for ever:
		// closing the listener ends it either way (already closed by a
		// Shutdown that stopped it).
		_ = m.listener.Close()
		<-m.served
		m.HTTP = nil
	}
	// Replies by mail write through the service, like HTTP: both stop
	// before the workers, the queue and the database.
	errs = append(errs, m.closeLMTP(ctx))
	// No request comes in now: let the work begun after an answer (a
	// password reset's mail) finish before its stores and mailer close.
	if m.Service != nil {
		errs = append(errs, m.Service.Drain(ctx))
	}
	if m.monitor != nil {
		errs = append(errs, m.monitor.Close())
		m.monitor = nil
	}
	if m.metricsServer != nil {
		errs = append(errs, m.metricsServer.Shutdown(ctx))
		m.metricsServer = nil
	}
	if m.queueMetrics != nil {
		errs = append(errs, m.queueMetrics.Close())
		m.queueMetrics = nil
	}
	if m.Workers != nil {
		m.Workers.Shutdown()
		m.Workers = nil
	}
	if m.Queue != nil {
		errs = append(errs, m.Queue.Close())
		m.Queue = nil
	}
	if m.redis != nil {
		errs = append(errs, m.redis.Close())
		m.redis = nil
	}
	if m.Search != nil {
		errs = append(errs, m.Search.Close())
		m.Search = nil
	}
	if m.DB != nil && m.ownDB {
		errs = append(errs, m.DB.Close(ctx))
	}
	m.DB = nil
	if m.embeddedRedis != nil {
		errs = append(errs, m.embeddedRedis.Close())
		m.embeddedRedis = nil
	}
	if m.embeddedMongo != nil {
		errs = append(errs, m.embeddedMongo.Close())
		m.embeddedMongo = nil
	}
	return errors.Join(errs...)
}

// MongoURI is the address of the database in use: MONGODB_URI, or the
// embedded server's.
func (m *Main) MongoURI() string {
	if m.embeddedMongo != nil {
		return m.embeddedMongo.URI()
	}
	return m.Config.MongoURI
}
