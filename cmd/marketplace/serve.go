package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"path/filepath"
	"time"

	"github.com/hibiken/asynq"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/redis/go-redis/v9"

	"cooptrade/marketplace"
	"cooptrade/marketplace/argon2"
	"cooptrade/marketplace/httpapi"
	"cooptrade/marketplace/mongo"
	"cooptrade/marketplace/mongo/mongodb"
	"cooptrade/marketplace/web"
	"cooptrade/payments"
	"cooptrade/search"
	"cooptrade/search/bleve"
	"cooptrade/search/meili"
	"cooptrade/workers"
)

// Main is the running program: what it opened, in the order it opened it,
// so that Close can undo it in reverse.
type Main struct {
	Config            Config
	Logger            *slog.Logger
	Stdin             io.Reader
	Stdout            io.Writer
	WorkerConcurrency int

	Registry *prometheus.Registry
	DB       *mongodb.DB
	Stores   *mongo.Stores
	Service  *marketplace.Service
	Queue    *workers.Queue
	Workers  *workers.Workers
	HTTP     *httpapi.Server
	Search   search.Engine
	Payments *payments.Service

	paymentsClock offsetClock
	embeddedMongo *mongodb.Embedded
	embeddedRedis *workers.EmbeddedRedis
	redis         redis.UniversalClient
	monitor       *workers.QueueMonitor
	listener      net.Listener
	served        chan error
}

// NewMain returns a program with the given configuration, logging as JSON
// to logTo.
func NewMain(cfg Config, logTo io.Writer) *Main {
	logger := slog.New(slog.NewJSONHandler(logTo, &slog.HandlerOptions{Level: cfg.LogLevel}))
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return &Main{Config: cfg, Logger: logger, Stdin: os.Stdin, Stdout: os.Stdout, WorkerConcurrency: 10, Registry: reg}
}

// openStorage connects to MongoDB, or starts FerretDB embedded under
// DATA_DIR, and builds the use cases on it.
func (m *Main) openStorage(ctx context.Context) error {
	uri := m.Config.MongoURI
	if uri == "" {
		dir := filepath.Join(m.Config.DataDir, "mongo")
		var ferretLog *slog.Logger
		if m.Config.LogLevel <= slog.LevelDebug {
			ferretLog = m.Logger.With("component", "ferretdb")
		}
		e, err := mongodb.StartEmbeddedSync(dir, ferretLog, m.Config.DataSync)
		if err != nil {
			return err
		}
		m.embeddedMongo = e
		uri = e.URI()
		m.Logger.Info("database: FerretDB embedded, on SQLite files", "dir", dir)
	} else {
		m.Logger.Info("database: MongoDB", "database", m.Config.MongoDatabase)
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	var db *mongodb.DB
	var err error
	if m.embeddedMongo != nil {
		db, err = m.embeddedMongo.Open(ctx, m.Config.MongoDatabase)
	} else {
		db, err = mongodb.Open(ctx, uri, m.Config.MongoDatabase)
	}
	if err != nil {
		return err
	}
	m.DB = db
	secret, err := m.secretKey()
	if err != nil {
		return err
	}
	stores, err := mongo.Open(ctx, db, secret)
	if err != nil {
		return err
	}
	m.Stores = stores
	m.Service = &marketplace.Service{
		Members:   stores.Members,
		Users:     stores.Users,
		Tokens:    stores.Tokens,
		Sessions:  stores.Sessions,
		Listings:  stores.Listings,
		Audit:     stores.Audit,
		Matches:   stores.Matches,
		Passwords: &argon2.Hasher{},
		Logger:    m.Logger,
		TokenTTL:  m.Config.TokenTTL,
	}
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
		opt, err := workers.ParseRedisURL(m.Config.RedisURL)
		if err != nil {
			return err
		}
		m.Queue = workers.NewQueue(opt)
		m.Logger.Info("queue: Redis")
	}
	m.Service.Queue = m.Queue
	m.Service.MemberQueue = m.Queue
	m.Service.MatchQueue = m.Queue
	// Matching's candidate pool is shared by every worker through Redis.
	m.redis = workers.NewRedisClient(m.redisOpt())
	m.Service.Pool = workers.NewSharedPool(m.redis, m.Service.LoadCandidates)
	return nil
}

// redisOpt returns how to reach the queue's Redis.
func (m *Main) redisOpt() asynq.RedisConnOpt {
	if m.embeddedRedis != nil {
		return m.embeddedRedis.Opt()
	}
	opt, _ := workers.ParseRedisURL(m.Config.RedisURL) // checked by openQueue
	return opt
}

// openSearch opens the search engine: Meilisearch when MEILI_URL is set,
// otherwise the embedded engine under DATA_DIR.
func (m *Main) openSearch(ctx context.Context) error {
	if m.Config.MeiliURL != "" {
		e, err := meili.Open(ctx, meili.Config{URL: m.Config.MeiliURL, APIKey: m.Config.MeiliAPIKey})
		if err != nil {
			return fmt.Errorf("search: %w", err)
		}
		m.Search = e
		m.Service.Index = search.Index{Engine: e}
		m.Logger.Info("search: Meilisearch")
		return nil
	}
	dir := filepath.Join(m.Config.DataDir, "search")
	e, err := bleve.Open(dir)
	if err != nil {
		return err
	}
	m.Search = e
	m.Service.Index = search.Index{Engine: e}
	m.Logger.Info("search: embedded engine (Bleve)", "dir", dir)
	return nil
}

