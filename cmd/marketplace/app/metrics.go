package app

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"iter"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.mongodb.org/mongo-driver/event"
	"go.mongodb.org/mongo-driver/mongo/options"

	"cooptrade/marketplace"
	"cooptrade/payments"
	"cooptrade/search"
	"cooptrade/workers"
)

// DefaultMetricsCacheTTL is how long figures that cost a database scan
// (the outbox, pending Stripe events) are kept between scrapes: on
// FerretDB every such query reads the whole collection.
const DefaultMetricsCacheTTL = 15 * time.Second

// appMetrics are the metrics the wiring keeps: those of the database and
// search engine, of Stripe events and of deliveries. The figures read at
// scrape time are registered by registerScrapeMetrics.
type appMetrics struct {
	dbDuration     *prometheus.HistogramVec
	dbErrors       *prometheus.CounterVec
	searchDuration *prometheus.HistogramVec
	searchErrors   *prometheus.CounterVec
	stripeEvents   *prometheus.CounterVec
	deliveries     *workers.DeliveryMetrics
}

func newAppMetrics(reg prometheus.Registerer) *appMetrics {
	m := &appMetrics{
		dbDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "marketplace_db_command_duration_seconds", Help: "Time the database took to answer commands, by command (find, insert, update, …).",
			Buckets: prometheus.ExponentialBuckets(0.0002, 3, 11),
		}, []string{"command"}),
		dbErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "marketplace_db_command_errors_total", Help: "Database commands that failed, by command.",
		}, []string{"command"}),
		searchDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "marketplace_search_duration_seconds", Help: "Time the search engine took, by operation (search, upsert, delete, rebuild, ping).",
			Buckets: prometheus.ExponentialBuckets(0.0005, 3, 11),
		}, []string{"operation"}),
		searchErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "marketplace_search_errors_total", Help: "Search engine operations that failed, by operation; refused queries are not counted.",
		}, []string{"operation"}),
		stripeEvents: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "marketplace_stripe_events_total",
			Help: "Stripe events by step: received (stored the first time), duplicate (delivered again), applied, refused (cannot be applied; recorded), failed (applying failed for now; retried).",
		}, []string{"step"}),
		deliveries: workers.NewDeliveryMetrics(reg),
	}
	for _, step := range []string{payments.EventReceived, payments.EventDuplicate, payments.EventApplied, payments.EventRefused, payments.EventFailed} {
		m.stripeEvents.WithLabelValues(step)
	}
	for _, op := range searchOperations {
		m.searchDuration.WithLabelValues(op)
		m.searchErrors.WithLabelValues(op)
	}
	reg.MustRegister(m.dbDuration, m.dbErrors, m.searchDuration, m.searchErrors, m.stripeEvents)
	return m
}

// dbCommands are the commands the stores send, which become labels; any
// other is counted as "other", so that the series stay few.
var dbCommands = map[string]bool{
	"find": true, "getMore": true, "insert": true, "update": true, "delete": true, "findAndModify": true,
	"aggregate": true, "count": true, "distinct": true, "createIndexes": true, "listCollections": true,
	"listIndexes": true, "ping": true, "buildInfo": true, "create": true, "drop": true, "killCursors": true,
}

// dbMonitor returns client options that time every command the driver
// sends, and count those that fail.
//
// Before each command, a job's command gives way to the requests being
// served (gate, on the embedded database; nil on MongoDB, whose commands
// run on another machine): the command monitor is the one place every
// command passes through, in the goroutine that sends it.
func (am *appMetrics) dbMonitor(gate *workers.Gate) *options.ClientOptions {
	label := func(name string) string {
		if dbCommands[name] {
			return name
		}
		return "other"
	}
	return options.Client().SetMonitor(&event.CommandMonitor{
		Started: func(ctx context.Context, e *event.CommandStartedEvent) {
			gate.Yield(ctx, e.RequestID)
		},
		Succeeded: func(_ context.Context, e *event.CommandSucceededEvent) {
			gate.Done(e.RequestID)
			am.dbDuration.WithLabelValues(label(e.CommandName)).Observe(e.Duration.Seconds())
		},
		Failed: func(_ context.Context, e *event.CommandFailedEvent) {
			gate.Done(e.RequestID)
			cmd := label(e.CommandName)
			am.dbDuration.WithLabelValues(cmd).Observe(e.Duration.Seconds())
			am.dbErrors.WithLabelValues(cmd).Inc()
		},
	})
}

