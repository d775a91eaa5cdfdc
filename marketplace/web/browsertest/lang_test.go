package browsertest_test

import (
	"strings"
	"testing"

	"cooptrade/marketplace"
	"cooptrade/marketplace/web/webtest"
)

// TestLanguagePage chooses the language of one's e-mails in Chromium, in
// Welsh and in English, with axe on each page.
func TestLanguagePage(t *testing.T) {
	s := webtest.NewServer(t, webtest.Options{})
	_, owner := s.AddMember(t, &marketplace.Member{Name: "Smith & O'Neil", Email: "helo@smith.example", Postcode: "CF24 2DG"})
	tab := sharedBrowser(t).NewTab(t, s.URL, webtest.Desktop)
	tab.ClearCookies()
	tab.Go("/login?lang=cy")
	signIn(t, tab, owner.Email)
	tab.ClickLink(".quick-links", "Iaith eich negeseuon e-bost")
	if got := tab.Text("h1"); got != "Iaith eich negeseuon e-bost" {
		t.Fatalf("h1 %q at %s", got, tab.Path())
	}
	if checked := webtest.Eval[bool](tab, `document.getElementById("f-language-cy").checked`); !checked {
		t.Fatal("Welsh is not offered to someone reading the pages in Welsh")
	}
	tab.Check("language-cy")
	if st := submit(tab, "/settings/language"); st != 200 {
		t.Fatalf("saving: status %d", st)
	}
	if got := tab.Text(".flash"); !strings.Contains(got, "wedi'i chadw") {
		t.Fatalf("after saving: %q", got)
	}
	u, err := s.Service.Users.FindUserByID(webtest.As(owner), owner.ID)
	if err != nil || u.Language != marketplace.LangWelsh {
		t.Fatalf("after choosing Welsh: %+v, %v", u, err)
	}

	tab.Go("/settings/language?lang=en")
	if got := tab.Text("h1"); got != "Language of your e-mails" {
		t.Fatalf("h1 in English %q", got)
	}
	tab.Check("language")
	tab.Press("#f-language-en")
	submit(tab, "/settings/language")
	if got := tab.Text(".flash"); !strings.Contains(got, "is saved") {
		t.Fatalf("after choosing English: %q", got)
	}
}
