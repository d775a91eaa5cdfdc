package workers_test

import (
	"context"
	"errors"
	"sort"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/hibiken/asynq"

	"cooptrade/cmd/marketplace/app/apptest"
	"cooptrade/marketplace"
	"cooptrade/marketplace/mongo"
	"cooptrade/workers"
	"cooptrade/workers/redistest"
)

// env is the application as the program wires it, over FerretDB, a real
// redis-server and the embedded search engine, with no workers running:
// each test makes the workers it needs.
type env struct {
	app      *apptest.App
	service  *marketplace.Service
	indexer  *marketplace.Indexer
	listings *mongo.ListingStore
	queue    *workers.Queue
	redis    *redistest.Server
}

func setup(tb testing.TB) *env { return setupWith(tb, apptest.Options{}) }

func setupWith(tb testing.TB, opt apptest.Options) *env {
	tb.Helper()
	a := apptest.Open(tb, opt)
	return &env{app: a, service: a.Service, indexer: a.Indexer, listings: a.Stores.Listings, queue: a.Queue, redis: a.Redis}
}

// workers returns workers running the env's use cases (not started).
func (e *env) workers(cfg workers.Config) *workers.Workers {
	return workers.New(e.redis.Opt(), cfg, workers.UseCases{Service: e.service, Indexer: e.indexer, Alerts: e.app.Alerts}, e.queue)
}

func (e *env) pendingTaskIDs(tb testing.TB, queues ...string) []string {
	tb.Helper()
	insp := asynq.NewInspector(e.redis.Opt())
	defer insp.Close()
	var ids []string
	for _, q := range queues {
		tasks, err := insp.ListPendingTasks(q)
		if err != nil && !errors.Is(err, asynq.ErrQueueNotFound) {
			tb.Fatal(err)
		}
		for _, t := range tasks {
			ids = append(ids, t.ID)
		}
	}
	sort.Strings(ids)
	return ids
}

func insertListing(tb testing.TB, e *env, updatedAt time.Time) *marketplace.Listing {
	tb.Helper()
	l := &marketplace.Listing{MemberID: "65a1b2c3d4e5f60718293a4b", Kind: marketplace.KindOffer, Title: "Risograph zines",
		Category: "risograph-screen-print", Remote: true, Status: marketplace.StatusPublished, Version: 1,
		CreatedAt: updatedAt, UpdatedAt: updatedAt}
	l.Normalize()
	if err := e.listings.CreateListing(context.Background(), l); err != nil {
		tb.Fatal(err)
	}
	return l
}

func TestQueueEnqueueListingChanged(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	for range 2 { // the second time adds nothing: the tasks are already waiting
		if err := e.queue.EnqueueListingChanged(ctx, "65a1b2c3d4e5f60718293a4b", 3); err != nil {
			t.Fatal(err)
		}
	}
	want := []string{"listing:alerts:65a1b2c3d4e5f60718293a4b:3", "listing:index:65a1b2c3d4e5f60718293a4b:3", "listing:match:65a1b2c3d4e5f60718293a4b:3"}
	if diff := cmp.Diff(want, e.pendingTaskIDs(t, workers.QueueDefault, workers.QueueIndex)); diff != "" {
		t.Fatalf("pending tasks (-want +got):\n%s", diff)
	}
}

func TestReconcile(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	now := time.Now().UTC()
	old := insertListing(t, e, now.Add(-time.Hour))
	insertListing(t, e, now) // fresh: left to its own job
	done := insertListing(t, e, now.Add(-time.Hour))
	if err := e.listings.MarkListingIndexed(ctx, done.ID, 1); err != nil {
		t.Fatal(err)
	}
	if err := e.listings.MarkListingMatched(ctx, done.ID, 1); err != nil {
		t.Fatal(err)
	}
	half := insertListing(t, e, now.Add(-time.Hour))
	if err := e.listings.MarkListingIndexed(ctx, half.ID, 1); err != nil {
		t.Fatal(err)
	}

	w := e.workers(workers.Config{})
	n, err := w.Reconcile(ctx, now.Add(-time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Fatalf("reconciled %d listings; want 2 (the fresh one is left to its job, the done one needs nothing)", n)
	}
	want := []string{
		"listing:index:" + old.ID + ":1",
		"listing:match:" + half.ID + ":1",
		"listing:match:" + old.ID + ":1",
		"listing:alerts:" + half.ID + ":1",
		"listing:alerts:" + old.ID + ":1",
	}
	sort.Strings(want)
	if diff := cmp.Diff(want, e.pendingTaskIDs(t, workers.QueueDefault, workers.QueueIndex)); diff != "" {
		t.Fatalf("pending tasks (-want +got):\n%s", diff)
	}
}

func TestWorkersRunTasksAndReconcileAtStart(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	l := insertListing(t, e, time.Now().UTC())

	w := e.workers(workers.Config{Concurrency: 2})
	// Work found in the database is enqueued at start, as after a restart
	// of the embedded queue.
	if err := w.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer w.Shutdown()
	deadline := time.Now().Add(20 * time.Second)
	for {
		got, err := e.listings.FindListingByID(ctx, l.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.IndexedVersion == 1 && got.MatchedVersion == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("listing not handled: indexed %d matched %d", got.IndexedVersion, got.MatchedVersion)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestTokensSweep(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	now := time.Now().UTC()
	tokens := e.service.Tokens
	uid := "65a1b2c3d4e5f60718293a4b"
	_ = tokens.CreateToken(ctx, &marketplace.Token{Hash: "live", UserID: uid, CreatedAt: now, ExpiresAt: now.Add(time.Hour)})
	_ = tokens.CreateToken(ctx, &marketplace.Token{Hash: "dead", UserID: uid, CreatedAt: now, ExpiresAt: now.Add(-time.Hour)})
	w := e.workers(workers.Config{})
	if err := w.HandleTokensSweep(ctx, workers.NewTokensSweepTask()); err != nil {
		t.Fatal(err)
	}
	if _, err := tokens.FindTokenByHash(ctx, "dead"); marketplace.ErrorCode(err) != marketplace.ENOTFOUND {
		t.Fatalf("expired token after sweep: %v", err)
	}
	if _, err := tokens.FindTokenByHash(ctx, "live"); err != nil {
		t.Fatalf("live token after sweep: %v", err)
	}
}