var searchOperations = []string{"search", "upsert", "delete", "rebuild", "ping"}

// measuredSearch is the search engine, timed and counted: what the use
// cases, the API and the pages are given. Search stays the engine itself.
func (m *Main) measuredSearch() search.Engine {
	return measuredEngine{m.Search, m.metrics}
}

// measuredEngine is a search engine whose operations are timed and whose
// failures are counted.
type measuredEngine struct {
	search.Engine
	m *appMetrics
}

// time starts timing op; the function it returns, deferred with the
// operation's named error, records it.
func (e measuredEngine) time(op string) func(*error) {
	start := time.Now()
	return func(err *error) {
		e.m.searchDuration.WithLabelValues(op).Observe(time.Since(start).Seconds())
		// A query refused as invalid is the asker's mistake, not the
		// engine's, and a request given up is nobody's.
		if *err != nil && marketplace.ErrorCode(*err) != marketplace.EINVALID && !errors.Is(*err, context.Canceled) {
			e.m.searchErrors.WithLabelValues(op).Inc()
		}
	}
}

func (e measuredEngine) Upsert(ctx context.Context, docs []search.Document) (err error) {
	defer e.time("upsert")(&err)
	return e.Engine.Upsert(ctx, docs)
}

func (e measuredEngine) Delete(ctx context.Context, ids []string) (err error) {
	defer e.time("delete")(&err)
	return e.Engine.Delete(ctx, ids)
}

func (e measuredEngine) Search(ctx context.Context, q search.Query) (_ *search.Result, err error) {
	defer e.time("search")(&err)
	return e.Engine.Search(ctx, q)
}

func (e measuredEngine) Rebuild(ctx context.Context, batches iter.Seq2[[]search.Document, error]) (err error) {
	defer e.time("rebuild")(&err)
	return e.Engine.Rebuild(ctx, batches)
}

func (e measuredEngine) Ping(ctx context.Context) (err error) {
	defer e.time("ping")(&err)
	return e.Engine.Ping(ctx)
}

// scrapeCollector computes figures at scrape time and keeps them for ttl,
// so that scrapes, however many, cost at most one computation per ttl.
type scrapeCollector struct {
	descs   []*prometheus.Desc
	compute func(ctx context.Context) ([]prometheus.Metric, error)
	ttl     time.Duration
	onError func(error)

	mu      sync.Mutex
	at      time.Time
	metrics []prometheus.Metric
}

func (c *scrapeCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range c.descs {
		ch <- d
	}
}

// Collect sends the figures kept, computed again once they are older than
// ttl; when that fails the series are left out (and the error logged), so
// that a stale figure never looks current.
func (c *scrapeCollector) Collect(ch chan<- prometheus.Metric) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.at.IsZero() || time.Since(c.at) >= c.ttl {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		ms, err := c.compute(ctx)
		cancel()
		if err != nil {
			c.onError(err)
			c.at, c.metrics = time.Time{}, nil
			return
		}
		c.at, c.metrics = time.Now(), ms
	}
	for _, m := range c.metrics {
		ch <- m
	}
}

