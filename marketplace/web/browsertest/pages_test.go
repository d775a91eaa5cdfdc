package browsertest_test

import (
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"cooptrade/marketplace"
	"cooptrade/marketplace/web/webtest"
)

var (
	browserOnce sync.Once
	browser     *webtest.Browser
)

// sharedBrowser returns the package's Chromium, started the first time.
func sharedBrowser(t *testing.T) *webtest.Browser {
	t.Helper()
	browserOnce.Do(func() { browser = webtest.NewBrowser(t) })
	if browser == nil {
		t.FailNow()
	}
	return browser
}

func TestMain(m *testing.M) {
	code := m.Run()
	if browser != nil {
		browser.Close()
	}
	os.Exit(code)
}

// federation is what the tests find in the marketplace.
type federation struct {
	leeds, manchester, cardiff, bristol *marketplace.Member
	leedsOwner, cardiffOwner            *marketplace.User
	leedsOffer, leedsNeed               *marketplace.Listing
}

// seed admits a few co-ops and publishes their listings, through the use
// cases, as staff and members would.
func seed(t *testing.T, s *webtest.Server) *federation {
	t.Helper()
	f := &federation{}
	f.leeds, f.leedsOwner = s.AddMember(t, &marketplace.Member{
		Name: "Leeds Print Workers' Co-operative", Email: "hello@leedsprint.example", Postcode: "LS6 1AA",
		Description: "A worker co-operative of printers in Leeds since 1984.\nLitho, digital and risograph.",
		Website:     "https://leedsprint.example", Headcount: 12,
		Sectors: []string{"printing-publishing"}, Values: []string{"living-wage", "co-op-marque"},
	})
	var manchesterOwner, bristolOwner *marketplace.User
	f.manchester, manchesterOwner = s.AddMember(t, &marketplace.Member{
		Name: "Moss Side Digital Co-op", Email: "hello@mossside.example", Postcode: "M14 4PX",
		Sectors: []string{"software-digital", "printing-publishing"}, Values: []string{"open-source"},
	})
	f.cardiff, f.cardiffOwner = s.AddMember(t, &marketplace.Member{
		Name: "Splott Retrofit Co-op", Email: "helo@splott.example", Postcode: "CF24 2DG",
		Sectors: []string{"construction-housing"}, Values: []string{"welsh-language", "net-zero-plan"},
	})
	f.bristol, bristolOwner = s.AddMember(t, &marketplace.Member{
		Name: "Easton Kitchen Collective", Email: "hello@easton.example", Postcode: "BS5 6JY",
		Sectors: []string{"food-catering"}, Values: []string{"organic", "living-wage"},
	})
	f.leedsOffer = s.Publish(t, f.leedsOwner, &marketplace.Listing{
		Kind: marketplace.KindOffer, Title: "Risograph printing of zines and posters",
		Description: "Two-colour riso on recycled stock, 50 to 2,000 copies.\nCollection from our Chapeltown shop or posted.",
		Category:    "risograph-screen-print", Tags: []string{"risograph", "zines", "posters"}, Postcode: "LS7 3AA", RadiusKM: 60,
		PriceMinPence: 4000, PriceMaxPence: 90000, PriceUnit: "job",
	})
	s.Publish(t, manchesterOwner, &marketplace.Listing{
		Kind: marketplace.KindOffer, Title: "Printing of posters and flyers, fast turnaround",
		Description: "Digital printing of posters and flyers from our Manchester studio.", Category: "print-runs",
		Tags: []string{"posters", "flyers"}, Postcode: "M14 4PX", RadiusKM: 40, PriceMinPence: 3000, PriceMaxPence: 50000, PriceUnit: "job",
	})
	s.Publish(t, manchesterOwner, &marketplace.Listing{
		Kind: marketplace.KindOffer, Title: "Accessible websites for co-operatives",
		Description: "WordPress and Hugo sites tested with screen readers.", Category: "web-development",
		Tags: []string{"websites", "accessibility"}, Postcode: "M14 4PX", Remote: true, PriceMinPence: 150000, PriceMaxPence: 1200000, PriceUnit: "job",
	})
	s.Publish(t, bristolOwner, &marketplace.Listing{
		Kind: marketplace.KindOffer, Title: "Vegan catering for events and printing fairs",
		Description: "Organic vegan food for up to 300 people.", Category: "event-catering",
		Tags: []string{"vegan", "events"}, Postcode: "BS5 6JY", RadiusKM: 30, PriceMinPence: 1200, PriceMaxPence: 2500, PriceUnit: "item",
	})
	f.leedsNeed = s.Publish(t, manchesterOwner, &marketplace.Listing{
		Kind: marketplace.KindNeed, Title: "5,000 A5 leaflets printed for a tenants' campaign",
		Description: "Double-sided, full colour, on recycled paper. Artwork ready as PDF.", Category: "print-runs",
		Tags: []string{"leaflets", "campaign"}, Postcode: "M14 4PX", PriceMinPence: 20000, PriceMaxPence: 60000, PriceUnit: "job",
	})
	return f
}

