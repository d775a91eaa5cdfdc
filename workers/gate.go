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
// requests. So that they never stop while requests keep coming, a command
// goes ahead after maxWait, but only one such command at a time: two jobs'
// commands at once would take both CPUs of a small server from the
// requests (measured on 2 CPUs, five runs each: the API's p99 while a
// backlog ran, median 7.5 ms with every job's command let through, 5.1 ms
// with one at a time).
//
// The HTTP server marks each request with Serving; the database client
// calls Yield before each command and Done after it; Yield waits only in a
// job (a context the workers made).
type Gate struct {
	quiet, maxWait time.Duration
	inFlight       atomic.Int64
	last           atomic.Int64 // UnixNano of the last request's start or end
	waited         atomic.Int64 // nanoseconds the jobs have waited, in all
	served         atomic.Int64 // requests told of, in all
	// The job command let through while requests were being served, by
	// the client's request ID (0: none), and since when (UnixNano).
	through, throughSince atomic.Int64
}

// staleThrough is when a command let through counts as ended though the
// client never said so (a command it failed to send).
const staleThrough = time.Second

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
// the gate's quiet time; or, after maxWait, until no other job's command
// let through so is running; or until ctx ends. command is the client's
// ID of the command, which it passes to Done once the command has ended.
// A nil gate never waits.
func (g *Gate) Yield(ctx context.Context, command int64) {
	if g == nil || !isJob(ctx) {
		return
	}
	start := time.Now()
	deadline := start.Add(g.maxWait)
	for {
		now := time.Now()
		idle := now.Sub(time.Unix(0, g.last.Load()))
		if g.inFlight.Load() == 0 && idle >= g.quiet {
			break
		}
		if !now.Before(deadline) && g.letThrough(command, now) {
			break
		}
		wait := g.quiet
		if now.Before(deadline) {
			wait = min(wait, deadline.Sub(now))
		}
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

// letThrough takes the one place for a job's command while requests are
// being served, if it is free (or its holder has not said it ended for
// staleThrough).
func (g *Gate) letThrough(command int64, now time.Time) bool {
	held := g.through.Load()
	if held != 0 && now.Sub(time.Unix(0, g.throughSince.Load())) < staleThrough {
		return false
	}
	if !g.through.CompareAndSwap(held, command) {
		return false
	}
	g.throughSince.Store(now.UnixNano())
	return true
}

// Done marks the command ended: if it was let through while requests
// were being served, the next job's command may go.
func (g *Gate) Done(command int64) {
	if g != nil {
		g.through.CompareAndSwap(command, 0)
	}
}

// Served is how many requests the gate has been told of.
func (g *Gate) Served() int64 { return g.served.Load() }

// Waited is how long the jobs have waited for requests, in all.
func (g *Gate) Waited() time.Duration { return time.Duration(g.waited.Load()) }

type jobKey struct{}

// asJob marks ctx as a job's: its database commands give way to requests.
func asJob(ctx context.Context) context.Context { return context.WithValue(ctx, jobKey{}, true) }

func isJob(ctx context.Context) bool { b, _ := ctx.Value(jobKey{}).(bool); return b }
