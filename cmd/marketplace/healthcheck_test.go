package main_test

import (
	"testing"
	"time"

	"cooptrade/workers/redistest"
)

func TestHealthcheck(t *testing.T) {
	rs := redistest.New(t)
	m := MustRunMain(t, map[string]string{"DATA_DIR": t.TempDir(), "REDIS_URL": rs.URL, "LOG_LEVEL": "warn"})
	env := map[string]string{"DATA_DIR": t.TempDir(), "HTTP_ADDR": m.Addr(), "REDIS_URL": rs.URL}
	if out, err := runCommand(t, env, "", "healthcheck", "serve"); err != nil {
		t.Errorf("healthcheck serve of a running service: %v\n%s", err, out)
	}
	// The workers' first heartbeat may take a moment.
	var err error
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if _, err = runCommand(t, env, "", "healthcheck", "worker"); err == nil {
			break
		}
	}
	if err != nil {
		t.Errorf("healthcheck worker beside running workers: %v", err)
	}

	down := map[string]string{"DATA_DIR": t.TempDir(), "HTTP_ADDR": closedAddr(t), "REDIS_URL": redistest.New(t).URL}
	if _, err := runCommand(t, down, "", "healthcheck", "serve"); err == nil {
		t.Error("healthcheck serve with nothing listening passed")
	}
	if _, err := runCommand(t, down, "", "healthcheck", "worker"); err == nil {
		t.Error("healthcheck worker with no workers in Redis passed")
	}
}
