package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"cooptrade/marketplace"
	"cooptrade/marketplace/web/webtest"
	"cooptrade/payments"
)

// twoMembers admits two co-ops with an owner each.
func twoMembers(t *testing.T, s *webtest.Server) (a, b *marketplace.Member, ua, ub *marketplace.User) {
	t.Helper()
	a, ua = s.AddMember(t, &marketplace.Member{Name: "Hebden Print Co-op", Email: "hello@hebden.example", Postcode: "HX7 8AD", Sectors: []string{"printing-publishing"}})
	b, ub = s.AddMember(t, &marketplace.Member{Name: "Leith Cleaning Co-op", Email: "hello@leith.example", Postcode: "EH6 6QU", Sectors: []string{"cleaning"}})
	return a, b, ua, ub
}

func TestCSRF(t *testing.T) {
	s := webtest.NewServer(t, webtest.Options{})
	_, _, ua, ub := twoMembers(t, s)
	offer := url.Values{"kind": {"offer"}, "title": {"Office cleaning, evenings"}, "category": {"office-cleaning"}, "postcode": {"EH6 6QU"}, "radius_km": {"20"}}

	t.Run("SignInWithoutToken", func(t *testing.T) {
		c := s.NewClient(t)
		c.Get("/login")
		p := c.Post("/login", url.Values{"email": {ua.Email}, "password": {webtest.Password}, "csrf": {""}})
		if p.Status != http.StatusForbidden || !strings.Contains(p.Text(), "The form could not be sent") {
			t.Fatalf("status %d\n%.500s", p.Status, p.Text())
		}
		if p := c.Get("/dashboard"); !strings.Contains(p.URL, "/login") {
			t.Fatalf("signed in without a token: %s", p.URL)
		}
	})
	t.Run("SignInWithWrongToken", func(t *testing.T) {
		c := s.NewClient(t)
		c.Get("/login")
		p := c.Post("/login", url.Values{"email": {ua.Email}, "password": {webtest.Password}, "csrf": {"not-the-token-of-this-browser-0123456789abc"}})
		if p.Status != http.StatusForbidden {
			t.Fatalf("status %d", p.Status)
		}
	})
	t.Run("FormsOfASession", func(t *testing.T) {
		a := s.NewClient(t)
		a.SignIn(ua.Email, webtest.Password)
		b := s.NewClient(t)
		b.SignIn(ub.Email, webtest.Password)
		b.Get("/listings/new")
		otherToken := b.CSRF()

		a.Get("/listings/new")
		for name, token := range map[string]string{"no token": "", "another session's token": otherToken} {
			f := url.Values{}
			for k, v := range offer {
				f[k] = v
			}
			f.Set("csrf", token)
			p := a.Post("/listings/new", f)
			if p.Status != http.StatusForbidden || !strings.Contains(p.Body, `<h1>The form could not be sent</h1>`) {
				t.Errorf("%s: status %d", name, p.Status)
			}
		}
		if ls, _, _ := s.Service.FindListings(webtest.As(ua), marketplace.ListingFilter{MemberID: ua.MemberID}); len(ls) != 0 {
			t.Fatalf("a listing was posted without a token: %+v", ls[0])
		}
		// Signing out needs the token too.
		if p := a.Post("/logout", url.Values{"csrf": {""}}); p.Status != http.StatusForbidden {
			t.Errorf("sign out without a token: status %d", p.Status)
		}
		if p := a.Get("/dashboard"); p.Status != http.StatusOK || strings.Contains(p.URL, "/login") {
			t.Errorf("signed out by a form without a token: %d %s", p.Status, p.URL)
		}
		// With the token the same form works.
		a.Get("/listings/new")
		if p := a.Post("/listings/new", offer); p.Status != http.StatusOK || !strings.Contains(p.URL, "/listings/") {
			t.Fatalf("with the token: status %d at %s\n%.800s", p.Status, p.URL, p.Text())
		}
	})
}

