package workers

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
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

func (m *taskMetrics) observe(typ string, d time.Duration, err error) {
	m.processed.WithLabelValues(typ).Inc()
	if err != nil {
		m.failed.WithLabelValues(typ).Inc()
	}
	m.latency.WithLabelValues(typ).Observe(d.Seconds())
}
