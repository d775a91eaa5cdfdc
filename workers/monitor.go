package workers

import (
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"

	"github.com/hibiken/asynq"
	"github.com/hibiken/asynqmon"
)

// QueueMonitor is asynqmon, the web UI of the queues, made fit to serve:
// a queue that does not exist is a 404 (asynqmon answers 500), and every
// answer carries a Content-Security-Policy that allows only the monitor's
// own scripts (its two inline ones by their hashes) and forbids framing.
type QueueMonitor struct {
	ui        *asynqmon.HTTPHandler
	inspector *asynq.Inspector
	root      string
	csp       string
}

// NewQueueMonitor returns the queue monitor served under root (e.g.
// "/staff/queues"). The caller guards who may reach it and closes it.
func NewQueueMonitor(opt asynq.RedisConnOpt, root string) *QueueMonitor {
	m := &QueueMonitor{
		ui:        asynqmon.New(asynqmon.Options{RootPath: root, RedisConnOpt: opt}),
		inspector: asynq.NewInspector(opt),
		root:      strings.TrimRight(root, "/"),
	}
	m.csp = m.policy()
	return m
}

// inlineScript finds the inline scripts of the monitor's page.
var inlineScript = regexp.MustCompile(`(?s)<script>(.*?)</script>`)

// policy is the Content-Security-Policy of the monitor: its page is
// rendered once here to hash its inline scripts.
func (m *QueueMonitor) policy() string {
	rec := httptest.NewRecorder()
	m.ui.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, m.root+"/", nil))
	scripts := []string{"'self'"}
	for _, s := range inlineScript.FindAllStringSubmatch(rec.Body.String(), -1) {
		sum := sha256.Sum256([]byte(s[1]))
		scripts = append(scripts, "'sha256-"+base64.StdEncoding.EncodeToString(sum[:])+"'")
	}
	// The UI's components set their styles inline at run time.
	return "default-src 'self'; script-src " + strings.Join(scripts, " ") +
		"; style-src 'self' 'unsafe-inline'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
}

// ServeHTTP implements http.Handler.
func (m *QueueMonitor) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", m.csp)
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	if rest, ok := strings.CutPrefix(r.URL.Path, m.root+"/api/queues/"); ok {
		// "default", "default:pause", "default/pending_tasks"…
		name, _, _ := strings.Cut(rest, "/")
		if i := strings.LastIndex(name, ":"); i >= 0 {
			name = name[:i]
		}
		queues, err := m.inspector.Queues()
		if err != nil {
			http.Error(w, "The queues cannot be read: "+err.Error(), http.StatusServiceUnavailable)
			return
		}
		if !slices.Contains(queues, name) {
			http.Error(w, "There is no queue "+name+".", http.StatusNotFound)
			return
		}
	}
	m.ui.ServeHTTP(w, r)
}

// Close releases the monitor's connections to Redis.
func (m *QueueMonitor) Close() error {
	return errors.Join(m.ui.Close(), m.inspector.Close())
}
