package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"cooptrade/marketplace"
	"cooptrade/marketplace/web/webtest"
)

// TestUsersAndTokensPages manages a co-op's users and a person's API
// tokens through the pages: an owner promotes and removes a colleague,
// whose open session ends at once; the last owner cannot leave; tokens are
// made, shown once and revoked.
func TestUsersAndTokensPages(t *testing.T) {
	s := webtest.NewServer(t, webtest.Options{})
	ma, _, ua, ub := twoMembers(t, s)
	colleague, err := s.Service.AddUser(s.Staff(), ma.ID, marketplace.NewUser{
		Email: "colleague@hebden.example", Name: "Colleague", Password: webtest.Password, Role: marketplace.RoleEditor})
	if err != nil {
		t.Fatal(err)
	}
	owner := signedIn(t, s, ua)
	theirs := signedIn(t, s, colleague)

	p := owner.Get("/settings/users")
	if p.Status != http.StatusOK || !strings.Contains(p.Text(), colleague.Email) || !strings.Contains(p.Text(), "Editor") {
		t.Fatalf("the users page: %d %.500s", p.Status, p.Text())
	}
	if p := theirs.Get("/settings/users"); strings.Contains(p.Text(), ua.Email) {
		t.Fatal("an editor sees the co-op's users")
	}
	// Another co-op's owner cannot touch them.
	other := signedIn(t, s, ub)
	other.Get("/settings/users")
	if p := other.Post("/settings/users/"+colleague.ID+"/remove", url.Values{}); p.Status != http.StatusNotFound {
		t.Fatalf("another co-op's owner removing: %d", p.Status)
	}
	// The last owner cannot leave.
	owner.Get("/settings/users")
	if p := owner.Post("/settings/users/"+ua.ID+"/remove", url.Values{}); !strings.Contains(p.Text(), "keeps at least one owner") {
		t.Fatalf("the last owner leaving: %d %.400s", p.Status, p.Text())
	}
	owner.Get("/settings/users")
	if p := owner.Post("/settings/users/"+colleague.ID+"/role", url.Values{"role": {"owner"}}); !strings.Contains(p.Text(), "The role is changed") {
		t.Fatalf("promoting: %d %.400s", p.Status, p.Text())
	}
	owner.Get("/settings/users")
	if p := owner.Post("/settings/users/"+colleague.ID+"/remove", url.Values{}); !strings.Contains(p.Text(), "The user is removed") {
		t.Fatalf("removing: %d %.400s", p.Status, p.Text())
	}
	if p := theirs.Get("/dashboard"); strings.Contains(p.URL, "/dashboard") {
		t.Fatal("the removed colleague's session still reaches the dashboard")
	}

	// Tokens: made, shown once, listed without the secret, revoked.
	owner.Get("/settings/tokens")
	p = owner.Post("/settings/tokens", url.Values{"name": {"stock sync script"}})
	secret := regexp.MustCompile(`cmt_[A-Za-z0-9_-]{20,}`).FindString(p.Body)
	if p.Status != http.StatusCreated || secret == "" {
		t.Fatalf("making a token: %d %.400s", p.Status, p.Text())
	}
	if st := apiStatus(t, s, secret); st != http.StatusOK {
		t.Fatalf("the new token: %d", st)
	}
	p = owner.Get("/settings/tokens")
	if strings.Contains(p.Body, secret) || !strings.Contains(p.Text(), "stock sync script") {
		t.Fatalf("the list shows the secret, or not the token: %.500s", p.Text())
	}
	var revoked bool
	for _, m := range regexp.MustCompile(`/settings/tokens/([0-9a-f]{64})/revoke`).FindAllStringSubmatch(p.Body, -1) {
		if marketplace.HashToken(secret) == m[1] {
			owner.Post("/settings/tokens/"+m[1]+"/revoke", url.Values{})
			revoked = true
		}
	}
	if !revoked {
		t.Fatal("the new token is not listed by its ID")
	}
	if st := apiStatus(t, s, secret); st != http.StatusUnauthorized {
		t.Fatalf("the revoked token: %d", st)
	}
}
