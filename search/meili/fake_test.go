package meili_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"cooptrade/search/meili"
)

// request is one request the fake Meilisearch received.
type request struct {
	Method string
	Path   string
	Body   string
	Auth   string
}

// fake is a Meilisearch stand-in: it records requests and answers each
// with the first route whose method and path match, or 202 and an
// enqueued task for writes and a succeeded task for task look-ups.
type fake struct {
	t      *testing.T
	mu     sync.Mutex
	reqs   []request
	routes []route
	srv    *httptest.Server
}

type route struct {
	method, path string
	status       int
	fixture      string
	delay        time.Duration
}

func newFake(t *testing.T, routes ...route) *fake {
	f := &fake{t: t, routes: routes}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fake) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	path := r.URL.Path
	if r.URL.RawQuery != "" {
		path += "?" + r.URL.RawQuery
	}
	f.mu.Lock()
	f.reqs = append(f.reqs, request{Method: r.Method, Path: path, Body: string(body), Auth: r.Header.Get("Authorization")})
	rt := route{status: http.StatusAccepted, fixture: "task_enqueued.json"}
	switch {
	case r.Method == http.MethodGet && strings.HasPrefix(path, "/tasks/"):
		rt = route{status: http.StatusOK, fixture: "task_succeeded.json"}
	case r.Method == http.MethodGet && path == "/health":
		rt = route{status: http.StatusOK, fixture: "health.json"}
	}
	for _, x := range f.routes {
		if x.method == r.Method && x.path == path {
			rt = x
			break
		}
	}
	f.mu.Unlock()
	if rt.delay > 0 {
		select {
		case <-time.After(rt.delay):
		case <-r.Context().Done():
			return
		}
	}
	if strings.HasSuffix(rt.fixture, ".json") {
		w.Header().Set("Content-Type", "application/json")
	}
	w.WriteHeader(rt.status)
	w.Write(fixture(f.t, rt.fixture))
}

// requests returns the requests received, less task look-ups.
func (f *fake) requests() []request {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []request
	for _, r := range f.reqs {
		if !strings.HasPrefix(r.Path, "/tasks/") {
			out = append(out, r)
		}
	}
	return out
}

func (f *fake) reset() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reqs = nil
}

func fixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// open opens an engine on the fake and forgets the requests Open made.
func open(t *testing.T, f *fake, cfg meili.Config) *meili.Engine {
	t.Helper()
	cfg.URL = f.srv.URL
	if cfg.APIKey == "" {
		cfg.APIKey = "masterKey"
	}
	if cfg.PollInterval == 0 {
		cfg.PollInterval = time.Millisecond
	}
	e, err := meili.Open(context.Background(), cfg)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { e.Close() })
	f.reset()
	return e
}

// jsonOf re-encodes a JSON body with sorted keys, for comparison.
func jsonOf(t *testing.T, body string) any {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(body), &v); err != nil {
		t.Fatalf("body %q: %v", body, err)
	}
	return v
}