func TestPrivacy(t *testing.T) {
	s := webtest.NewServer(t, webtest.Options{})
	ma, mb, ua, ub := twoMembers(t, s)
	ctx := context.Background()

	// A has a draft, an inbox item and dues of its own.
	draft := &marketplace.Listing{Kind: marketplace.KindOffer, Title: "Secret draft of Hebden", Category: "print-runs", Postcode: "HX7 8AD", RadiusKM: 40}
	if err := s.Service.CreateListing(webtest.As(ua), draft); err != nil {
		t.Fatal(err)
	}
	item := &marketplace.Notification{
		ID: marketplace.NotificationKey("test", "member:"+ma.ID, marketplace.ChannelInbox), Type: marketplace.NotifyMatchNew,
		Channel: marketplace.ChannelInbox, MemberID: ma.ID, Subject: "Private message for Hebden", Text: "For Hebden's eyes only.",
		Status: marketplace.NotificationSent,
	}
	if _, err := s.Service.Notifications.CreateNotification(ctx, item); err != nil {
		t.Fatal(err)
	}
	labour := int64(234_560_000) // £2,345,600: dues of £2,345.60 before VAT
	app, err := s.Payments.Apply(webtest.As(ua), payments.ApplicationInput{LabourCostsPence: &labour})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Payments.DecideApplication(s.Staff(), app.ID, payments.Decision{Status: payments.ApplicationApproved}); err != nil {
		t.Fatal(err)
	}
	secrets := []string{draft.Title, item.Subject, "£2,345.60", "£2,814.72"}

	a := s.NewClient(t)
	a.SignIn(ua.Email, webtest.Password)
	for _, path := range []string{"/dashboard", "/dues"} {
		p := a.Get(path)
		want := secrets
		if path == "/dues" {
			want = secrets[2:]
		}
		for _, w := range want {
			if !strings.Contains(p.Text(), w) {
				t.Errorf("%s of Hebden does not show %q:\n%.1500s", path, w, p.Text())
			}
		}
	}

	b := s.NewClient(t)
	b.SignIn(ub.Email, webtest.Password)
	for _, path := range []string{"/dashboard", "/dues", "/dues?member=" + ma.ID, "/inbox", "/inbox?unread=1", "/coops/" + ma.Slug, "/search?q=secret+draft+hebden"} {
		p := b.Get(path)
		if p.Status != http.StatusOK {
			t.Errorf("%s: status %d", path, p.Status)
		}
		for _, secret := range secrets {
			if strings.Contains(p.Body, secret) {
				t.Errorf("%s shows Leith %q", path, secret)
			}
		}
	}
	if p := b.Get("/dues"); !strings.Contains(p.Text(), mb.Name) {
		t.Errorf("Leith's dues page is not about Leith:\n%.800s", p.Text())
	}
	for _, path := range []string{"/listings/" + draft.ID, "/listings/" + draft.ID + "/edit"} {
		if p := b.Get(path); p.Status != http.StatusNotFound || strings.Contains(p.Body, draft.Title) {
			t.Errorf("%s for another member: status %d", path, p.Status)
		}
	}
	b.Get("/inbox")
	for path, form := range map[string]url.Values{
		"/inbox/" + url.PathEscape(item.ID) + "/read": {},
		"/listings/" + draft.ID + "/publish":          {"version": {"1"}},
		"/listings/" + draft.ID + "/edit":             {"title": {"Taken over"}, "category": {"print-runs"}, "postcode": {"EH6"}},
	} {
		if p := b.Post(path, form); p.Status != http.StatusNotFound {
			t.Errorf("POST %s for another member: status %d", path, p.Status)
		}
	}
	n, err := s.Service.Notifications.FindNotificationByID(ctx, item.ID)
	if err != nil || n.ReadAt != nil {
		t.Errorf("Hebden's inbox item was marked read by Leith: %+v %v", n, err)
	}
	l, _ := s.Service.Listings.FindListingByID(ctx, draft.ID)
	if l.Status != marketplace.StatusDraft || l.Title != draft.Title {
		t.Errorf("Hebden's draft was changed by Leith: %s %q", l.Status, l.Title)
	}
	// The public sees no draft either.
	anon := s.NewClient(t)
	if p := anon.Get("/listings/" + draft.ID); p.Status != http.StatusNotFound {
		t.Errorf("draft for the public: status %d", p.Status)
	}
	if p := anon.Get("/dashboard"); !strings.Contains(p.URL, "/login?next=%2Fdashboard") {
		t.Errorf("dashboard for the public went to %s", p.URL)
	}

	// A published need, with its budget, is for signed-in people only.
	need := &marketplace.Listing{Kind: marketplace.KindNeed, Title: "Tenants' leaflets wanted", Category: "print-runs", Postcode: "HX7 8AD",
		PriceMinPence: 43_210, PriceMaxPence: 56_780, PriceUnit: "job"}
	if err := s.Service.CreateListing(webtest.As(ua), need); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Service.PublishListing(webtest.As(ua), need.ID, need.Version); err != nil {
		t.Fatal(err)
	}
	if p := anon.Get("/listings/" + need.ID); p.Status != http.StatusNotFound || strings.Contains(p.Body, need.Title) || strings.Contains(p.Body, "£432.10") {
		t.Errorf("a need for the public: status %d", p.Status)
	}
	if p := b.Get("/listings/" + need.ID); p.Status != http.StatusOK || !strings.Contains(p.Text(), "£432.10") {
		t.Errorf("a need for a signed-in member: status %d", p.Status)
	}
}