// registerScrapeMetrics registers, where /metrics is served, the figures
// read at scrape time: the queues, the outbox, the Stripe events waiting
// and the last backup. It returns what must be closed.
func (m *Main) registerScrapeMetrics() (*workers.QueueCollector, error) {
	ttl := m.Knobs.MetricsCacheTTL
	if ttl <= 0 {
		ttl = DefaultMetricsCacheTTL
	}
	logError := func(what string) func(error) {
		return func(err error) { m.Logger.Warn("metrics: cannot read "+what, "error", err) }
	}
	gauge := func(d *prometheus.Desc, v float64, labels ...string) prometheus.Metric {
		return prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	// age is how long ago t was, or 0 for the zero time (nothing waits).
	age := func(now, t time.Time) float64 {
		if t.IsZero() {
			return 0
		}
		return max(now.Sub(t).Seconds(), 0)
	}

	outboxListings := prometheus.NewDesc("marketplace_outbox_listings",
		"Listings whose newest version is not yet in the search index (work=index) or not yet matched (work=match).", []string{"work"}, nil)
	outboxLag := prometheus.NewDesc("marketplace_outbox_lag_seconds",
		"How long ago the oldest listing waiting for that work changed (0 when none waits).", []string{"work"}, nil)
	outbox := &scrapeCollector{descs: []*prometheus.Desc{outboxListings, outboxLag}, ttl: ttl, onError: logError("the outbox"),
		compute: func(ctx context.Context) ([]prometheus.Metric, error) {
			b, err := m.Stores.Listings.Backlog(ctx)
			if err != nil {
				return nil, err
			}
			now := time.Now()
			return []prometheus.Metric{
				gauge(outboxListings, float64(b.Index), "index"), gauge(outboxListings, float64(b.Match), "match"),
				gauge(outboxLag, age(now, b.IndexSince), "index"), gauge(outboxLag, age(now, b.MatchSince), "match"),
			}, nil
		}}

	stripePending := prometheus.NewDesc("marketplace_stripe_events_pending",
		"Stripe events stored but not yet applied (counted up to 1,000).", nil, nil)
	stripeAge := prometheus.NewDesc("marketplace_stripe_events_pending_age_seconds",
		"How long ago the oldest Stripe event not yet applied was received (0 when none waits).", nil, nil)
	stripe := &scrapeCollector{descs: []*prometheus.Desc{stripePending, stripeAge}, ttl: ttl, onError: logError("the Stripe events"),
		compute: func(ctx context.Context) ([]prometheus.Metric, error) {
			now := time.Now()
			evs, err := m.PaymentStores.Events.FindUnappliedEvents(ctx, now.Add(time.Hour), 1000)
			if err != nil {
				return nil, err
			}
			var oldest time.Time
			if len(evs) > 0 {
				oldest = evs[0].ReceivedAt
			}
			return []prometheus.Metric{gauge(stripePending, float64(len(evs))), gauge(stripeAge, age(now, oldest))}, nil
		}}

	backupAt := prometheus.NewDesc("marketplace_backup_last_success_timestamp_seconds",
		"When the last backup finished, in Unix seconds (0 when none is recorded): `marketplace backup` on the embedded database, `marketplace backup --record` after mongodump on MongoDB.", nil, nil)
	backup := &scrapeCollector{descs: []*prometheus.Desc{backupAt}, ttl: ttl, onError: logError("the last backup's time"),
		compute: func(ctx context.Context) ([]prometheus.Metric, error) {
			t, err := m.LastBackup(ctx)
			if err != nil {
				return nil, err
			}
			v := 0.0
			if !t.IsZero() {
				v = float64(t.UnixNano()) / 1e9
			}
			return []prometheus.Metric{gauge(backupAt, v)}, nil
		}}

	queues := workers.NewQueueCollector(m.RedisOpt())
	for _, c := range []prometheus.Collector{queues, outbox, stripe, backup} {
		if err := m.Registry.Register(c); err != nil {
			_ = queues.Close()
			return nil, err
		}
	}
	return queues, nil
}

// ServeWorkerMetrics serves /metrics on METRICS_ADDR, to the bearer of
// METRICS_TOKEN only, in a process that serves no other HTTP (`marketplace
// worker`): its deliveries, Stripe events, jobs, database and search
// figures are its own. Without a token nothing is served.
func (m *Main) ServeWorkerMetrics() error {
	addr := m.Config.WorkerMetricsAddr
	if addr == "" {
		return nil
	}
	if m.Config.MetricsToken == "" {
		m.Logger.Warn("metrics: METRICS_ADDR is set but METRICS_TOKEN is not: /metrics is not served")
		return nil
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("metrics: listen on %s: %w", addr, err)
	}
	metrics := promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{})
	mux := http.NewServeMux()
	mux.HandleFunc("GET /metrics", func(w http.ResponseWriter, r *http.Request) {
		token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || subtle.ConstantTimeCompare([]byte(token), []byte(m.Config.MetricsToken)) != 1 {
			w.Header().Set("WWW-Authenticate", "Bearer")
			http.Error(w, "Send the metrics token as \"Authorization: Bearer <token>\".", http.StatusUnauthorized)
			return
		}
		metrics.ServeHTTP(w, r)
	})
	m.metricsServer = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	m.metricsAddr = ln.Addr().String()
	go func() { _ = m.metricsServer.Serve(ln) }()
	m.Logger.Info("metrics: served", "addr", ln.Addr().String())
	return nil
}

// MetricsAddr is the address the worker's metrics are served on, once
// served ("" otherwise).
func (m *Main) MetricsAddr() string {
	if m.metricsServer == nil {
		return ""
	}
	return m.metricsAddr
}
