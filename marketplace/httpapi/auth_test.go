package httpapi_test

import (
	"context"
	"testing"
	"time"

	"cooptrade/marketplace"
)

func TestPasswordChangeSignsOutOtherSessions(t *testing.T) {
	ts := newTestServer(t, options{})
	staff := ts.staffToken(t)
	m, phone := ts.memberWithOwner(t, staff, "Tyneside Cleaners", marketplace.StandingActive)
	laptop := ts.login(t, "owner@"+m.Slug+".example", "owner password 123")
	browser, _, _, err := ts.Service.StartSession(context.Background(), "owner@"+m.Slug+".example", "owner password 123")
	if err != nil {
		t.Fatal(err)
	}

	ts.do(t, "PUT", "/v1/me/password", laptop, map[string]string{"current_password": "wrong password 999", "new_password": "a new password 456"}).must(t, 400)
	ts.do(t, "PUT", "/v1/me/password", laptop, map[string]string{"current_password": "owner password 123", "new_password": "short"}).must(t, 400)
	ts.do(t, "PUT", "/v1/me/password", laptop, map[string]string{"current_password": "owner password 123", "new_password": "a new password 456"}).must(t, 204)

	if cc := ts.do(t, "GET", "/v1/me", laptop, nil).must(t, 200).Header.Get("Cache-Control"); cc != "private, no-store" {
		t.Errorf("GET /v1/me: Cache-Control %q; want private, no-store", cc)
	}
	ts.do(t, "GET", "/v1/me", phone, nil).must(t, 401)
	if _, _, err := ts.Service.ResumeSession(context.Background(), browser); marketplace.ErrorCode(err) != marketplace.EUNAUTHORIZED {
		t.Fatalf("a browser session after the password change: %v; want it ended", err)
	}
	ts.do(t, "POST", "/v1/auth/login", "", map[string]string{"email": "owner@" + m.Slug + ".example", "password": "owner password 123"}).must(t, 401)
	ts.login(t, "owner@"+m.Slug+".example", "a new password 456")

	ts.do(t, "DELETE", "/v1/auth/token", laptop, nil).must(t, 204)
	ts.do(t, "GET", "/v1/me", laptop, nil).must(t, 401)
}

func TestIfMatchForms(t *testing.T) {
	ts := newTestServer(t, options{})
	staff := ts.staffToken(t)
	_, owner := ts.memberWithOwner(t, staff, "Pennine Print Co-op", marketplace.StandingActive)
	var l marketplace.Listing
	ts.do(t, "POST", "/v1/listings", owner, need("Leaflets for a campaign")).must(t, 201).decode(t, &l)
	path := "/v1/listings/" + l.ID
	ts.do(t, "PATCH", path, owner, map[string]any{"title": "Weak tags never match"}, "If-Match", `W/"1"`).must(t, 412)
	ts.do(t, "PATCH", path, owner, map[string]any{"title": "Bare numbers are not tags"}, "If-Match", `1`).must(t, 412)
	for _, h := range []string{`"1`, `1"`, `"`, `""`, `"+1"`, `" 1"`, `"1", "2"`} {
		ts.do(t, "PATCH", path, owner, map[string]any{"title": "Malformed tags never match"}, "If-Match", h).must(t, 412)
	}
	ts.do(t, "PATCH", path, owner, map[string]any{"title": "Any version will do"}, "If-Match", `*`).must(t, 200)
	ts.do(t, "PATCH", path, owner, map[string]any{"title": "The current version"}, "If-Match", `"2"`).must(t, 200)
}

// TestSessionLifetime: a page session used every day still ends
// SessionMaxAge after signing in.
func TestSessionLifetime(t *testing.T) {
	ts := newTestServer(t, options{})
	staff := ts.staffToken(t)
	m, _ := ts.memberWithOwner(t, staff, "Tyneside Cleaners", marketplace.StandingActive)
	ctx := context.Background()
	secret, sess, _, err := ts.Service.StartSession(ctx, "owner@"+m.Slug+".example", "owner password 123")
	if err != nil {
		t.Fatal(err)
	}
	end := sess.CreatedAt.Add(marketplace.SessionMaxAge)
	for ts.now.Add(24 * time.Hour).Before(end) {
		ts.now = ts.now.Add(24 * time.Hour)
		if _, _, err := ts.Service.ResumeSession(ctx, secret); err != nil {
			t.Fatalf("%s after signing in: %v", ts.now.Sub(sess.CreatedAt), err)
		}
	}
	ts.now = end
	if _, _, err := ts.Service.ResumeSession(ctx, secret); marketplace.ErrorCode(err) != marketplace.EUNAUTHORIZED {
		t.Fatalf("at the end of its lifetime the session gives %v; want it ended", err)
	}
}