func TestSession(t *testing.T) {
	s := webtest.NewServer(t, webtest.Options{})
	_, _, ua, _ := twoMembers(t, s)

	t.Run("Cookie", func(t *testing.T) {
		c := s.NewClient(t)
		c.Get("/login")
		c.NoRedirects = true
		p := c.Post("/login", url.Values{"email": {ua.Email}, "password": {webtest.Password}, "next": {"/listings/new"}})
		if p.Status != http.StatusSeeOther || p.Header.Get("Location") != "/listings/new" {
			t.Fatalf("status %d, location %q", p.Status, p.Header.Get("Location"))
		}
		cookie := sessionCookie(t, p.Header)
		for _, attr := range []string{"httponly", "samesite=lax", "path=/"} {
			if !strings.Contains(strings.ToLower(cookie), attr) {
				t.Errorf("session cookie %q lacks %s", cookie, attr)
			}
		}
		if strings.Contains(strings.ToLower(cookie), "secure") {
			t.Errorf("session cookie %q is Secure on http", cookie)
		}
	})
	t.Run("SecureOnHTTPS", func(t *testing.T) {
		s := webtest.NewServer(t, webtest.Options{BaseURL: "https://market.example.coop"})
		_, u := s.AddMember(t, &marketplace.Member{Name: "Secure Co-op", Email: "hello@secure.example", Postcode: "M1"})
		c := s.NewClient(t)
		c.Get("/login")
		c.NoRedirects = true
		p := c.Post("/login", url.Values{"email": {u.Email}, "password": {webtest.Password}})
		if cookie := sessionCookie(t, p.Header); !strings.Contains(strings.ToLower(cookie), "; secure") {
			t.Errorf("session cookie %q is not Secure with an https base URL", cookie)
		}
	})
	t.Run("NextStaysHere", func(t *testing.T) {
		for _, next := range []string{"https://evil.example/", "//evil.example/", "/\\evil.example"} {
			c := s.NewClient(t)
			c.NoRedirects = true
			c.Get("/login")
			p := c.Post("/login", url.Values{"email": {ua.Email}, "password": {webtest.Password}, "next": {next}})
			if loc := p.Header.Get("Location"); loc != "/dashboard" {
				t.Errorf("next %q: location %q", next, loc)
			}
		}
	})
	t.Run("Guessing", func(t *testing.T) {
		_, u := s.AddMember(t, &marketplace.Member{Name: "Guessed Co-op", Email: "hello@guessed.example", Postcode: "M1"})
		c := s.NewClient(t)
		for range marketplace.PasswordGuessesPerAddress {
			c.Get("/login")
			c.Post("/login", url.Values{"email": {u.Email}, "password": {"not the password"}})
		}
		c.Get("/login")
		p := c.Post("/login", url.Values{"email": {u.Email}, "password": {webtest.Password}})
		if p.Status != http.StatusTooManyRequests || !strings.Contains(p.Text(), "too many wrong passwords for this account") {
			t.Fatalf("status %d\n%.600s", p.Status, p.Text())
		}
	})
	t.Run("WrongPassword", func(t *testing.T) {
		c := s.NewClient(t)
		c.Get("/login")
		p := c.Post("/login", url.Values{"email": {ua.Email}, "password": {"not the password"}})
		if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Text(), "The e-mail address or password is not right") {
			t.Fatalf("status %d\n%.600s", p.Status, p.Text())
		}
		if !strings.Contains(p.Body, `value="`+ua.Email+`"`) {
			t.Errorf("the e-mail address typed is not kept")
		}
	})
	t.Run("SignOut", func(t *testing.T) {
		c := s.NewClient(t)
		c.SignIn(ua.Email, webtest.Password)
		p := c.Post("/logout", url.Values{})
		if !strings.Contains(p.Text(), "You are signed out.") {
			t.Fatalf("after signing out: %d %s", p.Status, p.URL)
		}
		if p := c.Get("/dashboard"); !strings.Contains(p.URL, "/login") {
			t.Errorf("still signed in after signing out: %s", p.URL)
		}
	})
	t.Run("RateLimited", func(t *testing.T) {
		s := webtest.NewServer(t, webtest.Options{LoginsPerMinute: 3})
		c := s.NewClient(t)
		c.Get("/login")
		var last webtest.Page
		for range 4 {
			last = c.Post("/login", url.Values{"email": {"nobody@example.coop"}, "password": {"wrong password"}})
		}
		if last.Status != http.StatusTooManyRequests || !strings.Contains(last.Text(), "Too many attempts") {
			t.Fatalf("fourth attempt in a minute: status %d", last.Status)
		}
	})
	t.Run("QueueMonitorTakesTheCookie", func(t *testing.T) {
		staff := s.NewClient(t)
		staff.SignIn("staff@federation.example", webtest.StaffPassword)
		if p := staff.Get("/staff/queues/"); p.Status != http.StatusOK || !strings.Contains(p.Body, "<html") {
			t.Errorf("queue monitor for staff: %d", p.Status)
		}
		staff.Header("Sec-Fetch-Site", "cross-site")
		if p := staff.Post("/staff/queues/api/queues/default:pause", url.Values{}); p.Status != http.StatusForbidden {
			t.Errorf("a change from another site with the cookie: status %d", p.Status)
		}
		member := s.NewClient(t)
		member.SignIn(ua.Email, webtest.Password)
		if p := member.Get("/staff/queues/"); p.Status != http.StatusForbidden {
			t.Errorf("queue monitor for a member: %d", p.Status)
		}
	})
}

