package workers

import (
	"context"
	"slices"
	"time"

	"github.com/hibiken/asynq"
	"github.com/prometheus/client_golang/prometheus"

	"cooptrade/marketplace"
)

type taskMetrics struct {
	processed *prometheus.CounterVec
	failed    *prometheus.CounterVec
	latency   *prometheus.HistogramVec
}

func newTaskMetrics(reg prometheus.Registerer) *taskMetrics {
	m := &taskMetrics{
		processed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "marketplace_tasks_processed_total", Help: "Tasks processed, by type.",
		}, []string{"type"}),
		failed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "marketplace_tasks_failed_total", Help: "Tasks whose handler returned an error, by type.",
		}, []string{"type"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "marketplace_task_duration_seconds", Help: "Time spent handling tasks, by type.",
			Buckets: prometheus.ExponentialBuckets(0.001, 4, 9),
		}, []string{"type"}),
	}
	if reg != nil {
		reg.MustRegister(m.processed, m.failed, m.latency)
	}
	return m
}

// known makes the series of a task type, at zero, before any task of it
// runs: a rate over a series that appears only with the first failure
// misses that failure.
func (m *taskMetrics) known(typ string) {
	m.processed.WithLabelValues(typ)
	m.failed.WithLabelValues(typ)
	m.latency.WithLabelValues(typ)
}

func (m *taskMetrics) observe(typ string, d time.Duration, err error) {
	m.processed.WithLabelValues(typ).Inc()
	if err != nil {
		m.failed.WithLabelValues(typ).Inc()
	}
	m.latency.WithLabelValues(typ).Observe(d.Seconds())
}

// Queues are the queues the workers serve, most urgent first.
var Queues = []string{QueueCritical, QueueIndex, QueueDefault, QueueLow}

// QueueCollector exports the state of the queues, read from Redis at
// scrape time through asynq's Inspector (a few Redis commands per queue,
// whatever the number of tasks): how many tasks wait in each state, and
// how long the oldest pending task has waited.
type QueueCollector struct {
	inspector *asynq.Inspector
	tasks     *prometheus.Desc
	size      *prometheus.Desc
	latency   *prometheus.Desc
	up        *prometheus.Desc
}

// NewQueueCollector returns the collector of the queues on opt's Redis.
// The caller registers it and closes it.
func NewQueueCollector(opt asynq.RedisConnOpt) *QueueCollector {
	return &QueueCollector{
		inspector: asynq.NewInspector(opt),
		tasks: prometheus.NewDesc("marketplace_queue_tasks",
			"Tasks in the queue, by state: pending, active, scheduled, retry (failed, waiting to be tried again), archived (dead: out of retries) and completed.",
			[]string{"queue", "state"}, nil),
		size: prometheus.NewDesc("marketplace_queue_size",
			"Tasks in the queue that are not done: pending, active, scheduled, retry and archived.", []string{"queue"}, nil),
		latency: prometheus.NewDesc("marketplace_queue_oldest_pending_seconds",
			"How long the oldest pending task of the queue has waited (0 when none waits).", []string{"queue"}, nil),
		up: prometheus.NewDesc("marketplace_queue_up",
			"1 when the queues' Redis answered the last scrape, else 0.", nil, nil),
	}
}

// Describe implements prometheus.Collector.
func (c *QueueCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.tasks
	ch <- c.size
	ch <- c.latency
	ch <- c.up
}

// Collect implements prometheus.Collector. A queue no task has used yet
// is reported empty, so that alerts always have a series to look at.
func (c *QueueCollector) Collect(ch chan<- prometheus.Metric) {
	existing, err := c.inspector.Queues()
	if err != nil {
		ch <- prometheus.MustNewConstMetric(c.up, prometheus.GaugeValue, 0)
		return
	}
	up := 1.0
	for _, q := range Queues {
		info := &asynq.QueueInfo{Queue: q}
		if slices.Contains(existing, q) {
			if info, err = c.inspector.GetQueueInfo(q); err != nil {
				up = 0
				continue
			}
		}
		for state, n := range map[string]int{
			"pending": info.Pending, "active": info.Active, "scheduled": info.Scheduled,
			"retry": info.Retry, "archived": info.Archived, "completed": info.Completed,
		} {
			ch <- prometheus.MustNewConstMetric(c.tasks, prometheus.GaugeValue, float64(n), q, state)
		}
		ch <- prometheus.MustNewConstMetric(c.size, prometheus.GaugeValue, float64(info.Size), q)
		ch <- prometheus.MustNewConstMetric(c.latency, prometheus.GaugeValue, info.Latency.Seconds(), q)
	}
	ch <- prometheus.MustNewConstMetric(c.up, prometheus.GaugeValue, up)
}

// Close closes the collector's connection to Redis.
func (c *QueueCollector) Close() error { return c.inspector.Close() }

// Results of a delivery, as DeliveryMetrics counts them.
const (
	DeliverySent    = "sent"    // the receiver took it
	DeliveryFailed  = "failed"  // refused for good: not tried again
	DeliveryRetried = "retried" // failed for now: tried again later, until the retries run out
)

// DeliveryMetrics counts deliveries of mail and webhooks by their result.
// A nil *DeliveryMetrics counts nothing.
type DeliveryMetrics struct {
	deliveries *prometheus.CounterVec
}

// NewDeliveryMetrics returns the delivery counters, registered with reg.
func NewDeliveryMetrics(reg prometheus.Registerer) *DeliveryMetrics {
	m := &DeliveryMetrics{deliveries: prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "marketplace_deliveries_total",
		Help: "Attempts to deliver mail and webhooks, by channel (mail, webhook) and result (sent; failed: refused for good; retried: failed for now and tried again later).",
	}, []string{"channel", "result"})}
	for _, ch := range []string{"mail", "webhook"} {
		for _, r := range []string{DeliverySent, DeliveryFailed, DeliveryRetried} {
			m.deliveries.WithLabelValues(ch, r)
		}
	}
	reg.MustRegister(m.deliveries)
	return m
}

// observe counts one attempt on channel that ended with err: nil is sent;
// EINVALID (not worth trying again), or any error on a job's last try,
// failed; any other error retried.
func (m *DeliveryMetrics) observe(ctx context.Context, channel string, err error) {
	if m == nil {
		return
	}
	result := DeliveryRetried
	switch {
	case err == nil:
		result = DeliverySent
	case marketplace.ErrorCode(err) == marketplace.EINVALID || lastTry(ctx):
		result = DeliveryFailed
	}
	m.deliveries.WithLabelValues(channel, result).Inc()
}

// lastTry reports whether ctx is a job's that will not be tried again.
func lastTry(ctx context.Context) bool {
	retried, ok1 := asynq.GetRetryCount(ctx)
	maxRetry, ok2 := asynq.GetMaxRetry(ctx)
	return ok1 && ok2 && retried >= maxRetry
}