func TestPages(t *testing.T) {
	s := webtest.NewServer(t, webtest.Options{})
	f := seed(t, s)
	b := sharedBrowser(t)

	t.Run("BuyerFindsSupplierThroughFacets", func(t *testing.T) {
		tab := b.NewTab(t, s.URL, webtest.Desktop)
		tab.ClearCookies()
		tab.Go("/?lang=en")
		tab.Check("home")
		tab.Fill("#home-q", "printing")
		if st := tab.Click(".search-box button[type=submit]"); st != 200 {
			t.Fatalf("search: status %d", st)
		}
		if got := tab.Text("h2.results-count"); !strings.Contains(got, "results") {
			t.Fatalf("results heading %q", got)
		}
		tab.Check("search")
		// Narrow to a category, then to members paying the Living Wage.
		tab.ClickLink(`section[aria-labelledby="facet-category"]`, "Risograph & screen printing")
		if p := tab.Path(); !strings.Contains(p, "category=risograph-screen-print") {
			t.Fatalf("after the category facet: %s", p)
		}
		tab.ClickLink(`section[aria-labelledby="facet-values"]`, "Real Living Wage employer")
		hits := tab.Text("ol.hits")
		if !strings.Contains(hits, f.leedsOffer.Title) || strings.Contains(hits, "Moss Side") {
			t.Fatalf("hits after both facets:\n%s", hits)
		}
		if got := tab.Text(".active-filters"); !strings.Contains(got, "Real Living Wage employer") {
			t.Fatalf("filters in use: %q", got)
		}
		if n := webtest.Eval[int](tab, `document.querySelectorAll(".hits mark").length`); n == 0 {
			t.Errorf("no word of the search is highlighted")
		}
		tab.Check("search-facets")
		// The listing, then the co-op.
		tab.ClickLink(".hits", f.leedsOffer.Title)
		if got := tab.Text("h1"); got != f.leedsOffer.Title {
			t.Fatalf("listing page h1 %q", got)
		}
		if got := tab.Text(".meta--wide"); !strings.Contains(got, "£40 to £900 for the job") {
			t.Errorf("price on the listing page: %q", got)
		}
		og := webtest.Eval[string](tab, `document.querySelector('meta[property="og:title"]').content`)
		if og != f.leedsOffer.Title {
			t.Errorf("og:title %q", og)
		}
		tab.Check("listing")
		tab.ClickLink(".listing .byline", f.leeds.Name)
		if got := tab.Text("h1"); got != f.leeds.Name {
			t.Fatalf("co-op page h1 %q", got)
		}
		if got := tab.Text("#offers-title + ul"); !strings.Contains(got, f.leedsOffer.Title) {
			t.Fatalf("co-op's offers: %q", got)
		}
		tab.Check("coop")
	})

	t.Run("MemberPostsAnOffer", func(t *testing.T) {
		tab := b.NewTab(t, s.URL, webtest.Desktop)
		tab.ClearCookies()
		tab.Go("/login?lang=en")
		tab.Check("login")
		signIn(t, tab, f.leedsOwner.Email)
		if got := tab.Text("h1"); got != "Dashboard" {
			t.Fatalf("after signing in: %q at %s", got, tab.Path())
		}
		tab.ClickLink(".quick-links", "Post an offer")
		tab.Check("listing-new")
		title := "Leaflets and booklets printed on recycled paper"
		tab.Fill("#f-title", title)
		tab.Fill("#f-description", "Litho printing from 500 copies.\nFolded, trimmed and delivered.")
		tab.Select("#f-category", "print-runs")
		tab.Fill("#f-tags", "leaflets, booklets")
		tab.Fill("#f-postcode", "XX1 1XX") // no such postcode area
		tab.Fill("#f-radius-km", "80")
		tab.Fill("#f-price-min", "60")
		tab.Fill("#f-price-max", "4,000")
		tab.Select("#f-price-unit", "job")
		if st := tab.Click(".listing-form button[type=submit]"); st != 422 {
			t.Fatalf("posting with a wrong postcode: status %d", st)
		}
		// The error is at the top, linked to the field, and next to the
		// field, which says it is invalid; what was typed is kept.
		if got := tab.Text("#error-summary"); !strings.Contains(got, "Postcode: Enter a postcode in the UK") {
			t.Fatalf("summary of errors: %q", got)
		}
		if got := tab.Focused(); got != "error-summary" {
			t.Errorf("focus is on %q, not on the summary of errors", got)
		}
		if got := tab.Text("#f-postcode-error"); !strings.Contains(got, "Enter a postcode in the UK") {
			t.Fatalf("error by the field: %q", got)
		}
		attrs := webtest.Eval[[]string](tab, `[document.getElementById("f-postcode").getAttribute("aria-invalid"), document.getElementById("f-postcode").getAttribute("aria-describedby"), document.getElementById("f-title").value, document.getElementById("f-price-max").value]`)
		if attrs[0] != "true" || !strings.Contains(attrs[1], "f-postcode-error") || attrs[2] != title || attrs[3] != "4,000" {
			t.Fatalf("postcode field and kept input: %q", attrs)
		}
		tab.Check("listing-new-errors")
		// The summary's link takes the keyboard to the field.
		tab.Press(`#error-summary a[href="#f-postcode"]`)
		if got := tab.Focused(); got != "f-postcode" {
			t.Errorf("after following the error's link the focus is on %q", got)
		}
		tab.Fill("#f-postcode", "LS6 1AA")
		if st := tab.Click(".listing-form button[type=submit]"); st != 200 {
			t.Fatalf("posting the fixed offer: status %d", st)
		}
		if got := tab.Text(".flash"); !strings.Contains(got, "saved as a draft") {
			t.Fatalf("after posting: %q", got)
		}
		if got := tab.Text(".owner-panel"); !strings.Contains(got, "Draft") {
			t.Fatalf("owner panel: %q", got)
		}
		id := strings.TrimPrefix(strings.SplitN(tab.Path(), "?", 2)[0], "/listings/")
		tab.Click(`form[action$="/publish"] button`)
		if got := tab.Text(".flash"); !strings.Contains(got, "published") {
			t.Fatalf("after publishing: %q", got)
		}
		tab.Check("listing-owner")
		s.WaitIndexed(t, id)
		tab.Go("/search?q=booklets+recycled")
		if got := tab.Text("ol.hits"); !strings.Contains(got, title) {
			t.Fatalf("the new offer is not found:\n%s", got)
		}
		// Save the search as an alert.
		tab.Click(`.save-search button[type=submit]`)
		if got := tab.Text(".flash"); !strings.Contains(got, "saved") {
			t.Fatalf("after saving the search: %q", got)
		}
		tab.Check("alerts")
		// The dashboard shows the listing, the match with the need it
		// answers, and the inbox item announcing it.
		deadline := time.Now().Add(20 * time.Second)
		for {
			tab.Go("/dashboard")
			if strings.Contains(tab.Text("#matches"), f.leedsNeed.Title) && strings.Contains(tab.Text("#inbox"), f.leedsNeed.Title) {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("no match or inbox item on the dashboard:\n%s\n%s", tab.Text("#matches"), tab.Text("#inbox"))
			}
			time.Sleep(200 * time.Millisecond)
		}
		if got := tab.Text("#listings"); !strings.Contains(got, title) || !strings.Contains(got, "Published") {
			t.Fatalf("listings on the dashboard: %q", got)
		}
		if got := tab.Text("#dues"); !strings.Contains(got, "Active") || !strings.Contains(got, "Paying online is not set up") {
			t.Errorf("dues on the dashboard: %q", got)
		}
		tab.Check("dashboard")
		tab.Click(`#inbox form[action$="/read"] button`)
		if got := tab.Text(".flash"); !strings.Contains(got, "Marked as read") {
			t.Fatalf("after marking read: %q", got)
		}
		for _, page := range []struct{ path, name string }{
			{"/inbox", "inbox"}, {"/settings/notifications", "preferences"}, {"/settings/webhook", "webhook"},
			{"/dues", "dues"}, {"/listings/" + id + "/edit", "listing-edit"}, {"/accessibility", "accessibility"},
			{"/settings/users", "users"}, {"/settings/tokens", "tokens"},
			{"/settings/privacy", "privacy-settings"}, {"/settings/privacy/me", "privacy-export"},
		} {
			if st := tab.Go(page.path); st != 200 {
				t.Fatalf("%s: status %d", page.path, st)
			}
			tab.Check(page.name)
		}
		if st := tab.Go("/no/such/page"); st != 404 {
			t.Errorf("a page that does not exist: status %d", st)
		}
		tab.CheckA11y("not-found")
	})

	t.Run("Welsh", func(t *testing.T) {
		tab := b.NewTab(t, s.URL, webtest.Desktop)
		tab.ClearCookies()
		tab.Go("/?lang=cy")
		if lang := webtest.Eval[string](tab, `document.documentElement.lang`); lang != "cy" {
			t.Fatalf("html lang %q", lang)
		}
		tab.CheckA11y("home-cy")
		tab.Screenshot("home-cy")
		// The language is remembered: no ?lang from here on.
		tab.Fill("#home-q", "argraffu posteri")
		tab.Click(".search-box button[type=submit]")
		if got := tab.Text(".search-form button[type=submit]"); got != "Chwilio" {
			t.Fatalf("search button %q", got)
		}
		if got := tab.Text("h2.results-count"); got != "Dim canlyniadau" {
			t.Fatalf("results heading %q", got)
		}
		tab.Go("/search?q=printing")
		if got := tab.Text("#facets-title"); got != "Culhau eich chwiliad" {
			t.Fatalf("facets heading %q", got)
		}
		tab.ClickLink(`section[aria-labelledby="facet-category"]`, "Risograff a sgrin-brintio")
		tab.ClickLink(`section[aria-labelledby="facet-values"]`, "Cyflogwr Cyflog Byw Gwirioneddol")
		if got := tab.Text("h2.results-count"); got != "1 canlyniad" {
			t.Errorf("results heading %q", got)
		}
		tab.CheckA11y("search-facets-cy")
		tab.Screenshot("search-facets-cy")
		tab.ClickLink(".hits", f.leedsOffer.Title)
		if got := tab.Text(".meta--wide"); !strings.Contains(got, "£40 i £900 am y gwaith") || !strings.Contains(got, "Cyhoeddwyd") {
			t.Errorf("listing details in Welsh: %q", got)
		}
		tab.CheckA11y("listing-cy")

		tab.Go("/login")
		if got := tab.Text("h1"); got != "Mewngofnodi" {
			t.Fatalf("sign-in page h1 %q", got)
		}
		signIn(t, tab, f.cardiffOwner.Email)
		if got := tab.Text("h1"); got != "Dangosfwrdd" {
			t.Fatalf("after signing in: %q", got)
		}
		tab.ClickLink(".quick-links", "Postio cynnig")
		title := "Inswleiddio waliau solet i dai teras"
		tab.Fill("#f-title", title)
		tab.Fill("#f-description", "Inswleiddio mewnol ac allanol, atal drafftiau ac awyru.")
		tab.Select("#f-category", "retrofit-insulation")
		tab.Fill("#f-postcode", "CF24 2DG")
		tab.Fill("#f-radius-km", "40")
		tab.Fill("#f-price-min", "deg punt") // not an amount
		tab.Select("#f-price-unit", "job")
		if st := tab.Click(".listing-form button[type=submit]"); st != 422 {
			t.Fatalf("posting with a wrong price: status %d", st)
		}
		if got := tab.Text("#error-summary"); !strings.Contains(got, "Mae problem") || !strings.Contains(got, "Pris isaf (£): Rhowch swm mewn punnoedd") {
			t.Fatalf("summary of errors in Welsh: %q", got)
		}
		if got := tab.Text("#f-price-min-error"); got != "Gwall: Rhowch swm mewn punnoedd, fel 250 neu 12.50" {
			t.Fatalf("error by the field in Welsh: %q", got)
		}
		tab.CheckA11y("listing-new-errors-cy")
		tab.Screenshot("listing-new-errors-cy")
		tab.Fill("#f-price-min", "1,200")
		if st := tab.Click(".listing-form button[type=submit]"); st != 200 {
			t.Fatalf("posting the fixed offer: status %d: %s", st, webtest.Eval[string](tab, `(document.getElementById("error-summary") || document.body).innerText`))
		}
		if got := tab.Text(".flash"); !strings.Contains(got, "wedi'i chadw fel drafft") {
			t.Fatalf("after posting: %q", got)
		}
		id := strings.TrimPrefix(strings.SplitN(tab.Path(), "?", 2)[0], "/listings/")
		tab.Click(`form[action$="/publish"] button`)
		if got := tab.Text(".flash"); !strings.Contains(got, "Mae eich hysbyseb wedi'i chyhoeddi") {
			t.Fatalf("after publishing: %q", got)
		}
		if got := tab.Text(".owner-panel"); !strings.Contains(got, "Wedi'i chyhoeddi") {
			t.Fatalf("owner panel in Welsh: %q", got)
		}
		if got := tab.Text(".meta--wide"); !strings.Contains(got, "Caerdydd") || !containsWelshMonth(got) {
			t.Errorf("listing details in Welsh: %q", got)
		}
		tab.CheckA11y("listing-owner-cy")
		s.WaitIndexed(t, id)
		tab.Go("/search?q=inswleiddio")
		if got := tab.Text("ol.hits"); !strings.Contains(got, title) {
			t.Fatalf("the new offer is not found:\n%s", got)
		}
		tab.Go("/dashboard")
		if got := tab.Text("#dues"); !strings.Contains(got, "Gweithredol") {
			t.Errorf("dues in Welsh: %q", got)
		}
		tab.CheckA11y("dashboard-cy")
		tab.Screenshot("dashboard-cy")
		tab.Go("/accessibility")
		if got := tab.Text("h1"); got != "Datganiad hygyrchedd" {
			t.Errorf("accessibility statement h1 %q", got)
		}
		// The switch on every page goes back to English.
		tab.ClickLink(".site-nav", "English")
		if got := tab.Text("h1"); got != "Accessibility statement" {
			t.Errorf("after switching to English: %q", got)
		}
		// A forgotten password, in both languages.
		for _, lang := range []string{"cy", "en"} {
			for _, page := range []struct{ path, name string }{
				{"/password/forgot", "forgot"}, {"/password/reset?token=cmr_not-a-real-link", "reset"}, {"/privacy", "privacy"},
			} {
				sep := "?"
				if strings.Contains(page.path, "?") {
					sep = "&"
				}
				if st := tab.Go(page.path + sep + "lang=" + lang); st != 200 {
					t.Fatalf("%s: status %d", page.path, st)
				}
				tab.CheckA11y(page.name + "-" + lang)
			}
		}
	})
}