func sessionCookie(t *testing.T, h http.Header) string {
	t.Helper()
	for _, c := range h.Values("Set-Cookie") {
		if strings.HasPrefix(c, "cms=") && !strings.HasPrefix(c, "cms=;") {
			return c
		}
	}
	t.Fatalf("no session cookie in %q", h.Values("Set-Cookie"))
	return ""
}

func TestLanguage(t *testing.T) {
	s := webtest.NewServer(t, webtest.Options{})
	_, ua := s.AddMember(t, &marketplace.Member{Name: "Abertawe Bakers", Email: "helo@bakers.example", Postcode: "SA1 1AA", Sectors: []string{"food-catering"}})
	l := s.Publish(t, ua, &marketplace.Listing{Kind: marketplace.KindOffer, Title: "Bara surdoes i gaffis", Category: "bakery", Postcode: "SA1 1AA", RadiusKM: 30, PriceMinPence: 125050, PriceMaxPence: 125050, PriceUnit: "week"})

	c := s.NewClient(t)
	c.Lang = "cy-GB,cy;q=0.9,en;q=0.5"
	p := c.Get("/listings/" + l.ID)
	if !strings.Contains(p.Body, `<html lang="cy">`) || !strings.Contains(p.Text(), "Abertawe") || !strings.Contains(p.Text(), "£1,250.50 yr wythnos") {
		t.Fatalf("Welsh from Accept-Language:\n%.1500s", p.Text())
	}
	if !regexp.MustCompile(`Cyhoeddwyd \d{1,2} (Ionawr|Chwefror|Mawrth|Ebrill|Mai|Mehefin|Gorffennaf|Awst|Medi|Hydref|Tachwedd|Rhagfyr) \d{4}`).MatchString(p.Text()) {
		t.Errorf("no Welsh date:\n%.1500s", p.Text())
	}
	// The switch wins over Accept-Language, and is remembered.
	p = c.Get("/listings/" + l.ID + "?lang=en")
	if !strings.Contains(p.Body, `<html lang="en">`) || !strings.Contains(p.Text(), "£1,250.50 a week") || !strings.Contains(p.Text(), "Swansea") {
		t.Fatalf("English by the switch:\n%.1500s", p.Text())
	}
	if p := c.Get("/"); !strings.Contains(p.Body, `<html lang="en">`) {
		t.Errorf("the choice of English is not remembered")
	}
	// Every page has the switch to the other language, at its own address.
	p = c.Get("/search?q=bara&sort=newest")
	if !strings.Contains(p.Body, `href="/search?lang=cy&amp;q=bara&amp;sort=newest" lang="cy" hreflang="cy">Cymraeg</a>`) {
		t.Errorf("no switch to Welsh on the search page:\n%.3000s", p.Body)
	}
	// Open Graph and the other tags of a shared link.
	p = c.Get("/listings/" + l.ID)
	for _, want := range []string{
		`<meta property="og:title" content="Bara surdoes i gaffis">`,
		`<meta property="og:url" content="` + s.URL + `/listings/` + l.ID + `">`,
		`<meta property="og:locale" content="en_GB">`,
		`<link rel="alternate" hreflang="cy" href="` + s.URL + `/listings/` + l.ID + `?lang=cy">`,
		`<meta name="description" content="Offer from Abertawe Bakers in Bakery.">`,
	} {
		if !strings.Contains(p.Body, want) {
			t.Errorf("listing page lacks %s", want)
		}
	}
}

