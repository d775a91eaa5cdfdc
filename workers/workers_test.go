package workers_test

import (
	"context"
	"encoding/json"
	"errors"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/hibiken/asynq"

	"cooptrade/marketplace"
	"cooptrade/marketplace/argon2"
	"cooptrade/marketplace/mongo"
	"cooptrade/marketplace/mongo/mongotest"
	"cooptrade/workers"
	"cooptrade/workers/redistest"
)

type env struct {
	service  *marketplace.Service
	listings *mongo.ListingStore
	queue    *workers.Queue
	redis    *redistest.Server
}

func setup(tb testing.TB) *env {
	tb.Helper()
	db := mongotest.NewDB(tb)
	rs := redistest.New(tb)
	q := workers.NewQueue(rs.Opt())
	tb.Cleanup(func() { q.Close() })
	listings := mongo.NewListingStore(db)
	svc := &marketplace.Service{
		Members: mongo.NewMemberStore(db), Users: mongo.NewUserStore(db), Tokens: mongo.NewTokenStore(db),
		Listings: listings, Queue: q, Passwords: &argon2.Hasher{},
	}
	return &env{service: svc, listings: listings, queue: q, redis: rs}
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

	w := workers.New(e.redis.Opt(), workers.Config{}, e.service, e.queue)
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

	var mu sync.Mutex
	seen := map[string]int{}
	w := workers.New(e.redis.Opt(), workers.Config{Concurrency: 2}, e.service, e.queue)
	for _, typ := range []string{workers.TypeListingIndex, workers.TypeListingMatch} {
		w.Handle(typ, func(ctx context.Context, task *asynq.Task) error {
			var p workers.ListingPayload
			if err := json.Unmarshal(task.Payload(), &p); err != nil {
				return err
			}
			mu.Lock()
			seen[task.Type()+" "+p.ListingID]++
			mu.Unlock()
			if task.Type() == workers.TypeListingIndex {
				return e.listings.MarkListingIndexed(ctx, p.ListingID, p.Version)
			}
			return e.listings.MarkListingMatched(ctx, p.ListingID, p.Version)
		})
	}
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
	mu.Lock()
	defer mu.Unlock()
	want := map[string]int{"listing:index " + l.ID: 1, "listing:match " + l.ID: 1}
	if diff := cmp.Diff(want, seen); diff != "" {
		t.Fatalf("handled (-want +got):\n%s", diff)
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
	w := workers.New(e.redis.Opt(), workers.Config{}, e.service, e.queue)
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
