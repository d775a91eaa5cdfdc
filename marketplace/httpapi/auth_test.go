package httpapi_test

import (
	"context"
	"testing"

	"cooptrade/marketplace"
	"cooptrade/marketplace/httpapi"
)

func TestPasswordChangeSignsOutOtherSessions(t *testing.T) {
	ts := newTestServer(t, httpapi.Config{})
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

	ts.do(t, "GET", "/v1/me", laptop, nil).must(t, 200)
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
	ts := newTestServer(t, httpapi.Config{})
	staff := ts.staffToken(t)
	_, owner := ts.memberWithOwner(t, staff, "Pennine Print Co-op", marketplace.StandingActive)
	var l marketplace.Listing
	ts.do(t, "POST", "/v1/listings", owner, need("Leaflets for a campaign")).must(t, 201).decode(t, &l)
	path := "/v1/listings/" + l.ID
	ts.do(t, "PATCH", path, owner, map[string]any{"title": "Weak tags never match"}, "If-Match", `W/"1"`).must(t, 412)
	ts.do(t, "PATCH", path, owner, map[string]any{"title": "Bare numbers are not tags"}, "If-Match", `1`).must(t, 412)
	ts.do(t, "PATCH", path, owner, map[string]any{"title": "Any version will do"}, "If-Match", `*`).must(t, 200)
	ts.do(t, "PATCH", path, owner, map[string]any{"title": "The current version"}, "If-Match", `"2"`).must(t, 200)
}
