package httpapi_test

import (
	"fmt"
	"net/netip"
	"strings"
	"testing"
	"time"

	"cooptrade/marketplace"
	"cooptrade/workers/mail/mailtest"
)

// loopback is the test client's address: trusted as a proxy, so that
// X-Forwarded-For can play clients at other addresses.
var loopback = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32"), netip.MustParsePrefix("::1/128")}

// TestPasswordGuessing guesses one account's password from several
// addresses, through sign-in and through a stolen token's password change:
// guessing slows down, while the account's owner still gets in.
func TestPasswordGuessing(t *testing.T) {
	ts := newTestServer(t, options{LoginsPerMinute: 1000, WritesPerMinute: 1000, TrustedProxies: loopback})
	staff := ts.staffToken(t)
	m, _ := ts.memberWithOwner(t, staff, "Tyneside Cleaners", marketplace.StandingActive)
	email := "owner@" + m.Slug + ".example"
	login := func(from, password string) *response {
		return ts.do(t, "POST", "/v1/auth/login", "", map[string]string{"email": email, "password": password}, "X-Forwarded-For", from)
	}

	t.Run("PerAddress", func(t *testing.T) {
		for i := range marketplace.PasswordGuessesPerAddress {
			login("203.0.113.7", fmt.Sprintf("guess number %d", i)).must(t, 401)
		}
		p := login("203.0.113.7", "owner password 123").must(t, 429).problem(t)
		if p.Type != "/problems/rate_limited" {
			t.Fatalf("type %q", p.Type)
		}
		// Someone else, elsewhere, still signs in.
		login("198.51.100.20", "owner password 123").must(t, 201)
		// An address the client writes for itself further left is not taken.
		login("203.0.113.99, 203.0.113.7", "owner password 123").must(t, 429)
		// The guesser's window ends.
		ts.now = ts.now.Add(marketplace.PasswordGuessWindow)
		login("203.0.113.7", "owner password 123").must(t, 201)
	})

	t.Run("UnknownAddressesLikeKnownOnes", func(t *testing.T) {
		for i := range marketplace.PasswordGuessesPerAddress {
			ts.do(t, "POST", "/v1/auth/login", "", map[string]string{"email": "nobody@nowhere.example", "password": fmt.Sprintf("guess number %d", i)}, "X-Forwarded-For", "203.0.113.8").must(t, 401)
		}
		ts.do(t, "POST", "/v1/auth/login", "", map[string]string{"email": "nobody@nowhere.example", "password": "guess number x"}, "X-Forwarded-For", "203.0.113.8").must(t, 429)
	})

	t.Run("PerAccountFromEverywhere", func(t *testing.T) {
		ts.now = ts.now.Add(24 * time.Hour)
		// The owner signs in from home: a known address from now on.
		login("198.51.100.20", "owner password 123").must(t, 201)
		for i := range marketplace.PasswordGuessesPerAccount {
			login(fmt.Sprintf("10.1.%d.%d", i/250, i%250+1), "not the password 1").must(t, 401)
		}
		// A new address is refused even with the right password ...
		login("192.0.2.50", "owner password 123").must(t, 429)
		// ... the owner's own is not.
		login("198.51.100.20", "owner password 123").must(t, 201)
	})

	t.Run("StolenTokenChangesNoPassword", func(t *testing.T) {
		ts.now = ts.now.Add(48 * time.Hour)
		stolen := login("198.51.100.20", "owner password 123").must(t, 201)
		var tok struct{ Token string }
		stolen.decode(t, &tok)
		change := func(current string) *response {
			return ts.do(t, "PUT", "/v1/me/password", tok.Token, map[string]string{"current_password": current, "new_password": "a brand new passphrase"}, "X-Forwarded-For", "203.0.113.66")
		}
		for i := range marketplace.PasswordGuessesPerAddress {
			p := change(fmt.Sprintf("guess number %d", i)).must(t, 400).problem(t)
			if len(p.Errors) != 1 || p.Errors[0].Field != "current_password" {
				t.Fatalf("errors %+v", p.Errors)
			}
		}
		change("owner password 123").must(t, 429)
	})
}

// TestPasswordChangeRateLimit: the API's password change has the sign-in
// limit per address, as the page has.
func TestPasswordChangeRateLimit(t *testing.T) {
	ts := newTestServer(t, options{LoginsPerMinute: 3})
	staff := ts.staffToken(t)
	_, owner := ts.memberWithOwner(t, staff, "Tyneside Cleaners", marketplace.StandingActive)
	for range 3 {
		ts.do(t, "PUT", "/v1/me/password", owner, map[string]string{"current_password": "short", "new_password": "short"}).must(t, 400)
	}
	ts.do(t, "PUT", "/v1/me/password", owner, map[string]string{"current_password": "short", "new_password": "short"}).must(t, 429)
}

// TestPasswordPolicy: the API refuses weak passwords naming the field.
func TestPasswordPolicy(t *testing.T) {
	smtp := mailtest.NewServer(t)
	ts := newTestServer(t, options{SMTP: smtp})
	staff := ts.staffToken(t)
	m, owner := ts.memberWithOwner(t, staff, "Tyneside Cleaners", marketplace.StandingActive)
	// A new person chooses their password on the invitation's link, which
	// keeps working after a refusal.
	box := newMailbox(smtp)
	ts.do(t, "POST", "/v1/members/"+m.ID+"/invitations", owner, map[string]any{"email": "New.Person@" + m.Slug + ".example", "role": "editor"}).must(t, 201)
	invitation := link(t, box.next(t, "new.person@"+m.Slug+".example"), invitationLink)
	for _, weak := range []string{"            ", "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00", "zzzzzzzzzzzz", "password1234", "{email}"} {
		mine := strings.ReplaceAll(weak, "{email}", "owner@"+m.Slug+".example")
		p := ts.do(t, "PUT", "/v1/me/password", owner, map[string]string{"current_password": "owner password 123", "new_password": mine}).must(t, 400).problem(t)
		if len(p.Errors) != 1 || p.Errors[0].Field != "new_password" {
			t.Errorf("%q: errors %+v; want new_password", weak, p.Errors)
		}
		theirs := strings.ReplaceAll(weak, "{email}", "new.person@"+m.Slug+".example")
		p = ts.do(t, "POST", "/v1/invitations/accept", "", map[string]any{"token": invitation, "password": theirs}).must(t, 400).problem(t)
		if len(p.Errors) != 1 || p.Errors[0].Field != "password" {
			t.Errorf("%q: errors %+v; want password", weak, p.Errors)
		}
	}
}