// signIn fills the sign-in form on the page in the tab and sends it.
func signIn(t *testing.T, tab *webtest.Tab, email string) {
	t.Helper()
	tab.Fill("#f-email", email)
	tab.Fill("#f-password", webtest.Password)
	if st := tab.Click(`main form[action="/login"] button[type=submit]`); st != 200 {
		t.Fatalf("sign in as %s: status %d at %s", email, st, tab.Path())
	}
}

func containsWelshMonth(s string) bool {
	for _, m := range []string{"Ionawr", "Chwefror", "Mawrth", "Ebrill", "Mai", "Mehefin", "Gorffennaf", "Awst", "Medi", "Hydref", "Tachwedd", "Rhagfyr"} {
		if strings.Contains(s, m) {
			return true
		}
	}
	return false
}

// TestAxeSeesViolations checks the checker: a page spoilt on purpose (an
// input without a label, text without contrast) is reported.
func TestAxeSeesViolations(t *testing.T) {
	s := webtest.NewServer(t, webtest.Options{})
	tab := sharedBrowser(t).NewTab(t, s.URL, webtest.Desktop)
	tab.Go("/accessibility")
	if vs := tab.A11yViolations(); len(vs) != 0 {
		t.Fatalf("violations on the accessibility statement: %v", vs)
	}
	webtest.Eval[bool](tab, `(() => {
		document.querySelector("main").insertAdjacentHTML("beforeend", '<input type="text" id="spoilt"><p id="faint">Faint text</p>');
		document.getElementById("faint").style.color = "#ccc"; // the CSP refuses style attributes
		return true;
	})()`)
	found := map[string]string{}
	for _, v := range tab.A11yViolations() {
		found[v.ID] = v.Impact
	}
	if found["label"] != "critical" || found["color-contrast"] != "serious" {
		t.Fatalf("axe found %v; want label (critical) and color-contrast (serious)", found)
	}
}
