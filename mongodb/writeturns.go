package mongodb

import (
	"context"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/event"
)

// writeTurns lets the writes to an embedded database go to it one at a
// time, in the order they come. SQLite has one writer at a time per file
// anyway; a writer that finds the file locked is put to sleep by SQLite's
// busy handler for 1, 2, 5, 10 … ms and then tries again, so with several
// writers at once the file stands idle between them while they sleep
// (measured: the CPUs half idle under a stream of notifications). Waiting
// here instead, each write starts the moment the one before it ends.
//
// A turn is taken when the driver starts a write command and given back
// when it reports the command's end, by the command's request ID. A turn
// whose end never comes is taken over after staleTurn.
type writeTurns struct {
	mu     sync.Mutex
	holder int64 // request ID of the write under way; 0: none
	since  time.Time
	freed  chan struct{} // closed when the turn is given back
}

// staleTurn is when a turn counts as given back though its command's end
// was never reported (a command the driver failed to send).
const staleTurn = time.Second

// writeCommands are the commands that write to SQLite: those that wait for
// a turn. Reads run beside writes in SQLite's write-ahead log, and wait for
// nothing.
var writeCommands = map[string]bool{
	"insert": true, "update": true, "delete": true, "findAndModify": true,
	"create": true, "createIndexes": true, "drop": true, "dropIndexes": true, "dropDatabase": true, "renameCollection": true,
}

func newWriteTurns() *writeTurns { return &writeTurns{freed: make(chan struct{})} }

// take waits for the turn of the command with the given request ID, until
// ctx ends (then the command goes without one, and SQLite orders it).
func (w *writeTurns) take(ctx context.Context, command int64) {
	for {
		w.mu.Lock()
		now := time.Now()
		if w.holder == 0 || now.Sub(w.since) >= staleTurn {
			w.holder, w.since = command, now
			w.mu.Unlock()
			return
		}
		freed, wait := w.freed, staleTurn-now.Sub(w.since)
		w.mu.Unlock()
		t := time.NewTimer(wait)
		select {
		case <-freed:
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return
		}
		t.Stop()
	}
}

// give gives back the turn of the command with the given request ID, if it
// holds it: the writes waiting all try again, and one of them goes.
func (w *writeTurns) give(command int64) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.holder != command || command == 0 {
		return
	}
	w.holder = 0
	close(w.freed)
	w.freed = make(chan struct{})
}

// monitor returns a command monitor that takes a turn before each write
// command and gives it back after it, around next (the caller's monitor;
// nil for none). next's Started runs first, so a command that next holds
// back (a job giving way to requests) waits without holding the turn.
func (w *writeTurns) monitor(next *event.CommandMonitor) *event.CommandMonitor {
	if next == nil {
		next = &event.CommandMonitor{}
	}
	return &event.CommandMonitor{
		Started: func(ctx context.Context, e *event.CommandStartedEvent) {
			if next.Started != nil {
				next.Started(ctx, e)
			}
			if writeCommands[e.CommandName] {
				w.take(ctx, e.RequestID)
			}
		},
		Succeeded: func(ctx context.Context, e *event.CommandSucceededEvent) {
			w.give(e.RequestID)
			if next.Succeeded != nil {
				next.Succeeded(ctx, e)
			}
		},
		Failed: func(ctx context.Context, e *event.CommandFailedEvent) {
			w.give(e.RequestID)
			if next.Failed != nil {
				next.Failed(ctx, e)
			}
		},
	}
}
