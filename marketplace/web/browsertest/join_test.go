package browsertest_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"cooptrade/marketplace"
	"cooptrade/marketplace/web/webtest"
	"cooptrade/workers/mail/mailtest"
)

// journeyWords are what the journey reads on the pages, in one language.
type journeyWords struct {
	lang, sent, confirmed, admitted, welcome, invited, removed string
}

// TestJoinJourney goes the whole way in, in English and in Welsh: a co-op
// applies on /join (a mistake first), the confirmation mail arrives,
// the applicant confirms, staff admit it on their page, the invitation
// mail arrives, its link sets a password and the new owner is on the
// dashboard, invites a colleague who accepts, then removes the colleague,
// whose open session and API token stop at once. axe checks every page on
// the way.
func TestJoinJourney(t *testing.T) {
	smtp := mailtest.NewServer(t)
	s := webtest.NewServer(t, webtest.Options{SMTP: smtp})
	b := sharedBrowser(t)
	mailed := 0
	// nextLink waits for the next mail, to the address, and returns the
	// path of the link re finds in it.
	nextLink := func(t *testing.T, to string, re *regexp.Regexp) string {
		t.Helper()
		msgs := smtp.Wait(t, mailed+1, 10*time.Second)
		m := msgs[mailed]
		mailed++
		if len(m.To) != 1 || m.To[0] != to {
			t.Fatalf("mail %q went to %v; want %s", m.Subject, m.To, to)
		}
		if re == nil {
			return ""
		}
		link := re.FindString(m.Text)
		if link == "" {
			t.Fatalf("no link in the mail %q:\n%s", m.Subject, m.Text)
		}
		u, err := url.Parse(link)
		if err != nil {
			t.Fatal(err)
		}
		return u.RequestURI()
	}
	confirmRE := regexp.MustCompile(`https?://\S+/join/confirm\?token=cma_[A-Za-z0-9_-]+`)
	invitationRE := regexp.MustCompile(`https?://\S+/invitation\?token=cmi_[A-Za-z0-9_-]+`)

	for _, w := range []journeyWords{
		{lang: "en", sent: "Check your e-mail", confirmed: "your application is confirmed", admitted: "The member is admitted",
			welcome: "Welcome to the co-operative marketplace", invited: "The invitation is on its way", removed: "The user is removed"},
		{lang: "cy", sent: "Edrychwch ar eich e-bost", confirmed: "mae eich cais wedi'i gadarnhau", admitted: "Mae'r aelod wedi'i dderbyn",
			welcome: "Croeso i'r farchnad gydweithredol", invited: "Mae'r gwahoddiad ar ei ffordd", removed: ""},
	} {
		t.Run(w.lang, func(t *testing.T) {
			coop := map[string]string{"en": "Todmorden Tinkers", "cy": "Gweithdy Beiciau Bangor"}[w.lang]
			domain := map[string]string{"en": "tinkers.example", "cy": "beiciau.example"}[w.lang]
			applicant, colleague := "founder@"+domain, "colleague@"+domain
			tab := b.NewTab(t, s.URL, webtest.Desktop)
			tab.ClearCookies()

			// Apply, with a mistake first.
			tab.Go("/?lang=" + w.lang)
			tab.ClickLink("header", map[string]string{"en": "Join", "cy": "Ymuno"}[w.lang])
			if p := tab.Path(); !strings.HasPrefix(p, "/join") {
				t.Fatalf("the Join link went to %s", p)
			}
			tab.CheckA11y("join-" + w.lang)
			tab.Fill("#f-name", coop)
			tab.Fill("#f-registration-number", "not a number")
			if st := submit(tab, "/join"); st != 422 {
				t.Fatalf("applying with mistakes: status %d", st)
			}
			if got := tab.Focused(); got != "error-summary" {
				t.Errorf("focus is on %q, not on the summary of errors", got)
			}
			tab.CheckA11y("join-errors-" + w.lang)
			tab.Fill("#f-registration-number", "RS007123")
			tab.Select("#f-sector", "transport-logistics")
			tab.Fill("#f-postcode", "OL14 5AA")
			tab.Fill("#f-website", "https://"+domain)
			tab.Fill("#f-statement", "Eight mechanics who own their workshop.")
			tab.Fill("#f-applicant-name", "Ffion Evans")
			tab.Fill("#f-email", applicant)
			if st := submit(tab, "/join"); st != 200 {
				t.Fatalf("applying: status %d: %s", st, tab.Text("main"))
			}
			if got := tab.Text("main"); !strings.Contains(got, w.sent) {
				t.Fatalf("after applying: %q", got)
			}
			tab.CheckA11y("join-sent-" + w.lang)

			// Confirm from the mail.
			tab.Go(nextLink(t, applicant, confirmRE))
			tab.CheckA11y("join-confirm-" + w.lang)
			if st := submit(tab, "/join/confirm"); st != 200 || !strings.Contains(tab.Text("main"), w.confirmed) {
				t.Fatalf("confirming: status %d: %s", st, tab.Text("main"))
			}
			tab.CheckA11y("join-confirmed-" + w.lang)

			// Staff admit it on their page.
			signInStaff(t, tab, w.lang)
			tab.Go("/staff/join")
			tab.CheckA11y("staff-join-" + w.lang)
			action := webtest.Eval[string](tab, `document.querySelector('main form[action$="/admit"]').getAttribute("action")`)
			tab.Fill(`main form[action="`+action+`"] textarea[name=note]`, "Welcome aboard.")
			if st := tab.Click(`main form[action="` + action + `"] button[type=submit]`); st != 200 || !strings.Contains(tab.Text(".flash"), w.admitted) {
				t.Fatalf("admitting: status %d: %s", st, tab.Text("main"))
			}
			nextLink(t, applicant, nil) // the decision

			// The invitation's link sets a password and signs in.
			tab.ClearCookies()
			tab.Go(nextLink(t, applicant, invitationRE))
			if got := tab.Text("main"); !strings.Contains(got, coop) {
				t.Fatalf("the invitation page: %q", got)
			}
			tab.CheckA11y("invitation-" + w.lang)
			const ownerPassword = "spokes and sprockets for all"
			tab.Fill("#f-name", "Ffion Evans")
			tab.Fill("#f-password", ownerPassword)
			tab.Fill("#f-confirm-password", ownerPassword)
			tab.Select("#f-language", w.lang)
			if st := submit(tab, "/invitation"); st != 200 || !strings.HasPrefix(tab.Path(), "/dashboard") || !strings.Contains(tab.Text(".flash"), w.welcome) {
				t.Fatalf("accepting: status %d at %s: %s", st, tab.Path(), tab.Text("main"))
			}

			// The owner invites a colleague.
			tab.Go("/settings/users")
			tab.CheckA11y("users-invite-" + w.lang)
			tab.Fill("#f-invite-email", colleague)
			tab.Select("#f-invite-role", "editor")
			tab.Select("#f-invite-language", w.lang)
			if st := submit(tab, "/settings/invitations"); st != 200 || !strings.Contains(tab.Text(".flash"), w.invited) || !strings.Contains(tab.Text("main"), colleague) {
				t.Fatalf("inviting: status %d: %s", st, tab.Text("main"))
			}
			tab.CheckA11y("users-invited-" + w.lang)
			ownerSession := tab.Cookie("cms")

			// The colleague accepts (the browser now holds their session)
			// and makes an API token.
			tab.ClearCookies()
			tab.Go(nextLink(t, colleague, invitationRE))
			const theirPassword = "inner tubes and brake cables"
			tab.Fill("#f-password", theirPassword)
			tab.Fill("#f-confirm-password", theirPassword)
			if st := submit(tab, "/invitation"); st != 200 || !strings.HasPrefix(tab.Path(), "/dashboard") {
				t.Fatalf("the colleague accepting: status %d at %s", st, tab.Path())
			}
			tab.Go("/settings/tokens")
			tab.Fill("#token-name", "stock script")
			submit(tab, "/settings/tokens")
			token := regexp.MustCompile(`cmt_[A-Za-z0-9_-]{20,}`).FindString(tab.Text("main"))
			if token == "" || apiStatus(t, s, token) != http.StatusOK {
				t.Fatalf("the colleague's token %q does not work", token)
			}
			theirSession := tab.Cookie("cms")

			// The owner, back in the browser, removes the colleague.
			tab.ClearCookies()
			tab.Go("/login?lang=" + w.lang)
			tab.Fill("#f-email", applicant)
			tab.Fill("#f-password", ownerPassword)
			if st := tab.Click(`main form[action="/login"] button[type=submit]`); st != 200 {
				t.Fatalf("the owner signing in again: status %d", st)
			}
			u, err := s.Service.Users.FindUserByEmail(context.Background(), colleague)
			if err != nil {
				t.Fatal(err)
			}
			tab.Go("/settings/users")
			if st := tab.Click(`main form[action="/settings/users/` + u.ID + `/remove"] button[type=submit]`); st != 200 {
				t.Fatalf("removing the colleague: status %d", st)
			}
			if w.removed != "" && !strings.Contains(tab.Text(".flash"), w.removed) {
				t.Errorf("after removing: %q", tab.Text(".flash"))
			}
			if st := apiStatus(t, s, token); st != http.StatusUnauthorized {
				t.Errorf("the removed colleague's API token: %d; want 401", st)
			}
			if _, _, err := s.Service.ResumeSession(context.Background(), theirSession); marketplace.ErrorCode(err) != marketplace.EUNAUTHORIZED {
				t.Errorf("the removed colleague's session: %v; want it ended", err)
			}
			if st := pageStatus(t, s, "/dashboard", theirSession); st != http.StatusSeeOther {
				t.Errorf("the removed colleague's session on the dashboard: %d; want a 303 to sign in", st)
			}
			if ownerSession == "" || pageStatus(t, s, "/dashboard", ownerSession) != http.StatusOK {
				t.Errorf("the owner's first session ended too")
			}
		})
	}
}

// apiStatus returns the status of GET /v1/me with the bearer token.
func apiStatus(t *testing.T, s *webtest.Server, token string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, s.URL+"/v1/me", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

// pageStatus returns the status of a page asked for with a session
// cookie, without following redirects.
func pageStatus(t *testing.T, s *webtest.Server, path, session string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, s.URL+path, nil)
	req.AddCookie(&http.Cookie{Name: "cms", Value: session})
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}
