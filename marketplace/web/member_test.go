package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"cooptrade/marketplace"
	"cooptrade/marketplace/web/webtest"
	"cooptrade/payments"
)

func TestListingForms(t *testing.T) {
	s := webtest.NewServer(t, webtest.Options{})
	_, u := s.AddMember(t, &marketplace.Member{Name: "Kirkstall Joinery", Email: "hello@joinery.example", Postcode: "LS5 3BT", Sectors: []string{"construction-housing"}})
	c := s.NewClient(t)
	c.SignIn(u.Email, webtest.Password)
	c.Get("/listings/new?kind=need")
	p := c.Post("/listings/new", url.Values{
		"kind": {"need"}, "title": {"Oak boards for a staircase"}, "category": {"carpentry-joinery"}, "postcode": {"LS5"},
		"radius_km": {"999"}, // a need has no radius: ignored
		"price_min": {"300"}, "price_max": {"200"}, "price_unit": {"job"}, "deadline": {"2001-01-01"},
	})
	if p.Status != http.StatusUnprocessableEntity {
		t.Fatalf("status %d", p.Status)
	}
	for _, want := range []string{
		`<a href="#f-price-min">Lowest price (£): The lowest price must not be more than the highest</a>`,
		`<a href="#f-deadline">Needed by: Enter a date in the future</a>`,
		`id="f-kind-need" name="kind" value="need" checked`,
		`name="deadline" value="2001-01-01"`,
	} {
		if !strings.Contains(p.Body, want) {
			t.Errorf("the form lacks %s", want)
		}
	}
	if strings.Contains(p.Body, "#f-radius-km") {
		t.Errorf("a need's radius was checked")
	}
	p = c.Post("/listings/new", url.Values{
		"kind": {"need"}, "title": {"Oak boards for a staircase"}, "category": {"carpentry-joinery"}, "postcode": {"LS5"},
		"price_min": {"200"}, "price_max": {"300"}, "price_unit": {"job"}, "deadline": {"2099-03-01"},
	})
	if p.Status != http.StatusOK || !strings.Contains(p.Text(), "£200 to £300 for the job") || !strings.Contains(p.Text(), "Needed by 1 March 2099") {
		t.Fatalf("posted need: %d\n%.1500s", p.Status, p.Text())
	}
	id := strings.TrimPrefix(strings.SplitN(strings.TrimPrefix(p.URL, s.URL), "?", 2)[0], "/listings/")

	t.Run("Edit", func(t *testing.T) {
		p := c.Get("/listings/" + id + "/edit")
		version := regexp.MustCompile(`name="version" value="(\d+)"`).FindStringSubmatch(p.Body)[1]
		form := url.Values{"kind": {"need"}, "version": {version}, "title": {"Oak and ash boards for a staircase"}, "category": {"carpentry-joinery"},
			"postcode": {"LS5"}, "price_min": {"200"}, "price_max": {"350"}, "price_unit": {"job"}, "tags": {"oak, ash"}}
		p = c.Post("/listings/"+id+"/edit", form)
		if !strings.Contains(p.Text(), "Your changes are saved.") || !strings.Contains(p.Text(), "Oak and ash boards") || strings.Contains(p.Text(), "Needed by") {
			t.Fatalf("after editing: %d\n%.1500s", p.Status, p.Text())
		}
		// The same form again is stale: the listing says so and keeps
		// what was typed.
		form.Set("title", "A stale change")
		p = c.Post("/listings/"+id+"/edit", form)
		if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Text(), "Someone changed this listing while you were editing it") || !strings.Contains(p.Body, `value="A stale change"`) {
			t.Fatalf("stale edit: %d\n%.1500s", p.Status, p.Text())
		}
	})
	t.Run("PublishPauseClose", func(t *testing.T) {
		for _, step := range []struct{ action, flash, status string }{
			{"publish", "Your listing is published", "Published"},
			{"pause", "Your listing is paused", "Paused"},
			{"publish", "Your listing is published", "Published"},
			{"close", "Your listing is closed", "Closed"},
		} {
			p := c.Get("/listings/" + id)
			version := regexp.MustCompile(`action="/listings/` + id + `/` + step.action + `"[^>]*>\s*<input type="hidden" name="csrf" value="[^"]+"><input type="hidden" name="version" value="(\d+)">`).FindStringSubmatch(p.Body)
			if version == nil {
				t.Fatalf("no %s button:\n%.2000s", step.action, p.Body)
			}
			p = c.Post("/listings/"+id+"/"+step.action, url.Values{"version": {version[1]}})
			if !strings.Contains(p.Text(), step.flash) || !strings.Contains(p.Text(), "Status: "+step.status) {
				t.Fatalf("%s: %d\n%.1200s", step.action, p.Status, p.Text())
			}
		}
		if p := c.Get("/listings/" + id + "/edit"); p.Status != http.StatusConflict {
			t.Errorf("editing a closed listing: status %d", p.Status)
		}
	})
	t.Run("MayNotPost", func(t *testing.T) {
		_, lapsed := s.AddMember(t, &marketplace.Member{Name: "Lapsed Co-op", Email: "hello@lapsed.example", Postcode: "M1", Standing: marketplace.StandingLapsed})
		c := s.NewClient(t)
		c.SignIn(lapsed.Email, webtest.Password)
		p := c.Get("/listings/new")
		if !strings.Contains(p.Text(), "membership dues are unpaid") || strings.Contains(p.Body, `name="title"`) {
			t.Errorf("the form for a lapsed member:\n%.1200s", p.Text())
		}
	})
}

