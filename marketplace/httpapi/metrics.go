package httpapi

import (
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

type httpMetrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	// routes are the paths of the routes that answer requests; anything
	// else (no route, or a middleware that answered first) is counted as
	// otherRoute, so that clients cannot make series up.
	routes map[string]bool
	once   sync.Once
}

// otherRoute labels requests no route answered.
const otherRoute = "other"

// routeLabels returns the label values of a request: copies, since Fiber's
// strings point into buffers that the next request reuses (a label that
// changed after it was stored once made /metrics fail for good).
func (m *httpMetrics) routeLabels(method, route string) (string, string) {
	switch method {
	case "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS":
		method = strings.Clone(method)
	default:
		method = otherRoute
	}
	if !m.routes[route] {
		return method, otherRoute
	}
	return method, strings.Clone(route)
}

func newHTTPMetrics(reg prometheus.Registerer) *httpMetrics {
	m := &httpMetrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "marketplace_http_requests_total", Help: "HTTP requests, by method, route and status.",
		}, []string{"method", "route", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "marketplace_http_request_duration_seconds", Help: "HTTP request latency, by method and route.",
			Buckets: prometheus.ExponentialBuckets(0.0005, 3, 10),
		}, []string{"method", "route"}),
	}
	reg.MustRegister(m.requests, m.duration)
	return m
}

func (m *httpMetrics) observe(method, route string, status int, d time.Duration) {
	method, route = m.routeLabels(method, route)
	m.requests.WithLabelValues(method, route, strconv.Itoa(status)).Inc()
	m.duration.WithLabelValues(method, route).Observe(d.Seconds())
}
