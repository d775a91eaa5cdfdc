package mongodb

import (
	"context"
	"maps"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/event"
)

// TestWriteTurns: a write command waits for the one under way to end; a
// read waits for nothing; a turn whose end is never reported is taken
// over after staleTurn; a wait ends with its context; and the caller's
// monitor still hears of every command.
func TestWriteTurns(t *testing.T) {
	var mu sync.Mutex
	heard := map[string]int{}
	hear := func(what string) { mu.Lock(); heard[what]++; mu.Unlock() }
	m := newWriteTurns().monitor(&event.CommandMonitor{
		Started:   func(_ context.Context, e *event.CommandStartedEvent) { hear("started " + e.CommandName) },
		Succeeded: func(_ context.Context, e *event.CommandSucceededEvent) { hear("succeeded " + e.CommandName) },
		Failed:    func(_ context.Context, e *event.CommandFailedEvent) { hear("failed " + e.CommandName) },
	})
	ctx := context.Background()
	started := func(ctx context.Context, id int64, name string) <-chan struct{} {
		done := make(chan struct{})
		go func() {
			defer close(done)
			m.Started(ctx, &event.CommandStartedEvent{CommandName: name, RequestID: id})
		}()
		return done
	}
	waits := func(what string, done <-chan struct{}) {
		t.Helper()
		select {
		case <-done:
			t.Fatalf("%s went ahead", what)
		case <-time.After(50 * time.Millisecond):
		}
	}
	goes := func(what string, done <-chan struct{}) {
		t.Helper()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Fatalf("%s still waits", what)
		}
	}

	goes("the first insert", started(ctx, 1, "insert"))
	update := started(ctx, 2, "update")
	waits("an update during an insert", update)
	goes("a find during an insert", started(ctx, 3, "find"))
	m.Succeeded(ctx, &event.CommandSucceededEvent{CommandFinishedEvent: event.CommandFinishedEvent{CommandName: "find", RequestID: 3}})
	waits("an update after a find ended", update)
	m.Succeeded(ctx, &event.CommandSucceededEvent{CommandFinishedEvent: event.CommandFinishedEvent{CommandName: "insert", RequestID: 1}})
	goes("an update after the insert ended", update)

	cancelled, cancel := context.WithCancel(ctx)
	deleted := started(cancelled, 4, "delete")
	waits("a delete during an update", deleted)
	cancel()
	goes("a delete whose context ended", deleted)

	m.Failed(ctx, &event.CommandFailedEvent{CommandFinishedEvent: event.CommandFinishedEvent{CommandName: "update", RequestID: 2}})
	goes("an insert after the update failed", started(ctx, 5, "insert"))
	// Command 5's end is never reported: the next write waits for it
	// staleTurn, no more.
	began := time.Now()
	goes("an insert after a turn gone stale", started(ctx, 6, "insert"))
	if waited := time.Since(began); waited < staleTurn-100*time.Millisecond {
		t.Fatalf("the turn was taken over after %v; want %v", waited, staleTurn)
	}
	want := map[string]int{"started insert": 3, "started update": 1, "started find": 1, "started delete": 1,
		"succeeded find": 1, "succeeded insert": 1, "failed update": 1}
	mu.Lock()
	defer mu.Unlock()
	if !maps.Equal(heard, want) {
		t.Fatalf("the caller's monitor heard %v; want %v", heard, want)
	}
}
