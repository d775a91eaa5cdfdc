package browsertest_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"cooptrade/marketplace"
	"cooptrade/marketplace/web/webtest"
)

// TestAccountPages drives a member's own pages: the dues application, the
// co-op's profile and the password, each with a mistake first; the dues
// application in Welsh too.
func TestAccountPages(t *testing.T) {
	s := webtest.NewServer(t, webtest.Options{})
	_, hebdenOwner := s.AddMember(t, &marketplace.Member{Name: "Hebden Wholefoods", Email: "hello@hebden.example",
		Postcode: "HX7 8AD", Standing: marketplace.StandingPending})
	_, splottOwner := s.AddMember(t, &marketplace.Member{Name: "Splott Retrofit Co-op", Email: "helo@splott.example",
		Postcode: "CF24 2DG", Standing: marketplace.StandingPending, Sectors: []string{"construction-housing"}})
	leeds, leedsOwner := s.AddMember(t, &marketplace.Member{Name: "Leeds Print Workers' Co-operative", Email: "hello@leedsprint.example",
		Postcode: "LS6 1AA", Description: "A worker co-operative of printers in Leeds since 1984.", Headcount: 12,
		Sectors: []string{"printing-publishing"}, Values: []string{"living-wage"}})
	_, mossOwner := s.AddMember(t, &marketplace.Member{Name: "Moss Side Digital Co-op", Email: "hello@mossside.example", Postcode: "M14 4PX"})
	year := strconv.Itoa(time.Now().Year())
	b := sharedBrowser(t)

	t.Run("DuesApplication", func(t *testing.T) {
		tab := b.NewTab(t, s.URL, webtest.Desktop)
		tab.ClearCookies()
		tab.Go("/login?lang=en")
		signIn(t, tab, hebdenOwner.Email)
		tab.ClickLink("#dues", "Declare your labour costs")
		if got := tab.Text("h1"); got != "Declare your labour costs" {
			t.Fatalf("dues application h1 %q at %s", got, tab.Path())
		}
		tab.Check("dues-apply")
		// Hardship dues asked for without saying how much or why.
		tab.Fill("#f-labour-costs", "40,000")
		tab.Press("#f-kind-hardship")
		if st := submit(tab, "/dues/apply"); st != 422 {
			t.Fatalf("applying without the hardship amount: status %d", st)
		}
		summary := tab.Text("#error-summary")
		for _, want := range []string{"What your co-operative can pay a year, before VAT (£): Enter what your co-operative can pay a year",
			"Why your co-operative needs hardship dues: Say why your co-operative needs hardship dues"} {
			if !strings.Contains(summary, want) {
				t.Errorf("summary of errors %q lacks %q", summary, want)
			}
		}
		if got := tab.Focused(); got != "error-summary" {
			t.Errorf("focus is on %q, not on the summary of errors", got)
		}
		attrs := webtest.Eval[[]string](tab, `[document.getElementById("f-hardship-amount").getAttribute("aria-invalid"), document.getElementById("f-hardship-amount").getAttribute("aria-describedby"), document.getElementById("f-labour-costs").value, String(document.getElementById("f-kind-hardship").checked)]`)
		if attrs[0] != "true" || !strings.Contains(attrs[1], "f-hardship-amount-error") || attrs[2] != "40,000" || attrs[3] != "true" {
			t.Fatalf("hardship field and kept input: %q", attrs)
		}
		tab.Check("dues-apply-errors")
		tab.Fill("#f-hardship-amount", "60")
		tab.Fill("#f-reason", "We started trading in March and have no year behind us.")
		if st := submit(tab, "/dues/apply"); st != 200 {
			t.Fatalf("applying: status %d", st)
		}
		if got := tab.Text(".flash"); !strings.Contains(got, "Your application is sent to federation staff") {
			t.Fatalf("after applying: %q", got)
		}
		card := tab.Text(".cards .card")
		for _, want := range []string{"Hardship dues for " + year, "Status: Waiting for a decision by federation staff", "£60", "VAT £12", "Total to pay a year £72"} {
			if !strings.Contains(card, want) {
				t.Errorf("the application %q lacks %q", card, want)
			}
		}
		tab.Check("dues-applied")
		tab.Go("/dashboard")
		if got := tab.Text("#dues"); !strings.Contains(got, "See or change your application") {
			t.Errorf("dues on the dashboard after applying: %q", got)
		}
	})

	t.Run("Profile", func(t *testing.T) {
		tab := b.NewTab(t, s.URL, webtest.Desktop)
		tab.ClearCookies()
		tab.Go("/login?lang=en")
		signIn(t, tab, leedsOwner.Email)
		tab.Go("/coops/" + leeds.Slug)
		tab.ClickLink("main", "Edit your profile")
		if got := tab.Text("h1"); got != "Edit your co-operative's profile" {
			t.Fatalf("profile h1 %q at %s", got, tab.Path())
		}
		tab.Check("profile")
		webtest.Eval[bool](tab, `(document.getElementById("f-email").value = "") === ""`)
		tab.Fill("#f-website", "leedsprint.example")
		tab.Press("#f-value-fair-tax")
		if st := submit(tab, "/coops/"+leeds.Slug+"/edit"); st != 422 {
			t.Fatalf("saving without an e-mail address: status %d", st)
		}
		summary := tab.Text("#error-summary")
		for _, want := range []string{"Website (optional): Enter a web address starting with https://", "Contact e-mail address: Enter an e-mail address buyers can write to"} {
			if !strings.Contains(summary, want) {
				t.Errorf("summary of errors %q lacks %q", summary, want)
			}
		}
		if got := tab.Focused(); got != "error-summary" {
			t.Errorf("focus is on %q, not on the summary of errors", got)
		}
		kept := webtest.Eval[[]string](tab, `[document.getElementById("f-website").value, String(document.getElementById("f-value-fair-tax").checked), document.getElementById("f-email").getAttribute("aria-invalid")]`)
		if kept[0] != "leedsprint.example" || kept[1] != "true" || kept[2] != "true" {
			t.Fatalf("kept input and invalid field: %q", kept)
		}
		tab.Check("profile-errors")
		tab.Press(`#error-summary a[href="#f-email"]`)
		if got := tab.Focused(); got != "f-email" {
			t.Errorf("after following the error's link the focus is on %q", got)
		}
		tab.Fill("#f-email", "orders@leedsprint.example")
		tab.Fill("#f-website", "https://leedsprint.example")
		if st := submit(tab, "/coops/"+leeds.Slug+"/edit"); st != 200 {
			t.Fatalf("saving the profile: status %d", st)
		}
		if got := tab.Text(".flash"); !strings.Contains(got, "Your co-operative's profile is saved.") {
			t.Fatalf("after saving: %q", got)
		}
		// The contact address is kept but not shown: buyers enquire.
		if got := tab.Text(".meta--wide"); !strings.Contains(got, "Fair Tax Mark") || strings.Contains(got, "orders@leedsprint.example") {
			t.Errorf("the profile after saving: %q", got)
		}
		tab.Check("coop-saved")
	})

	t.Run("Password", func(t *testing.T) {
		tab := b.NewTab(t, s.URL, webtest.Desktop)
		tab.ClearCookies()
		tab.Go("/login?lang=en")
		signIn(t, tab, mossOwner.Email)
		tab.ClickLink(".quick-links", "Change your password")
		if got := tab.Text("h1"); got != "Change your password" {
			t.Fatalf("password h1 %q at %s", got, tab.Path())
		}
		tab.Check("password")
		const next = "moss side printers and riso"
		tab.Fill("#f-current-password", webtest.Password)
		tab.Fill("#f-new-password", next)
		tab.Fill("#f-confirm-password", next+" ink")
		if st := submit(tab, "/settings/password"); st != 422 {
			t.Fatalf("changing with a different confirmation: status %d", st)
		}
		if got := tab.Text("#error-summary"); !strings.Contains(got, "New password again: Enter the same new password again") {
			t.Fatalf("summary of errors: %q", got)
		}
		if got := tab.Focused(); got != "error-summary" {
			t.Errorf("focus is on %q, not on the summary of errors", got)
		}
		if v := webtest.Eval[string](tab, `document.getElementById("f-new-password").value`); v != "" {
			t.Error("the password typed is written back into the page")
		}
		tab.Check("password-errors")
		tab.Fill("#f-current-password", webtest.Password)
		tab.Fill("#f-new-password", next)
		tab.Fill("#f-confirm-password", next)
		if st := submit(tab, "/settings/password"); st != 200 {
			t.Fatalf("changing the password: status %d", st)
		}
		if got := tab.Text(".flash"); !strings.Contains(got, "Your password is changed.") {
			t.Fatalf("after changing: %q", got)
		}
		// This browser stays signed in.
		tab.Go("/dashboard")
		if got := tab.Text("h1"); got != "Dashboard" {
			t.Fatalf("after changing the password the dashboard says %q at %s", got, tab.Path())
		}
	})

	t.Run("DuesApplicationWelsh", func(t *testing.T) {
		tab := b.NewTab(t, s.URL, webtest.Desktop)
		tab.ClearCookies()
		tab.Go("/login?lang=cy")
		signIn(t, tab, splottOwner.Email)
		tab.ClickLink("#dues", "Datgan eich costau llafur")
		if got := tab.Text("h1"); got != "Datgan eich costau llafur" {
			t.Fatalf("Welsh dues application h1 %q", got)
		}
		if st := submit(tab, "/dues/apply"); st != 422 {
			t.Fatalf("applying with nothing filled in: status %d", st)
		}
		if got := tab.Text("#error-summary"); !strings.Contains(got, "Mae problem") || !strings.Contains(got, "Costau llafur y flwyddyn cynt (£): Rhowch eich costau llafur am y flwyddyn cynt") {
			t.Fatalf("summary of errors in Welsh: %q", got)
		}
		tab.Check("dues-apply-errors-cy")
		tab.Fill("#f-labour-costs", "250,000")
		if st := submit(tab, "/dues/apply"); st != 200 {
			t.Fatalf("applying in Welsh: status %d", st)
		}
		if got := tab.Text(".flash"); !strings.Contains(got, "Mae eich cais wedi'i anfon at staff y ffederasiwn") {
			t.Fatalf("after applying in Welsh: %q", got)
		}
		card := tab.Text(".cards .card")
		for _, want := range []string{"Costau llafur ar gyfer " + year, "Statws: Yn aros am benderfyniad", "TAW £50", "£300"} {
			if !strings.Contains(card, want) {
				t.Errorf("the Welsh application %q lacks %q", card, want)
			}
		}
		tab.Check("dues-applied-cy")
	})
}

// submit sends the form of the page's main content that posts to action,
// and returns the status of the page that answers.
func submit(tab *webtest.Tab, action string) int64 {
	return tab.Click(`main form[action="` + action + `"] button[type=submit]`)
}