func TestNotFound(t *testing.T) {
	s := webtest.NewServer(t, webtest.Options{})
	c := s.NewClient(t)
	if p := c.Get("/no/such/page"); p.Status != http.StatusNotFound || !strings.Contains(p.Body, "<h1>Page not found</h1>") {
		t.Errorf("a page that does not exist: %d\n%.300s", p.Status, p.Body)
	}
	for _, path := range []string{"/listings/5f0000000000000000000099", "/listings/not-an-id", "/coops/nobody"} {
		if p := c.Get(path); p.Status != http.StatusNotFound {
			t.Errorf("%s: %d", path, p.Status)
		}
	}
	res, err := http.Get(s.URL + "/v1/no/such/thing")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if ct := res.Header.Get("Content-Type"); res.StatusCode != http.StatusNotFound || ct != "application/problem+json" {
		t.Errorf("API not found: %d %s", res.StatusCode, ct)
	}
}

func TestSearchPages(t *testing.T) {
	s := webtest.NewServer(t, webtest.Options{})
	_, u := s.AddMember(t, &marketplace.Member{Name: "Many Listings Co-op", Email: "hello@many.example", Postcode: "LS6 1AA", Sectors: []string{"creative-media"}})
	var ids []string
	for i := range 23 {
		l := &marketplace.Listing{Kind: marketplace.KindOffer, Title: "Photography of events, number " + string(rune('A'+i)), Category: "photography", Postcode: "LS6", RadiusKM: 50}
		if err := s.Service.CreateListing(webtest.As(u), l); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Service.PublishListing(webtest.As(u), l.ID, l.Version); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, l.ID)
	}
	for _, id := range ids {
		s.WaitIndexed(t, id)
	}
	c := s.NewClient(t)

	t.Run("Pages", func(t *testing.T) {
		p := c.Get("/search?q=photography")
		if !strings.Contains(p.Text(), "23 results") || strings.Count(p.Body, `class="card hit"`) != 20 {
			t.Fatalf("first page:\n%.1000s", p.Text())
		}
		next := regexp.MustCompile(`<a href="([^"]+)" rel="next">`).FindStringSubmatch(p.Body)
		if next == nil {
			t.Fatalf("no link to the next page")
		}
		p = c.Get(strings.ReplaceAll(next[1], "&amp;", "&"))
		if strings.Count(p.Body, `class="card hit"`) != 3 || !strings.Contains(p.Body, `rel="prev"`) || strings.Contains(p.Body, `rel="next"`) {
			t.Fatalf("second page:\n%.1500s", p.Text())
		}
		if !strings.Contains(p.Body, `aria-current="page"><span class="visually-hidden">Page </span>2</a>`) {
			t.Errorf("the second page is not marked as current")
		}
		// A cursor of another search starts from the first page.
		stale := regexp.MustCompile(`cursor=([^&"]+)`).FindStringSubmatch(next[1])[1]
		p = c.Get("/search?q=events&cursor=" + stale)
		if p.Status != http.StatusOK || strings.Count(p.Body, `class="card hit"`) != 20 {
			t.Errorf("stale cursor: %d", p.Status)
		}
	})
	t.Run("Errors", func(t *testing.T) {
		p := c.Get("/search?q=photography&near=ZZ9&price_min=abc")
		if p.Status != http.StatusBadRequest {
			t.Fatalf("status %d", p.Status)
		}
		for _, want := range []string{
			`<a href="#f-near">Near: Enter a UK postcode or the start of one, like LS6 1AA, LS6 or LS</a>`,
			`<a href="#f-price-min">Lowest price (£): Enter an amount in pounds, like 250 or 12.50</a>`,
			`id="f-near" name="near" value="ZZ9"`,
			`aria-describedby="f-near-hint f-near-error" aria-invalid="true"`,
		} {
			if !strings.Contains(p.Body, want) {
				t.Errorf("the page lacks %s", want)
			}
		}
	})
	t.Run("NeedsForMembersOnly", func(t *testing.T) {
		p := s.NewClient(t).Get("/search?kind=need")
		if p.Status != http.StatusBadRequest || !strings.Contains(p.Text(), "Sign in to see needs as well as offers") {
			t.Errorf("needs for the public: %d\n%.800s", p.Status, p.Text())
		}
	})
	t.Run("Distance", func(t *testing.T) {
		p := c.Get("/search?q=photography&near=LS6&radius_km=25")
		if !strings.Contains(p.Text(), "Leeds (LS6)") || !strings.Contains(p.Text(), "Based 0 km away") {
			t.Errorf("no distance:\n%.800s", p.Text())
		}
	})
	t.Run("PricesInPounds", func(t *testing.T) {
		p := c.Get("/search?q=photography&price_max=£1,000")
		if p.Status != http.StatusOK || !strings.Contains(p.Text(), "Up to £1,000") {
			t.Errorf("price filter: %d\n%.800s", p.Status, p.Text())
		}
	})
}