// startWorkers starts the job workers unless their concurrency is 0.
func (m *Main) startWorkers(ctx context.Context) error {
	if m.WorkerConcurrency <= 0 {
		m.Logger.Info("workers: none in this process (--workers=0)")
		return nil
	}
	w := workers.New(m.redisOpt(), workers.Config{
		Concurrency:     m.WorkerConcurrency,
		ShutdownTimeout: m.Config.ShutdownTimeout,
		Logger:          m.Logger,
		Registerer:      m.Registry,
		Periodic:        append(m.paymentsPeriodic(), workers.AlertDigestJobs()...),
	}, m.Service, m.Queue)
	m.handlePaymentJobs(w)
	if err := w.Start(ctx); err != nil {
		return err
	}
	m.Workers = w
	m.Logger.Info("workers: started", "concurrency", m.WorkerConcurrency)
	return nil
}

// Serve opens everything, starts the workers (unless --workers=0) and
// serves HTTP on HTTP_ADDR. It returns once the listener is open.
func (m *Main) Serve(ctx context.Context) error {
	m.servePprof()
	if err := m.openStorage(ctx); err != nil {
		return err
	}
	if err := m.openQueue(); err != nil {
		return err
	}
	if err := m.openNotifications(); err != nil {
		return err
	}
	if err := m.openSearch(ctx); err != nil {
		return err
	}
	if err := m.openPayments(ctx); err != nil {
		return err
	}
	m.logOtherEngines()
	if err := m.startWorkers(ctx); err != nil {
		return err
	}
	pages, err := web.New(web.Config{
		Service: m.Service,
		Search:  m.Search,
		Dues:    m.Payments,
		BaseURL: m.Config.BaseURL,
		Logger:  m.Logger,
	})
	if err != nil {
		return err
	}
	m.monitor = workers.NewQueueMonitor(m.redisOpt(), "/staff/queues")
	m.HTTP = httpapi.New(httpapi.Config{
		QueueMonitor:   m.monitor,
		PageSession:    pages.Authenticate,
		Dues:           m.Payments,
		Search:         m.Search,
		Service:        m.Service,
		Logger:         m.Logger,
		Registry:       m.Registry,
		Version:        Version(),
		TrustedProxies: m.Config.TrustedProxies,
		MetricsToken:   m.Config.MetricsToken,
		ReadyChecks: map[string]func(context.Context) error{
			"mongodb": m.DB.Ping,
			"redis":   m.Queue.Ping,
			"search":  m.Search.Ping,
		},
	})
	// The pages are served by the same app, after the API's routes.
	pages.Mount(m.HTTP.App)
	ln, err := net.Listen("tcp", m.Config.HTTPAddr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", m.Config.HTTPAddr, err)
	}
	m.listener = ln
	m.served = make(chan error, 1)
	go func() { m.served <- m.HTTP.Serve(ln) }()
	m.Logger.Info("serving HTTP", "addr", ln.Addr().String(), "base_url", m.Config.BaseURL, "version", Version())
	return nil
}

// Work opens storage and the queue and runs the workers, without HTTP. The
// embedded database and queue live inside one process, so a separate worker
// process needs real ones.
func (m *Main) Work(ctx context.Context) error {
	if m.Config.MongoURI == "" || m.Config.RedisURL == "" || m.Config.MeiliURL == "" {
		return errors.New("worker needs MONGODB_URI, REDIS_URL and MEILI_URL: the embedded database, queue and search engine live inside the serve process, which runs the workers itself")
	}
	if len(m.Config.SecretKey) == 0 {
		return errors.New("worker needs SECRET_KEY, the same as the serve process's, to sign the links in the mail it sends")
	}
	if m.WorkerConcurrency <= 0 {
		return errors.New("worker needs --workers of at least 1")
	}
	if err := m.openStorage(ctx); err != nil {
		return err
	}
	if err := m.openQueue(); err != nil {
		return err
	}
	if err := m.openNotifications(); err != nil {
		return err
	}
	if err := m.openSearch(ctx); err != nil {
		return err
	}
	if err := m.openPayments(ctx); err != nil {
		return err
	}
	m.logOtherEngines()
	return m.startWorkers(ctx)
}

func (m *Main) logOtherEngines() {
	if m.Config.SMTPURL == "" {
		m.Logger.Info("mail: written to the log (set SMTP_URL to send it)")
	} else {
		m.Logger.Info("mail: SMTP")
	}
}

// Addr is the address HTTP is served on (useful with HTTP_ADDR=:0).
func (m *Main) Addr() string {
	if m.listener == nil {
		return ""
	}
	return m.listener.Addr().String()
}

// Close shuts down in order: HTTP (finishing requests in flight), the
// workers (finishing or handing back running jobs), the queue client, the
// database, and the embedded servers, within SHUTDOWN_TIMEOUT.
func (m *Main) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), m.Config.ShutdownTimeout)
	defer cancel()
	var errs []error
	if m.HTTP != nil {
		errs = append(errs, m.HTTP.Shutdown(ctx))
		<-m.served
		m.HTTP = nil
	}
	if m.monitor != nil {
		errs = append(errs, m.monitor.Close())
		m.monitor = nil
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
	if m.DB != nil {
		errs = append(errs, m.DB.Close(ctx))
		m.DB = nil
	}
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

// servePprof serves Go's profiler on PPROF_ADDR, when it is set.
func (m *Main) servePprof() {
	if m.Config.PprofAddr == "" {
		return
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	srv := &http.Server{Addr: m.Config.PprofAddr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := srv.ListenAndServe(); err != nil {
			m.Logger.Warn("pprof: not served", "addr", m.Config.PprofAddr, "error", err)
		}
	}()
	m.Logger.Info("pprof: served", "addr", m.Config.PprofAddr)
}
