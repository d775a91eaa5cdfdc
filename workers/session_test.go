package workers_test

import (
	"context"
	"testing"
	"time"

	"cooptrade/marketplace"
	"cooptrade/workers"
)

func TestSessionsSweep(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	sessions := e.service.Sessions
	now := time.Now().UTC()
	uid := "65a1b2c3d4e5f60718293a4b"
	for hash, expires := range map[string]time.Time{"live": now.Add(time.Hour), "dead": now.Add(-time.Hour)} {
		if err := sessions.CreateSession(ctx, &marketplace.Session{Hash: hash, UserID: uid, CSRF: "x", CreatedAt: now, SeenAt: now, ExpiresAt: expires}); err != nil {
			t.Fatal(err)
		}
	}
	w := e.workers(workers.Config{})
	if err := w.HandleSessionsSweep(ctx, workers.NewSessionsSweepTask()); err != nil {
		t.Fatal(err)
	}
	if _, err := sessions.FindSessionByHash(ctx, "dead"); marketplace.ErrorCode(err) != marketplace.ENOTFOUND {
		t.Fatalf("expired session after sweep: %v", err)
	}
	if _, err := sessions.FindSessionByHash(ctx, "live"); err != nil {
		t.Fatalf("live session after sweep: %v", err)
	}
}