// A near search says of each result whether the supplier is based near or
// serves the place from further away, in English and Welsh, and lets the
// buyer ask for suppliers based near only.
func TestSearchSaysBasedOrServing(t *testing.T) {
	s := webtest.NewServer(t, webtest.Options{})
	add := func(name, postcode string, radius int) {
		_, u := s.AddMember(t, &marketplace.Member{Name: name, Email: "hello@" + strings.ToLower(strings.Fields(name)[0]) + ".example",
			Postcode: postcode, Sectors: []string{"creative-media"}})
		l := &marketplace.Listing{Kind: marketplace.KindOffer, Title: "Photography of events by " + name, Category: "photography", Postcode: postcode, RadiusKM: radius}
		if err := s.Service.CreateListing(webtest.As(u), l); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Service.PublishListing(webtest.As(u), l.ID, l.Version); err != nil {
			t.Fatal(err)
		}
		s.WaitIndexed(t, l.ID)
	}
	add("Headingley Photo Co-op", "LS6 1AA", 10)
	add("Digbeth Photo Co-op", "B1 1BB", 200)
	c := s.NewClient(t)

	p := c.Get("/search?q=photography&near=LS1+4AP&radius_km=25")
	for _, want := range []string{"Based 2.5 km away", "Serves Leeds from Birmingham, 148 km"} {
		if !strings.Contains(p.Text(), want) {
			t.Errorf("the page lacks %q:\n%.1500s", want, p.Text())
		}
	}
	p = c.Get("/search?q=photography&near=LS1+4AP&radius_km=25&lang=cy")
	for _, want := range []string{"Wedi'i leoli 2.5 km i ffwrdd", "Yn gwasanaethu Leeds o Birmingham, 148 km"} {
		if !strings.Contains(p.Text(), want) {
			t.Errorf("the Welsh page lacks %q:\n%.1500s", want, p.Text())
		}
	}
	p = c.Get("/search?q=photography&near=LS1+4AP&radius_km=25&serving=false&lang=en")
	if !strings.Contains(p.Text(), "Headingley") || strings.Contains(p.Text(), "Digbeth") || !strings.Contains(p.Text(), "Based within the distance only") {
		t.Errorf("suppliers based near only:\n%.1500s", p.Text())
	}
	p = c.Get("/search?q=photography&region=west-midlands")
	if strings.Contains(p.Text(), "Headingley") || !strings.Contains(p.Text(), "Digbeth") {
		t.Errorf("the West Midlands only:\n%.1500s", p.Text())
	}
	// The postcode data's licence asks for its attribution.
	p = c.Get("/accessibility")
	for _, want := range []string{
		"Contains OS data © Crown copyright and database right 2025", "Open Government Licence",
		"Contains LPS Intellectual Property © Crown copyright and database right 2016",
		"Contains public sector information from the Food Standards Agency licensed under the Open Government Licence v3.0",
	} {
		if !strings.Contains(p.Text(), want) {
			t.Errorf("the accessibility page lacks the postcode data's attribution %q:\n%.3000s", want, p.Text())
		}
	}
}
