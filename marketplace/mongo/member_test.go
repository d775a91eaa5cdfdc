package mongo_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"cooptrade/marketplace"
	"cooptrade/marketplace/mongo"
	"cooptrade/marketplace/mongo/mongotest"
)

func newMember(name string) *marketplace.Member {
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	m := &marketplace.Member{
		Kind: marketplace.MemberEnterprise, Name: name, Email: "hello@example.coop",
		Sectors: []string{"printing-publishing"}, Postcode: "M1 1AE", Headcount: 12,
		Values: []string{"living-wage"}, Standing: marketplace.StandingActive,
		Version: 1, CreatedAt: now, UpdatedAt: now,
	}
	m.Normalize()
	return m
}

func TestMemberStore(t *testing.T) {
	ctx := context.Background()
	db := mongotest.NewDB(t)
	store := mongo.NewMemberStore(db)

	m := newMember("Pennine Print Workers' Co-op")
	if err := store.CreateMember(ctx, m); err != nil {
		t.Fatal(err)
	}
	t.Run("OK", func(t *testing.T) {
		byID, err := store.FindMemberByID(ctx, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(m, byID); diff != "" {
			t.Fatalf("by id (-want +got):\n%s", diff)
		}
		bySlug, err := store.FindMemberBySlug(ctx, "pennine-print-workers-co-op")
		if err != nil {
			t.Fatal(err)
		}
		if bySlug.ID != m.ID {
			t.Fatalf("by slug found %s; want %s", bySlug.ID, m.ID)
		}
	})
	t.Run("ErrSlugTaken", func(t *testing.T) {
		dup := newMember("Pennine Print Workers Co-op")
		err := store.CreateMember(ctx, dup)
		if marketplace.ErrorCode(err) != marketplace.ECONFLICT {
			t.Fatalf("duplicate slug = %v; want conflict", err)
		}
		if f := marketplace.ErrorFields(err); len(f) != 1 || f[0].Field != "slug" {
			t.Fatalf("fields = %v; want slug", f)
		}
	})
	t.Run("UpdateAndStale", func(t *testing.T) {
		cur, _ := store.FindMemberByID(ctx, m.ID)
		cur.Standing = marketplace.StandingLapsed
		if err := store.UpdateMember(ctx, cur, cur.Version); err != nil {
			t.Fatal(err)
		}
		cur.Name = "Stale write"
		if err := store.UpdateMember(ctx, cur, 1); marketplace.ErrorCode(err) != marketplace.EPRECONDITION {
			t.Fatalf("stale = %v; want precondition_failed", err)
		}
		got, _ := store.FindMemberByID(ctx, m.ID)
		if got.Standing != marketplace.StandingLapsed || got.Version != 2 || got.Name != m.Name {
			t.Fatalf("after updates: %+v", got)
		}
		missing := *cur
		missing.ID = "65a1b2c3d4e5f60718293a4c"
		if err := store.UpdateMember(ctx, &missing, 1); marketplace.ErrorCode(err) != marketplace.ENOTFOUND {
			t.Fatalf("update missing = %v; want not_found", err)
		}
	})
	t.Run("FindMembersByIDs", func(t *testing.T) {
		other := newMember("Leeds Cleaning Co-operative")
		if err := store.CreateMember(ctx, other); err != nil {
			t.Fatal(err)
		}
		got, err := store.FindMembersByIDs(ctx, []string{m.ID, other.ID, "bad", "65a1b2c3d4e5f60718293a4c"})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[m.ID] == nil || got[other.ID] == nil {
			t.Fatalf("found %v; want the two members", got)
		}
	})
}

func TestUserAndTokenStore(t *testing.T) {
	ctx := context.Background()
	db := mongotest.NewDB(t)
	users := mongo.NewUserStore(db)
	tokens := mongo.NewTokenStore(db)
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)

	u := &marketplace.User{Email: "sam@example.coop", MemberID: "65a1b2c3d4e5f60718293a4b", Role: marketplace.RoleOwner, PasswordHash: "h", Version: 1, CreatedAt: now}
	if err := users.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	if err := users.CreateUser(ctx, &marketplace.User{Email: "sam@example.coop", PasswordHash: "h"}); marketplace.ErrorCode(err) != marketplace.ECONFLICT {
		t.Fatalf("duplicate email = %v; want conflict", err)
	}
	got, err := users.FindUserByEmail(ctx, "sam@example.coop")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(u, got); diff != "" {
		t.Fatalf("user (-want +got):\n%s", diff)
	}
	if err := users.UpdateUserPassword(ctx, u.ID, "h2", 1); err != nil {
		t.Fatal(err)
	}
	if err := users.UpdateUserPassword(ctx, u.ID, "h3", 1); marketplace.ErrorCode(err) != marketplace.EPRECONDITION {
		t.Fatalf("stale password change = %v; want precondition_failed", err)
	}

	live := &marketplace.Token{Hash: "aa", Prefix: "cmt_x", UserID: u.ID, CreatedAt: now, ExpiresAt: now.Add(time.Hour), LastUsedAt: now}
	dead := &marketplace.Token{Hash: "bb", Prefix: "cmt_y", UserID: u.ID, CreatedAt: now, ExpiresAt: now.Add(-time.Minute), LastUsedAt: now}
	for _, tk := range []*marketplace.Token{live, dead} {
		if err := tokens.CreateToken(ctx, tk); err != nil {
			t.Fatal(err)
		}
	}
	n, err := tokens.DeleteExpiredTokens(ctx, now)
	if err != nil || n != 1 {
		t.Fatalf("swept %d, %v; want 1", n, err)
	}
	if _, err := tokens.FindTokenByHash(ctx, "bb"); marketplace.ErrorCode(err) != marketplace.ENOTFOUND {
		t.Fatalf("expired token still there: %v", err)
	}
	if err := tokens.TouchToken(ctx, "aa", now.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	tk, err := tokens.FindTokenByHash(ctx, "aa")
	if err != nil || !tk.LastUsedAt.Equal(now.Add(time.Minute)) {
		t.Fatalf("token after touch = %+v, %v", tk, err)
	}
}

func TestSessionStore(t *testing.T) {
	ctx := context.Background()
	db := mongotest.NewDB(t)
	store := mongo.NewSessionStore(db)
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	live := &marketplace.Session{Hash: "h1", UserID: "u1", CSRF: "c1", CreatedAt: now, SeenAt: now, ExpiresAt: now.Add(time.Hour)}
	dead := &marketplace.Session{Hash: "h2", UserID: "u1", CSRF: "c2", CreatedAt: now, SeenAt: now, ExpiresAt: now.Add(-time.Hour)}
	for _, s := range []*marketplace.Session{live, dead} {
		if err := store.CreateSession(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	got, err := store.FindSessionByHash(ctx, "h1")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(live, got); diff != "" {
		t.Fatalf("session (-want +got):\n%s", diff)
	}
	if err := store.TouchSession(ctx, "h1", now.Add(time.Minute), now.Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if got, _ := store.FindSessionByHash(ctx, "h1"); !got.ExpiresAt.Equal(now.Add(2 * time.Hour)) {
		t.Fatalf("expiry after touch: %v", got.ExpiresAt)
	}
	if n, err := store.DeleteExpiredSessions(ctx, now); err != nil || n != 1 {
		t.Fatalf("swept %d, %v; want 1", n, err)
	}
	if err := store.DeleteSession(ctx, "h1"); err != nil {
		t.Fatal(err)
	}
	if _, err := store.FindSessionByHash(ctx, "h1"); marketplace.ErrorCode(err) != marketplace.ENOTFOUND {
		t.Fatalf("after delete: %v", err)
	}
}
