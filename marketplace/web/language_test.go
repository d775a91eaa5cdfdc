package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"cooptrade/marketplace"
	"cooptrade/marketplace/web/webtest"
)

// TestLanguageSetting chooses the language of a user's e-mails on the
// settings page: before any choice the page offers the language the pages
// are read in; a choice is kept; a language the marketplace does not have
// is refused naming the field, and changes nothing.
func TestLanguageSetting(t *testing.T) {
	s := webtest.NewServer(t, webtest.Options{})
	_, u := s.AddMember(t, &marketplace.Member{Name: "Smith & O'Neil", Email: "hello@smith.example", Postcode: "CF10"})
	c := s.NewClient(t)
	c.SignIn(u.Email, webtest.Password)
	stored := func() string {
		t.Helper()
		got, err := s.Service.Users.FindUserByID(webtest.As(u), u.ID)
		if err != nil {
			t.Fatal(err)
		}
		return got.Language
	}

	p := c.Get("/settings/language")
	if p.Status != http.StatusOK || !strings.Contains(p.Body, `value="en" checked`) || strings.Contains(p.Body, `value="cy" checked`) {
		t.Fatalf("in English, before choosing: %d\n%.1500s", p.Status, p.Body)
	}
	p = c.Get("/settings/language?lang=cy")
	if !strings.Contains(p.Body, `value="cy" checked`) || !strings.Contains(p.Text(), "Iaith eich negeseuon e-bost") {
		t.Fatalf("in Welsh, before choosing: Welsh is not offered first\n%.1500s", p.Text())
	}

	p = c.Post("/settings/language", url.Values{"language": {"fr"}})
	if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, `href="#f-language"`) {
		t.Fatalf("French: %d\n%.1500s", p.Status, p.Body)
	}
	if got := stored(); got != "" {
		t.Fatalf("a refused language was kept: %q", got)
	}

	p = c.Post("/settings/language", url.Values{"language": {"cy"}})
	if !strings.Contains(p.Text(), "Mae iaith eich negeseuon e-bost wedi'i chadw.") {
		t.Fatalf("after choosing Welsh: %d\n%.1500s", p.Status, p.Text())
	}
	if got := stored(); got != "cy" {
		t.Fatalf("language %q; want cy", got)
	}
	// The choice stays when the pages are read in English.
	p = c.Get("/settings/language?lang=en")
	if !strings.Contains(p.Body, `value="cy" checked`) {
		t.Fatalf("in English after choosing Welsh:\n%.1500s", p.Body)
	}
	if p := c.Get("/dashboard"); !strings.Contains(p.Body, `href="/settings/language"`) {
		t.Errorf("the dashboard does not lead to the language of e-mails")
	}
}
