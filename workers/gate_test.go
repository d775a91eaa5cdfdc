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
	g.Yield(asJob(context.Background()), 1)
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
	g.Yield(asJob(context.Background()), 1)
	if since := time.Since(<-released); since > 30*time.Second {
		t.Fatalf("the job waited %s after the request ended", since)
	}

	hold := g.Serving()
	defer hold()
	start := time.Now()
	g.Yield(context.Background(), 2) // a request's own command
	if waited := time.Since(start); waited > 30*time.Second {
		t.Fatalf("a command that is not a job's waited %s", waited)
	}
	ctx, cancel := context.WithCancel(asJob(context.Background()))
	time.AfterFunc(20*time.Millisecond, cancel)
	start = time.Now()
	g.Yield(ctx, 3)
	if waited := time.Since(start); waited > 30*time.Second {
		t.Fatalf("a cancelled job waited %s", waited)
	}
	var nilGate *Gate
	nilGate.Yield(asJob(context.Background()), 4) // MongoDB: no gate, no wait
}

// While requests are being served, one job's command at a time goes ahead
// after maxWait: the next waits until the first is done; a command never
// said to be done stops holding the others after staleThrough.
func TestGateLetsOneCommandThroughAtATime(t *testing.T) {
	g := NewGate(time.Millisecond, 10*time.Millisecond)
	done := g.Serving()
	defer done()
	job := asJob(context.Background())
	g.Yield(job, 1) // through after maxWait; not yet done

	second := make(chan time.Time, 1)
	go func() {
		g.Yield(job, 2)
		second <- time.Now()
	}()
	select {
	case <-second:
		t.Fatal("a second job's command went ahead while the first let through was running")
	case <-time.After(100 * time.Millisecond):
	}
	ended := time.Now()
	g.Done(1)
	if at := <-second; at.Before(ended) {
		t.Fatal("the second command went ahead before the first was done")
	}

	// Command 2 is now through and never said to be done.
	start := time.Now()
	g.Yield(job, 3)
	if waited := time.Since(start); waited < staleThrough-50*time.Millisecond {
		t.Fatalf("the third command went ahead after %s, while the second held its place", waited)
	}
	g.Done(2) // too late: the place is the third's now
	g.Done(3)
	start = time.Now()
	g.Yield(job, 4)
	if waited := time.Since(start); waited > staleThrough/2 {
		t.Fatalf("the place stayed held after its command was done: waited %s", waited)
	}
}
