package workers

import (
	"context"
	"sync/atomic"
	"time"
)

// Gate lets the jobs give way to the requests people are waiting for. On
// the embedded database the jobs' queries run in the serving process, on
// the same few CPUs as the requests, and Go's scheduler gives a goroutine
// the CPU for up to 10 ms before another waiting one runs: a backlog of
// jobs then adds tens of milliseconds to requests that take one. With a
// gate, each database command of a job waits first until no request has
// been served for a moment (quiet), so the jobs run in the gaps between
// requests; so that they never stop while requests keep coming, a command
// waits at most maxWait.
//
// The HTTP server marks each request with Serving; the database client
// calls Yield before each command, and Yield waits only in a job (a
// context the workers made).
type Gate struct {
	quiet, maxWait time.Duration
	inFlight       atomic.Int64
	last           atomic.Int64 // UnixNano of the last request's start or end
	waited         atomic.Int64 // nanoseconds the jobs have waited, in all
	served         atomic.Int64 // requests told of, in all
}

// NewGate returns a gate that waits for quiet without requests, at most
// maxWait at a time.
func NewGate(quiet, maxWait time.Duration) *Gate {
	return &Gate{quiet: quiet, maxWait: maxWait}
}

// Serving marks a request begun; the function it returns marks it ended.
func (g *Gate) Serving() (done func()) {
	g.inFlight.Add(1)
	g.served.Add(1)
	g.last.Store(time.Now().UnixNano())
	return func() {
		g.last.Store(time.Now().UnixNano())
		g.inFlight.Add(-1)
	}
}

// Yield waits, when ctx is a job's, until no request has been served for
// the gate's quiet time, at most maxWait, or until ctx ends. A nil gate
// never waits.
func (g *Gate) Yield(ctx context.Context) {
	if g == nil || !isJob(ctx) {
		return
	}
	start := time.Now()
	deadline := start.Add(g.maxWait)
	for {
		now := time.Now()
		idle := now.Sub(time.Unix(0, g.last.Load()))
		if g.inFlight.Load() == 0 && idle >= g.quiet || !now.Before(deadline) {
			break
		}
		wait := min(g.quiet, deadline.Sub(now))
		if g.inFlight.Load() == 0 {
			wait = min(wait, g.quiet-idle)
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			g.waited.Add(int64(time.Since(start)))
			return
		case <-t.C:
		}
	}
	g.waited.Add(int64(time.Since(start)))
}

// Served is how many requests the gate has been told of.
func (g *Gate) Served() int64 { return g.served.Load() }

// Waited is how long the jobs have waited for requests, in all.
func (g *Gate) Waited() time.Duration { return time.Duration(g.waited.Load()) }

type jobKey struct{}

// asJob marks ctx as a job's: its database commands give way to requests.
func asJob(ctx context.Context) context.Context { return context.WithValue(ctx, jobKey{}, true) }

func isJob(ctx context.Context) bool { b, _ := ctx.Value(jobKey{}).(bool); return b }
