package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"cooptrade/marketplace/web/webtest"
	"cooptrade/workers/mail/mailtest"
)

// TestForgottenPassword goes from the sign-in page to a new password in
// English and in Welsh: the same page whether or not the address has an
// account, a link that works once, and every old session and API token
// ended.
func TestForgottenPassword(t *testing.T) {
	smtp := mailtest.NewServer(t)
	s := webtest.NewServer(t, webtest.Options{SMTP: smtp})
	_, _, ua, _ := twoMembers(t, s)
	old := signedIn(t, s, ua)
	token := apiToken(t, s, ua.Email, webtest.Password)
	link := regexp.MustCompile(`/password/reset\?token=(cmr_[A-Za-z0-9_-]+)`)

	c := s.NewClient(t)
	if p := c.Get("/login"); !strings.Contains(p.Body, `href="/password/forgot"`) {
		t.Fatal("the sign-in page has no link to the forgotten password page")
	}
	c.Get("/password/forgot")
	known := c.Post("/password/forgot", url.Values{"email": {ua.Email}})
	c.Get("/password/forgot")
	unknown := c.Post("/password/forgot", url.Values{"email": {"nobody@nowhere.example"}})
	if known.Status != http.StatusOK || known.Text() != unknown.Text() || !strings.Contains(known.Text(), "If an account has that address") {
		t.Fatalf("a known address got %d %q; an unknown one %q", known.Status, known.Text(), unknown.Text())
	}
	c.Get("/password/forgot")
	if p := c.Post("/password/forgot", url.Values{"email": {"not an address"}}); p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Text(), "Enter an e-mail address") {
		t.Fatalf("a bad address: %d %.300s", p.Status, p.Text())
	}

	msgs := smtp.Wait(t, 1, 10*time.Second)
	m := msgs[0]
	secret := link.FindStringSubmatch(m.Text)
	// The mail is in the user's language: English, as none was chosen.
	if secret == nil || m.To[0] != ua.Email || m.Subject != "Choose a new password" || strings.Contains(m.Text, "Helo") {
		t.Fatalf("the mail to %v: %s\n%s", m.To, m.Subject, m.Text)
	}
	form := "/password/reset?token=" + secret[1]

	// Welsh, and a password the policy refuses: the link still works.
	c.Get(form + "&lang=cy")
	p := c.Post("/password/reset", url.Values{"token": {secret[1]}, "password": {"password1234"}, "confirm_password": {"password1234"}})
	if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Text(), "Dewis cyfrinair newydd") {
		t.Fatalf("a guessable password, in Welsh: %d %.500s", p.Status, p.Text())
	}
	const next = "a quiet river under oak trees"
	p = c.Post("/password/reset", url.Values{"token": {secret[1]}, "password": {next}, "confirm_password": {next}})
	if p.Status != http.StatusOK || !strings.Contains(p.URL, "/login") {
		t.Fatalf("setting the new password: %d at %s", p.Status, p.URL)
	}
	// Once only.
	p = c.Post("/password/reset", url.Values{"token": {secret[1]}, "password": {next}, "confirm_password": {next}})
	if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, `href="/password/forgot"`) {
		t.Fatalf("the link used again: %d %.500s", p.Status, p.Text())
	}

	if !signsIn(t, s, ua.Email, next) || signsIn(t, s, ua.Email, webtest.Password) {
		t.Fatal("the new password does not sign in, or the old one still does")
	}
	if st := apiStatus(t, s, token); st != http.StatusUnauthorized {
		t.Errorf("the old API token: %d; want 401", st)
	}
	if p := old.Get("/dashboard"); strings.Contains(p.URL, "/dashboard") {
		t.Errorf("the old session still reaches the dashboard")
	}
}
