package httpapi_test

import (
	"net/http"
	"regexp"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"cooptrade/marketplace"
	"cooptrade/workers/mail/mailtest"
)

var resetLink = regexp.MustCompile(`https://marketplace\.example/password/reset\?token=(cmr_[A-Za-z0-9_-]+)`)

// resetScenario goes through a forgotten password on the contract: the
// same answer for a known and an unknown address, a link that works once,
// within the hour and only when newest, and every old session ended.
func resetScenario(t *testing.T, c *contract, smtp *mailtest.Server, staff string) {
	t.Helper()
	ts := c.ts
	_, owner := ts.memberWithOwner(t, staff, "Forgetful Printers", marketplace.StandingActive)
	email := "owner@forgetful-printers.example"
	var me marketplace.User
	c.do(t, "GET", "/v1/me", owner, nil).must(t, 200).decode(t, &me)

	mailed := len(smtp.Messages())
	// nextLink waits for the next mail and returns the secret it carries.
	nextLink := func() string {
		t.Helper()
		msgs := smtp.Wait(t, mailed+1, 10*time.Second)
		mailed = len(msgs)
		m := msgs[len(msgs)-1]
		if len(m.To) != 1 || m.To[0] != email {
			t.Fatalf("the reset mail went to %v; want %s", m.To, email)
		}
		got := resetLink.FindStringSubmatch(m.Text)
		if got == nil {
			t.Fatalf("no reset link in the mail:\n%s", m.Text)
		}
		if !resetLink.MatchString(m.HTML) {
			t.Fatalf("no reset link in the HTML part:\n%s", m.HTML)
		}
		return got[1]
	}

	known := c.do(t, "POST", "/v1/auth/password-reset", "", map[string]any{"email": email}).must(t, 202)
	first := nextLink()
	unknown := c.do(t, "POST", "/v1/auth/password-reset", "", map[string]any{"email": "nobody@nowhere.example"}).must(t, 202)
	if string(known.Body) != string(unknown.Body) {
		t.Errorf("a known address got %s, an unknown one %s; want the same", known.Body, unknown.Body)
	}
	// The headers too, but for those that differ on every answer.
	for _, h := range []http.Header{known.Header, unknown.Header} {
		for _, name := range []string{"Date", "X-Request-Id", "X-Ratelimit-Remaining", "X-Ratelimit-Reset"} {
			h.Del(name)
		}
	}
	if diff := cmp.Diff(known.Header, unknown.Header); diff != "" {
		t.Errorf("the headers for a known and an unknown address differ (-known +unknown):\n%s", diff)
	}
	wantProblemFields(t, c.do(t, "POST", "/v1/auth/password-reset", "", map[string]any{"email": "not an address"}).must(t, 400), "email")
	c.doBreaking(t, "POST", "/v1/auth/password-reset", "", map[string]any{"email": map[string]any{"$gt": ""}}).must(t, 400)

	// A newer link replaces the first.
	c.do(t, "POST", "/v1/auth/password-reset", "", map[string]any{"email": email}).must(t, 202)
	second := nextLink()
	wantProblemFields(t, c.do(t, "POST", "/v1/auth/password-reset/confirm", "", map[string]any{"token": first, "password": "a brand new password"}).must(t, 400), "token")

	// A password the policy refuses leaves the link working.
	wantProblemFields(t, c.do(t, "POST", "/v1/auth/password-reset/confirm", "", map[string]any{"token": second, "password": "short"}).must(t, 400), "password")
	c.do(t, "POST", "/v1/auth/password-reset/confirm", "", map[string]any{"token": second, "password": "a brand new password"}).must(t, 204)
	// Once only.
	wantProblemFields(t, c.do(t, "POST", "/v1/auth/password-reset/confirm", "", map[string]any{"token": second, "password": "another new password"}).must(t, 400), "token")
	wantProblemFields(t, c.do(t, "POST", "/v1/auth/password-reset/confirm", "", map[string]any{"token": "cmr_forged", "password": "another new password"}).must(t, 400), "token")

	// The old token has ended; the new password signs in.
	c.do(t, "GET", "/v1/me", owner, nil).must(t, 401)
	ts.login(t, email, "a brand new password")

	// Staff send a link; nobody else may.
	c.do(t, "POST", "/v1/staff/users/"+me.ID+"/password-reset", staff, nil).must(t, 202)
	late := nextLink()
	c.do(t, "POST", "/v1/staff/users/"+me.ID+"/password-reset", ts.login(t, email, "a brand new password"), nil).must(t, 403)
	c.do(t, "POST", "/v1/staff/users/0123456789abcdef01234567/password-reset", staff, nil).must(t, 404)

	// Not after an hour.
	was := ts.now
	ts.now = ts.now.Add(marketplace.ResetTTL + time.Second)
	defer func() { ts.now = was }()
	wantProblemFields(t, c.do(t, "POST", "/v1/auth/password-reset/confirm", "", map[string]any{"token": late, "password": "a third new password"}).must(t, 400), "token")
}
