package app

import (
	"context"
	"cooptrade/marketplace/httpapi"
	"cooptrade/marketplace/web"
	"cooptrade/workers"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/pprof"
	"time"
)

// StartWorkers starts the job workers unless WorkerConcurrency is 0.
func (m *Main) StartWorkers(ctx context.Context) error {
	if m.WorkerConcurrency <= 0 {
		m.Logger.Info("workers: none in this process (--workers=0)")
		return nil
	}
	w := workers.New(m.RedisOpt(), workers.Config{
		Concurrency:     m.WorkerConcurrency,
		ShutdownTimeout: m.Config.ShutdownTimeout,
		ReconcileGrace:  m.Knobs.ReconcileGrace,
		Logger:          m.Logger,
		Registerer:      m.Registry,
		Periodic:        schedule,
	}, workers.UseCases{Service: m.Service, Indexer: m.Indexer, Alerts: m.Alerts}, m.Queue)
	for typ, fn := range m.Payments.JobHandlers() {
		w.HandleJob(typ, workers.JobFunc(fn))
	}
	if err := w.Start(ctx); err != nil {
		return err
	}
	m.Workers = w
	m.Logger.Info("workers: started", "concurrency", m.WorkerConcurrency)
	return nil
}

// Serve opens everything, starts the workers (unless WorkerConcurrency is
// 0) and serves HTTP on HTTP_ADDR. It returns once the listener is open.
func (m *Main) Serve(ctx context.Context) error {
	m.servePprof()
	if err := m.Open(ctx); err != nil {
		return err
	}
	if err := m.StartWorkers(ctx); err != nil {
		return err
	}
	pages, err := web.New(web.Config{
		Service:         m.Service,
		Search:          m.measuredSearch(),
		Dues:            m.Payments,
		BaseURL:         m.Config.BaseURL,
		Logger:          m.Logger,
		LoginsPerMinute: m.Knobs.LoginsPerMinute,
		WritesPerMinute: m.Knobs.WritesPerMinute,
		Controller:      m.Config.PrivacyController,
	})
	if err != nil {
		return err
	}
	m.Pages = pages
	m.monitor = workers.NewQueueMonitor(m.RedisOpt(), "/staff/queues")
	if m.queueMetrics, err = m.registerScrapeMetrics(); err != nil {
		return err
	}
	var foreground httpapi.Foreground
	if m.embeddedMongo != nil {
		foreground = m.gate
	}
	m.HTTP = httpapi.New(httpapi.Config{
		Foreground:        foreground,
		QueueMonitor:      m.monitor,
		PageSession:       pages.Authenticate,
		UnsubscribePage:   pages.UnsubscribePage,
		Dues:              m.Payments,
		Search:            m.measuredSearch(),
		Service:           m.Service,
		Logger:            m.Logger,
		Registry:          m.Registry,
		Version:           m.Version,
		TrustedProxies:    m.Config.TrustedProxies,
		MetricsToken:      m.Config.MetricsToken,
		InboundMailSecret: m.Config.InboundMailSecret,
		LoginsPerMinute:   m.Knobs.LoginsPerMinute,
		WritesPerMinute:   m.Knobs.WritesPerMinute,
		ReadyChecks: map[string]func(context.Context) error{
			"mongodb": m.DB.Ping,
			"redis":   m.Queue.Ping,
			"search":  m.measuredSearch().Ping,
		},
	})
	// The pages are served by the same app, after the API's routes.
	pages.Mount(m.HTTP.App)
	ln := m.Knobs.Listener
	if ln == nil {
		if ln, err = net.Listen("tcp", m.Config.HTTPAddr); err != nil {
			return fmt.Errorf("listen on %s: %w", m.Config.HTTPAddr, err)
		}
	}
	m.listener = ln
	m.served = make(chan error, 1)
	go func() { m.served <- m.HTTP.Serve(ln) }()
	m.Logger.Info("serving HTTP", "addr", ln.Addr().String(), "base_url", m.Config.BaseURL, "version", m.Version)
	return m.serveLMTP()
}

// Work opens everything and runs the workers, without HTTP. The embedded
// database, queue and search engine live inside one process, so a
// separate worker process needs real ones.
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
	if err := m.Open(ctx); err != nil {
		return err
	}
	if err := m.StartWorkers(ctx); err != nil {
		return err
	}
	return m.ServeWorkerMetrics()
}

// Addr is the address HTTP is served on (useful with HTTP_ADDR=:0).
func (m *Main) Addr() string {
	if m.listener == nil {
		return ""
	}
	return m.listener.Addr().String()
}

// URL is http:// and the address HTTP is served on.
func (m *Main) URL() string {
	return "http://" + m.Addr()
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
