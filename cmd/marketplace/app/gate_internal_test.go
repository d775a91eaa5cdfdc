package app

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"testing"
	"time"

	"cooptrade/workers/redistest"
)

// On the embedded database the jobs' queries give way to requests: the
// program's own database client passes each job's command through the
// gate. The jobs that run when the workers start (the reconciler, the
// catch-up) wait while a request is being served.
func TestEmbeddedJobsGiveWayToRequests(t *testing.T) {
	rd := redistest.New(t)
	env := map[string]string{
		"DATA_DIR": t.TempDir(), "REDIS_URL": rd.URL, "BASE_URL": "http://127.0.0.1",
		"SECRET_KEY": "74657374207365637265742c2074686972747920747769206279746573206c6f6e67",
	}
	cfg, err := ParseConfig(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	m := New(cfg, slog.New(slog.DiscardHandler))
	m.WorkerConcurrency = 1
	if m.Knobs.Listener, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = m.Close() })
	if m.gate.Waited() != 0 {
		t.Fatalf("waited %s before anything ran", m.gate.Waited())
	}
	serving := m.gate.Serving() // a request that takes its time
	if err := m.Serve(context.Background()); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(time.Minute)
	for m.gate.Waited() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("no job's command waited for the request being served")
		}
		time.Sleep(10 * time.Millisecond)
	}
	serving()

	// The API tells the gate of each request it serves.
	before := m.gate.Served()
	res, err := http.Get(m.URL() + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if m.gate.Served() != before+1 {
		t.Fatalf("the gate was told of %d requests, then %d, around one GET", before, m.gate.Served())
	}
}
