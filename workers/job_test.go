package workers_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"cooptrade/marketplace"
	"cooptrade/workers"
)

func TestJobs(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	var ran, refused atomic.Int32
	got := make(chan string, 4)
	w := e.workers(workers.Config{Concurrency: 2})
	w.HandleJob("test:echo", func(ctx context.Context, payload []byte) error {
		ran.Add(1)
		got <- string(payload)
		return nil
	})
	w.HandleJob("test:refuse", func(ctx context.Context, payload []byte) error {
		refused.Add(1)
		return marketplace.Errorf(marketplace.EINVALID, "no good")
	})
	if err := w.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer w.Shutdown()

	for range 2 { // the same ID twice is queued once
		if err := e.queue.EnqueueJob(ctx, workers.Job{Type: "test:echo", Payload: []byte("hello"), Queue: workers.QueueCritical, ID: "echo-1"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.queue.EnqueueJob(ctx, workers.Job{Type: "test:refuse", ID: "refuse-1"}); err != nil {
		t.Fatal(err)
	}
	select {
	case p := <-got:
		if p != "hello" {
			t.Fatalf("payload %q", p)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("job did not run")
	}
	insp := asynq.NewInspector(e.redis.Opt())
	defer insp.Close()
	deadline := time.Now().Add(20 * time.Second)
	for {
		archived, _ := insp.ListArchivedTasks(workers.QueueDefault)
		if len(archived) == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("an invalid job was not archived at once")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if n := refused.Load(); n != 1 {
		t.Fatalf("the invalid job ran %d times; want 1 (no retries)", n)
	}
	if n := ran.Load(); n != 1 {
		t.Fatalf("the echo job ran %d times; want 1", n)
	}
}
