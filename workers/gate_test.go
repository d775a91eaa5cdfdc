package workers

import (
	"context"
	"testing"
	"time"
)

// A job's command waits while a request is served, and at most maxWait.
func TestGateHoldsJobsWhileARequestIsServed(t *testing.T) {
	g := NewGate(time.Millisecond, 50*time.Millisecond)
	done := g.Serving()
	defer done()
	start := time.Now()
	g.Yield(asJob(context.Background()))
	if waited := time.Since(start); waited < 50*time.Millisecond {
		t.Fatalf("a job's command went ahead after %s while a request was served", waited)
	}
	if g.Waited() < 50*time.Millisecond {
		t.Fatalf("the gate counts %s waited", g.Waited())
	}
}

// Once the requests end, a job goes ahead after the quiet time, not after
// maxWait; what is not a job never waits; a job's end ends its wait.
func TestGateLetsJobsGoWhenQuiet(t *testing.T) {
	g := NewGate(time.Millisecond, time.Minute)
	done := g.Serving()
	released := make(chan time.Time, 1)
	go func() {
		time.Sleep(20 * time.Millisecond)
		released <- time.Now()
		done()
	}()
	g.Yield(asJob(context.Background()))
	if since := time.Since(<-released); since > 30*time.Second {
		t.Fatalf("the job waited %s after the request ended", since)
	}

	hold := g.Serving()
	defer hold()
	start := time.Now()
	g.Yield(context.Background()) // a request's own command
	if waited := time.Since(start); waited > 30*time.Second {
		t.Fatalf("a command that is not a job's waited %s", waited)
	}
	ctx, cancel := context.WithCancel(asJob(context.Background()))
	time.AfterFunc(20*time.Millisecond, cancel)
	start = time.Now()
	g.Yield(ctx)
	if waited := time.Since(start); waited > 30*time.Second {
		t.Fatalf("a cancelled job waited %s", waited)
	}
	var nilGate *Gate
	nilGate.Yield(asJob(context.Background())) // MongoDB: no gate, no wait
}
