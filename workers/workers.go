package workers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/hibiken/asynq"
	"github.com/prometheus/client_golang/prometheus"

	"cooptrade/marketplace"
	"cooptrade/marketplace/alerting"
)

// Config configures the workers. Zero values are the defaults.
type Config struct {
	// Concurrency is how many tasks run at once (default 10).
	Concurrency int
	// ShutdownTimeout is how long running tasks get to finish at shutdown
	// before they are handed back to the queue (default 20s).
	ShutdownTimeout time.Duration
	// ReconcileGrace is how old pending work must be before the reconciler
	// enqueues it again, so that work just enqueued is left to its job
	// (default 1 minute).
	ReconcileGrace time.Duration
	// Logger receives the workers' logs (default slog.Default()).
	Logger *slog.Logger
	// Registerer receives the task metrics (default: none are kept).
	Registerer prometheus.Registerer
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Periodic are the jobs the scheduler enqueues (default: none; the
	// program's table is in cmd/marketplace/app). The reconciler runs once
	// at start whatever they are.
	Periodic []Periodic
}

// Workers runs the task handlers and the scheduler.
type Workers struct {
	cfg      Config
	redis    asynq.RedisConnOpt
	server   *asynq.Server
	sched    *asynq.Scheduler
	mux      *asynq.ServeMux
	queue    *Queue
	service  *marketplace.Service
	indexer  *marketplace.Indexer
	alerts   *alerting.Alerts
	listings marketplace.ListingStore
	metrics  *taskMetrics
	logger   *slog.Logger

	stopStart context.CancelFunc // stops the start's reconcile
	started   sync.WaitGroup
}

// UseCases are what the jobs run; every one is required.
type UseCases struct {
	Service *marketplace.Service
	Indexer *marketplace.Indexer
	Alerts  *alerting.Alerts
}

// New returns the workers on the Redis at opt, running the use cases. They
// do nothing until Start.
func New(opt asynq.RedisConnOpt, cfg Config, uc UseCases, queue *Queue) *Workers {
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = 10
	}
	if cfg.ShutdownTimeout <= 0 {
		cfg.ShutdownTimeout = 20 * time.Second
	}
	if cfg.ReconcileGrace <= 0 {
		cfg.ReconcileGrace = time.Minute
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	w := &Workers{
		cfg: cfg, redis: opt, queue: queue, service: uc.Service, indexer: uc.Indexer, alerts: uc.Alerts, listings: uc.Service.Listings,
		mux: asynq.NewServeMux(), logger: cfg.Logger.With("component", "workers"),
		metrics: newTaskMetrics(cfg.Registerer),
	}
	w.mux.Use(w.observe)
	for typ, h := range map[string]asynq.HandlerFunc{
		TypeOutboxReconcile:    w.HandleOutboxReconcile,
		TypeTokensSweep:        w.HandleTokensSweep,
		TypeSessionsSweep:      w.HandleSessionsSweep,
		TypeRetention:          w.HandleRetention,
		TypeExportBuild:        w.HandleExportBuild,
		TypeListingIndex:       w.HandleListingIndex,
		TypeMemberReindex:      w.HandleMemberReindex,
		TypeNotifyDeliver:      w.HandleNotifyDeliver,
		TypeListingsRemind:     w.HandleListingsRemind,
		TypeListingsExpire:     w.HandleListingsExpire,
		TypeListingMatch:       w.HandleListingMatch,
		TypeMatchNotify:        w.HandleMatchNotify,
		TypeListingAlerts:      w.HandleListingAlerts,
		TypeAlertsDigestDaily:  w.HandleAlertsDigestDaily,
		TypeAlertsDigestWeekly: w.HandleAlertsDigestWeekly,
		TypeAlertsCatchUp:      w.HandleAlertsCatchUp,
	} {
		w.mux.HandleFunc(typ, h)
		w.metrics.known(typ)
	}
	return w
}

// Start starts processing tasks and the scheduler, and enqueues again
// whatever work the database says is still to do (the embedded queue
// forgets everything at a restart).
func (w *Workers) Start(ctx context.Context) error {
	w.server = asynq.NewServer(w.redis, asynq.Config{
		Concurrency: w.cfg.Concurrency,
		// Strictly by priority: a listing published while thousands of
		// matching jobs wait (after a seed or an import) is indexed
		// first, and payments before all.
		Queues:         map[string]int{QueueCritical: 4, QueueIndex: 3, QueueDefault: 2, QueueLow: 1},
		StrictPriority: true,
		// An idle worker looks for new work ten times a second, not once:
		// a listing published to idle workers is searchable at once.
		TaskCheckInterval: 100 * time.Millisecond,
		ShutdownTimeout:   w.cfg.ShutdownTimeout,
		Logger:            asynqLogger{w.logger},
		LogLevel:          asynq.WarnLevel,
		ErrorHandler: asynq.ErrorHandlerFunc(func(ctx context.Context, t *asynq.Task, err error) {
			retried, _ := asynq.GetRetryCount(ctx)
			max, _ := asynq.GetMaxRetry(ctx)
			w.logger.WarnContext(ctx, "task failed", "type", t.Type(), "retried", retried, "max_retry", max, "error", err)
		}),
	})
	if err := w.server.Start(w.mux); err != nil {
		return fmt.Errorf("workers: start server: %w", err)
	}
	w.sched = asynq.NewScheduler(w.redis, &asynq.SchedulerOpts{Logger: asynqLogger{w.logger}, LogLevel: asynq.WarnLevel, Location: time.UTC})
	for _, p := range w.cfg.Periodic {
		if _, err := w.sched.Register(p.Spec, p.task()); err != nil {
			w.server.Shutdown()
			return fmt.Errorf("workers: schedule %s: %w", p.Type, err)
		}
	}
	if err := w.sched.Start(); err != nil {
		w.server.Shutdown()
		return fmt.Errorf("workers: start scheduler: %w", err)
	}
	// The start's reconcile may have thousands of listings to enqueue
	// (after a seed or an import): it runs beside, not before, serving.
	startCtx, cancel := context.WithCancel(asJob(context.WithoutCancel(ctx)))
	w.stopStart = cancel
	w.started.Add(1)
	go func() {
		defer w.started.Done()
		if n, err := w.Reconcile(startCtx, w.cfg.Now()); err != nil {
			w.logger.WarnContext(startCtx, "reconcile at start failed; the scheduler will retry", "error", err)
		} else if n > 0 {
			w.logger.InfoContext(startCtx, "re-enqueued pending listing work at start", "listings", n)
		}
	}()
	for _, p := range w.cfg.Periodic {
		if p.AtStart {
			if err := w.queue.Enqueue(ctx, p.task()); err != nil {
				w.logger.WarnContext(ctx, "cannot enqueue a job at start", "type", p.Type, "error", err)
			}
		}
	}
	// Evaluating saved searches leaves no marker on the listing for the
	// reconciler to find; the catch-up makes up for work lost.
	if err := w.queue.Enqueue(ctx, NewAlertsCatchUpTask()); err != nil {
		w.logger.WarnContext(ctx, "cannot enqueue the saved searches' catch-up", "error", err)
	}
	return nil
}

// Shutdown stops the scheduler, lets running tasks finish within the
// shutdown timeout and hands the rest back to the queue.
func (w *Workers) Shutdown() {
	if w.stopStart != nil {
		w.stopStart()
		w.started.Wait()
	}
	if w.sched != nil {
		w.sched.Shutdown()
	}
	if w.server != nil {
		w.server.Shutdown()
	}
}

// reconcileBatch bounds one reconciler run; what is left waits for the next.
const reconcileBatch = 5000

// Reconcile enqueues the work of every listing whose index entry or matches
// lag behind its version and that changed before the given time. It returns
// how many listings it enqueued.
func (w *Workers) Reconcile(ctx context.Context, before time.Time) (int, error) {
	refs, err := w.listings.FindListingsBehind(ctx, before, reconcileBatch)
	if err != nil {
		return 0, err
	}
	var errs []error
	for _, ref := range refs {
		errs = append(errs, w.queue.enqueueListing(ctx, ref))
	}
	// Notifications stored by a job that died before enqueuing them.
	ns, err := w.service.FindUndelivered(ctx, before, reconcileBatch)
	errs = append(errs, err)
	for _, n := range ns {
		errs = append(errs, w.queue.EnqueueDelivery(ctx, n.ID))
	}
	// Matches stored by a job that died before enqueuing their notice.
	ms, err := w.service.Matches.FindMatchesToNotify(ctx, before, reconcileBatch)
	errs = append(errs, err)
	for _, m := range ms {
		errs = append(errs, w.queue.EnqueueMatchCreated(ctx, m.ID))
	}
	return len(refs), errors.Join(errs...)
}

// HandleOutboxReconcile handles TypeOutboxReconcile.
func (w *Workers) HandleOutboxReconcile(ctx context.Context, _ *asynq.Task) error {
	n, err := w.Reconcile(ctx, w.cfg.Now().Add(-w.cfg.ReconcileGrace))
	if n > 0 {
		w.logger.InfoContext(ctx, "reconciler re-enqueued listing work", "listings", n)
	}
	return err
}

// HandleTokensSweep handles TypeTokensSweep.
func (w *Workers) HandleTokensSweep(ctx context.Context, _ *asynq.Task) error {
	n, err := w.service.SweepTokens(ctx)
	if n > 0 {
		w.logger.InfoContext(ctx, "swept expired API tokens", "deleted", n)
	}
	return err
}

// HandleSessionsSweep handles TypeSessionsSweep.
func (w *Workers) HandleSessionsSweep(ctx context.Context, _ *asynq.Task) error {
	n, err := w.service.SweepSessions(ctx)
	if n > 0 {
		w.logger.InfoContext(ctx, "swept expired sessions", "deleted", n)
	}
	return err
}

// HandleRetention handles TypeRetention: what is past its time in the
// retention table is deleted.
func (w *Workers) HandleRetention(ctx context.Context, _ *asynq.Task) error {
	done, err := w.service.ApplyRetention(ctx)
	for kind, n := range done {
		if n > 0 {
			w.logger.InfoContext(ctx, "deleted records past their time", "kind", kind, "records", n)
		}
	}
	return err
}

// HandleExportBuild handles TypeExportBuild: a requested export of
// personal data is built.
func (w *Workers) HandleExportBuild(ctx context.Context, t *asynq.Task) error {
	var p ExportPayload
	if err := json.Unmarshal(t.Payload(), &p); err != nil || p.Hash == "" {
		return fmt.Errorf("workers: bad %s payload %q: %w", t.Type(), t.Payload(), asynq.SkipRetry)
	}
	return w.service.BuildExport(ctx, p.Hash)
}

// observe records each task's outcome and latency.
func (w *Workers) observe(next asynq.Handler) asynq.Handler {
	return asynq.HandlerFunc(func(ctx context.Context, t *asynq.Task) error {
		start := time.Now()
		err := next.ProcessTask(asJob(ctx), t)
		w.metrics.observe(t.Type(), time.Since(start), err)
		return err
	})
}

// asynqLogger passes asynq's logs to slog.
type asynqLogger struct{ l *slog.Logger }

func (a asynqLogger) Debug(args ...any) { a.l.Debug(fmt.Sprint(args...)) }
func (a asynqLogger) Info(args ...any)  { a.l.Info(fmt.Sprint(args...)) }
func (a asynqLogger) Warn(args ...any)  { a.l.Warn(fmt.Sprint(args...)) }
func (a asynqLogger) Error(args ...any) { a.l.Error(fmt.Sprint(args...)) }
func (a asynqLogger) Fatal(args ...any) { a.l.Error(fmt.Sprint(args...)) }