func TestSettings(t *testing.T) {
	s := webtest.NewServer(t, webtest.Options{})
	_, u := s.AddMember(t, &marketplace.Member{Name: "Webhook Co-op", Email: "hello@webhook.example", Postcode: "BS1"})
	c := s.NewClient(t)
	c.SignIn(u.Email, webtest.Password)

	t.Run("Preferences", func(t *testing.T) {
		c.Get("/settings/notifications")
		p := c.Post("/settings/notifications", url.Values{"pref": {"match.new|inbox", "alert|email"}})
		if !strings.Contains(p.Text(), "Your notification settings are saved.") {
			t.Fatalf("%d\n%.800s", p.Status, p.Text())
		}
		prefs, err := s.Service.MyPreferences(webtest.As(u))
		if err != nil {
			t.Fatal(err)
		}
		if !prefs["match.new"]["inbox"] || prefs["match.new"]["email"] || !prefs["alert"]["email"] || prefs["alert"]["inbox"] {
			t.Errorf("preferences: %v", prefs)
		}
		if !strings.Contains(p.Body, `value="alert|email" checked`) || strings.Contains(p.Body, `value="alert|inbox" checked`) {
			t.Errorf("the boxes do not show the preferences")
		}
	})
	t.Run("Webhook", func(t *testing.T) {
		c.Get("/settings/webhook")
		p := c.Post("/settings/webhook", url.Values{"url": {"http://hooks.example/in"}})
		if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, `<a href="#f-url">Address (URL): Enter an https:// address on the public internet</a>`) {
			t.Fatalf("plain http: %d\n%.1200s", p.Status, p.Text())
		}
		p = c.Post("/settings/webhook", url.Values{"url": {"https://hooks.example/in"}, "types": {"match.new"}})
		secret := regexp.MustCompile(`<code class="secret">(whsec_[^<]+)</code>`).FindStringSubmatch(p.Body)
		if secret == nil || !strings.Contains(p.Text(), "Your webhook is saved.") {
			t.Fatalf("no secret shown:\n%.1200s", p.Text())
		}
		p = c.Get("/settings/webhook")
		if strings.Contains(p.Body, secret[1]) || !strings.Contains(p.Body, `value="https://hooks.example/in"`) || !strings.Contains(p.Body, `value="match.new" checked`) {
			t.Errorf("the webhook page afterwards:\n%.1200s", p.Text())
		}
		p = c.Post("/settings/webhook/delete", url.Values{})
		if !strings.Contains(p.Text(), "Your webhook is removed.") {
			t.Errorf("after removing: %.600s", p.Text())
		}
	})
}

func TestDuesThroughStripe(t *testing.T) {
	s := webtest.NewServer(t, webtest.Options{Stripe: true})
	m, u := s.AddMember(t, &marketplace.Member{Name: "Paying Co-op", Email: "hello@paying.example", Postcode: "OX1", Standing: marketplace.StandingAwaitingPayment})
	labour := int64(50_000_000)
	app, err := s.Payments.Apply(webtest.As(u), payments.ApplicationInput{LabourCostsPence: &labour})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Payments.DecideApplication(s.Staff(), app.ID, payments.Decision{Status: payments.ApplicationApproved}); err != nil {
		t.Fatal(err)
	}
	c := s.NewClient(t)
	c.SignIn(u.Email, webtest.Password)
	p := c.Get("/dashboard")
	if !strings.Contains(p.Text(), "Awaiting payment") || !strings.Contains(p.Body, `action="/dues/checkout"`) {
		t.Fatalf("dues of %s on the dashboard:\n%.2000s", m.Name, p.Text())
	}
	c.NoRedirects = true
	p = c.Post("/dues/checkout", url.Values{})
	loc, err := url.Parse(p.Header.Get("Location"))
	if p.Status != http.StatusSeeOther || err != nil || loc.Scheme != "https" {
		t.Fatalf("pay dues: %d to %q", p.Status, p.Header.Get("Location"))
	}
	// Having paid, the member is back with a word of thanks.
	c.NoRedirects = false
	if p := c.Get("/dues?checkout=success"); !strings.Contains(p.Text(), "Thank you. Your payment is being confirmed") {
		t.Errorf("back from Checkout:\n%.1000s", p.Text())
	}
	// An editor does not pay: no buttons.
	editor, err := s.Service.AddUser(s.Staff(), m.ID, marketplace.NewUser{Email: "editor@paying.example", Password: webtest.Password, Role: marketplace.RoleEditor})
	if err != nil {
		t.Fatal(err)
	}
	e := s.NewClient(t)
	e.SignIn(editor.Email, webtest.Password)
	if p := e.Get("/dues"); strings.Contains(p.Body, `action="/dues/checkout"`) || !strings.Contains(p.Text(), "The owners of your co-operative's account pay the dues.") {
		t.Errorf("dues for an editor:\n%.1200s", p.Text())
	}
}
