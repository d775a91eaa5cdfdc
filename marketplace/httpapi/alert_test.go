package httpapi_test

import (
	"context"
	"errors"
	"net/netip"
	"net/url"
	"strings"
	"testing"

	"cooptrade/marketplace"
	"cooptrade/search"
)

// publicDNS resolves the test's webhook hosts: those under internal.example
// to a private address, the rest of example to a public one.
func publicDNS(_ context.Context, host string) ([]netip.Addr, error) {
	switch {
	case strings.HasSuffix(host, ".internal.example"):
		return []netip.Addr{netip.MustParseAddr("10.20.30.40")}, nil
	case strings.HasSuffix(host, ".example"):
		return []netip.Addr{netip.MustParseAddr("93.184.215.14")}, nil
	}
	return nil, errors.New("no such host")
}

// alertsScenario is the contract scenario's part for saved searches and
// webhooks: sam owns the member at memberPath, ada owns another.
func alertsScenario(t *testing.T, c *contract, ts *testServer, staff, sam, ada, memberPath string) {
	t.Helper()

	// Saving searches.
	save := map[string]any{"name": "Leaflet printers near Leeds", "query": "q=leaflets&kind=offer&near=LS6&radius_km=30", "frequency": "daily"}
	var alert marketplace.Alert
	res := c.do(t, "POST", "/v1/alerts", sam, save).must(t, 201)
	res.decode(t, &alert)
	alertPath := "/v1/alerts/" + alert.ID
	if got := res.Header.Get("Location"); got != alertPath {
		t.Errorf("POST /v1/alerts: Location %q; want %q", got, alertPath)
	}
	wantProblemFields(t, c.do(t, "POST", "/v1/alerts", sam, map[string]any{"query": "kind=gift&near=ZZ9"}).must(t, 400), "query.kind", "query.near")
	wantProblemFields(t, c.do(t, "POST", "/v1/alerts", sam, map[string]any{"query": "colour=red"}).must(t, 400), "query.colour")
	wantProblemFields(t, c.doBreaking(t, "POST", "/v1/alerts", sam, map[string]any{"query": "q=leaflets", "frequency": "hourly"}).must(t, 400), "frequency")
	c.doBreaking(t, "POST", "/v1/alerts", sam, map[string]any{"name": "No query"}).must(t, 400)
	c.doBreaking(t, "POST", "/v1/alerts", "", save).must(t, 401)
	c.doBreaking(t, "POST", "/v1/alerts", sam, "query=q%3Dleaflets", "Content-Type", "application/x-www-form-urlencoded").must(t, 415)
	c.doBreaking(t, "POST", "/v1/alerts", sam, withValues(save, "name", strings.Repeat("leaflets ", 10_000))).must(t, 413)
	c.do(t, "GET", "/v1/alerts", sam, nil).must(t, 200)
	c.doBreaking(t, "GET", "/v1/alerts", "", nil).must(t, 401)
	c.do(t, "GET", alertPath, sam, nil).must(t, 200)
	c.do(t, "GET", alertPath, ada, nil).must(t, 404)

	// Changing one.
	c.do(t, "PATCH", alertPath, sam, map[string]any{"paused": true, "frequency": "weekly"}, "If-Match", `"1"`).must(t, 200)
	c.do(t, "PATCH", alertPath, sam, map[string]any{"paused": false}, "If-Match", `"1"`).must(t, 412)
	wantProblemFields(t, c.doBreaking(t, "PATCH", alertPath, sam, map[string]any{"query": "q=posters"}).must(t, 400), "query")
	c.do(t, "PATCH", alertPath, ada, map[string]any{"paused": true}).must(t, 404)

	// Seeding from the member's offers: one published offer, one alert.
	offer := ts.publishedListing(t, sam, offerBody("Risograph zines, short runs"))
	var seeded struct{ Items []marketplace.Alert }
	c.do(t, "POST", "/v1/alerts/from-listings", sam, map[string]any{"frequency": "weekly"}).must(t, 200).decode(t, &seeded)
	if len(seeded.Items) != 1 || seeded.Items[0].SourceListingID != offer.ID || !strings.Contains(seeded.Items[0].Query, "kind=need") {
		t.Errorf("seeding from one offer: %+v", seeded.Items)
	}
	c.do(t, "POST", "/v1/alerts/from-listings", sam, nil).must(t, 200).decode(t, &seeded)
	if len(seeded.Items) != 0 {
		t.Errorf("seeding again added %d alerts", len(seeded.Items))
	}
	c.do(t, "POST", "/v1/alerts/from-listings", staff, nil).must(t, 403)
	c.doBreaking(t, "POST", "/v1/alerts/from-listings", sam, map[string]any{"frequency": "monthly"}).must(t, 400)

	// Unsubscribing from an alert's e-mails, without signing in, pauses it.
	var me marketplace.User
	c.do(t, "GET", "/v1/me", sam, nil).must(t, 200).decode(t, &me)
	c.do(t, "PATCH", alertPath, sam, map[string]any{"paused": false}).must(t, 200)
	unsub := "/unsubscribe?token=" + url.QueryEscape(marketplace.UnsubscribeToken(ts.Service.Secret, me.ID, "alert:"+alert.ID))
	c.do(t, "POST", unsub, "", nil, "Accept", "application/json").must(t, 200)
	c.do(t, "GET", alertPath, sam, nil).must(t, 200).decode(t, &alert)
	if !alert.Paused {
		t.Error("unsubscribing from the alert's e-mails did not pause it")
	}

	// Deleting.
	c.do(t, "DELETE", alertPath, ada, nil).must(t, 404)
	c.do(t, "DELETE", alertPath, sam, nil).must(t, 204)
	c.do(t, "DELETE", alertPath, sam, nil).must(t, 404)
	c.doBreaking(t, "DELETE", alertPath, "", nil).must(t, 401)

	// The member's webhook.
	hookPath := memberPath + "/webhook"
	hook := map[string]any{"url": "https://hooks.caldervalleyprint.example/marketplace", "types": []string{"match.new"}}
	c.do(t, "GET", hookPath, sam, nil).must(t, 404)
	var made struct{ Secret string }
	c.do(t, "PUT", hookPath, sam, hook).must(t, 200).decode(t, &made)
	if !strings.HasPrefix(made.Secret, marketplace.WebhookSecretPrefix) {
		t.Errorf("PUT %s: secret %q; want it shown once", hookPath, made.Secret)
	}
	var shown map[string]any
	c.do(t, "GET", hookPath, sam, nil).must(t, 200).decode(t, &shown)
	if _, ok := shown["secret"]; ok {
		t.Errorf("GET %s shows the secret", hookPath)
	}
	c.do(t, "GET", hookPath, staff, nil).must(t, 200)
	c.do(t, "GET", hookPath, ada, nil).must(t, 403)
	c.doBreaking(t, "GET", hookPath, "", nil).must(t, 401)
	wantProblemFields(t, c.do(t, "PUT", hookPath, sam, map[string]any{"url": "https://hooks.internal.example/marketplace"}).must(t, 400), "url")
	wantProblemFields(t, c.do(t, "PUT", hookPath, sam, map[string]any{"url": "http://hooks.caldervalleyprint.example/marketplace"}).must(t, 400), "url")
	wantProblemFields(t, c.doBreaking(t, "PUT", hookPath, sam, map[string]any{"url": "https://hooks.caldervalleyprint.example/", "types": []string{"gossip"}}).must(t, 400), "types[0]")
	c.doBreaking(t, "PUT", hookPath, sam, map[string]any{"types": []string{"match.new"}}).must(t, 400)
	c.doBreaking(t, "PUT", hookPath, sam, "url=https://x.example", "Content-Type", "text/plain").must(t, 415)
	c.doBreaking(t, "PUT", hookPath, sam, withValues(hook, "url", "https://hooks.example/"+strings.Repeat("x", 70_000))).must(t, 413)
	c.do(t, "PUT", hookPath, staff, hook).must(t, 403)
	c.do(t, "PUT", "/v1/members/0123456789abcdef01234567/webhook", sam, hook).must(t, 404)
	c.do(t, "DELETE", hookPath, ada, nil).must(t, 403)
	c.do(t, "DELETE", hookPath, sam, nil).must(t, 204)
	c.do(t, "DELETE", hookPath, sam, nil).must(t, 404)
}

func TestAlertsAPI(t *testing.T) {
	ts := newTestServer(t, options{})
	ctx := context.Background()
	staff := ts.staffToken(t)
	kitchenM, kitchen := ts.memberWithOwner(t, staff, "Chapeltown Kitchen", marketplace.StandingActive)
	_, printer := ts.memberWithOwner(t, staff, "Leeds Print Workers", marketplace.StandingActive)

	t.Run("Create", func(t *testing.T) {
		var a marketplace.Alert
		ts.do(t, "POST", "/v1/alerts", kitchen, map[string]any{"query": "?q=leaflets&kind=need&near=LS6+1AA&radius_km=30"}).must(t, 201).decode(t, &a)
		if a.Frequency != marketplace.AlertDaily || a.Query != "q=leaflets&kind=need&near=LS6+1AA&radius_km=30" ||
			a.Name != "“leaflets”, needs, within 30 km of LS6 1AA" || a.MemberID != kitchenM.ID || a.Version != 1 {
			t.Fatalf("saved: %+v; want daily, the query as given without its ?, named after it", a)
		}
		p := ts.do(t, "POST", "/v1/alerts", kitchen, map[string]any{"query": "near=ZZ9&radius_km=0", "name": "bad\x01name"}).must(t, 400).problem(t)
		var fields []string
		for _, f := range p.Errors {
			fields = append(fields, f.Field)
		}
		if strings.Join(fields, ",") != "query.near,query.radius_km,name" {
			t.Fatalf("fields %v; want the query's parameters and the name", fields)
		}
		ts.do(t, "POST", "/v1/alerts", kitchen, map[string]any{"query": strings.Repeat("q=x&", 300)}).must(t, 400)
	})

	t.Run("OnlyMine", func(t *testing.T) {
		var a marketplace.Alert
		ts.do(t, "POST", "/v1/alerts", printer, map[string]any{"query": "q=catering", "frequency": "instant"}).must(t, 201).decode(t, &a)
		var list struct{ Items []marketplace.Alert }
		ts.do(t, "GET", "/v1/alerts", kitchen, nil).must(t, 200).decode(t, &list)
		for _, x := range list.Items {
			if x.ID == a.ID {
				t.Fatal("the kitchen sees the printers' alert")
			}
		}
		ts.do(t, "GET", "/v1/alerts/"+a.ID, kitchen, nil).must(t, 404)
		ts.do(t, "PATCH", "/v1/alerts/"+a.ID, kitchen, map[string]any{"paused": true}).must(t, 404)
		ts.do(t, "DELETE", "/v1/alerts/"+a.ID, kitchen, nil).must(t, 404)
		ts.do(t, "GET", "/v1/alerts/"+a.ID, printer, nil).must(t, 200)
	})

	t.Run("Limit", func(t *testing.T) {
		_, busy := ts.memberWithOwner(t, staff, "Busy Bees Co-op", marketplace.StandingActive)
		for i := range marketplace.MaxAlertsPerUser {
			ts.do(t, "POST", "/v1/alerts", busy, map[string]any{"query": "q=leaflets&min_price=" + strings.Repeat("1", 1+i%5)}).must(t, 201)
		}
		ts.do(t, "POST", "/v1/alerts", busy, map[string]any{"query": "q=one+too+many"}).must(t, 409)
	})

	t.Run("Seed", func(t *testing.T) {
		_, press := ts.memberWithOwner(t, staff, "Hebden Press", marketplace.StandingActive)
		near := ts.publishedListing(t, press, withValues(offerBody("Leaflets printed in Leeds"), "postcode", "LS9 8AB", "radius_km", 60))
		wide := ts.publishedListing(t, press, withValues(offerBody("Booklets, posted UK-wide"), "postcode", nil, "remote", true, "radius_km", nil))
		var draft marketplace.Listing
		ts.do(t, "POST", "/v1/listings", press, offerBody("A draft offer")).must(t, 201).decode(t, &draft)
		var seeded struct{ Items []marketplace.Alert }
		ts.do(t, "POST", "/v1/alerts/from-listings", press, nil).must(t, 200).decode(t, &seeded)
		queries := map[string]string{}
		for _, a := range seeded.Items {
			queries[a.SourceListingID] = a.Query
		}
		want := map[string]string{
			near.ID: "category=print-runs&kind=need&near=LS9&radius_km=60&remote=true",
			wide.ID: "category=print-runs&kind=need",
		}
		if len(queries) != 2 || queries[near.ID] != want[near.ID] || queries[wide.ID] != want[wide.ID] {
			t.Fatalf("seeded %v; want %v (the draft left out)", queries, want)
		}
		// The seeded search finds a need the offer could answer.
		sq, err := search.ParseSavedQuery(queries[near.ID])
		if err != nil {
			t.Fatal(err)
		}
		n := ts.publishedListing(t, kitchen, need("Leaflets for a tenants' union"))
		m, err := ts.Service.Members.FindMemberByID(ctx, n.MemberID)
		if err != nil {
			t.Fatal(err)
		}
		if !sq.Matches(&marketplace.AlertListing{Listing: n, Member: m}) {
			t.Fatalf("the seeded search %q does not find the need in %s", queries[near.ID], n.Area)
		}
	})

	t.Run("UnsubscribeLink", func(t *testing.T) {
		var a marketplace.Alert
		ts.do(t, "POST", "/v1/alerts", kitchen, map[string]any{"query": "q=risograph", "frequency": "instant"}).must(t, 201).decode(t, &a)
		ts.now = ts.now.Add(1e9) // published after the alert was saved
		l := ts.publishedListing(t, printer, offerBody("Risograph posters in two colours"))
		if err := ts.App.Alerts.EvaluateListing(ctx, l.ID, l.Version); err != nil {
			t.Fatal(err)
		}
		var me marketplace.User
		ts.do(t, "GET", "/v1/me", kitchen, nil).must(t, 200).decode(t, &me)
		mail, err := ts.Service.Notifications.FindNotificationByID(ctx, marketplace.NotificationKey("alert:"+a.ID+":"+l.ID, "user:"+me.ID, marketplace.ChannelEmail))
		if err != nil {
			t.Fatal(err)
		}
		link, err := url.Parse(mail.Unsubscribe)
		if err != nil || link.Path != "/unsubscribe" || !strings.Contains(mail.Text, mail.Unsubscribe) {
			t.Fatalf("the alert's e-mail has unsubscribe link %q", mail.Unsubscribe)
		}
		// Following the link shows a form and changes nothing.
		page := ts.do(t, "GET", link.RequestURI(), "", nil).must(t, 200)
		if csp := page.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") || !strings.Contains(csp, "default-src 'self'") ||
			page.Header.Get("X-Frame-Options") != "DENY" || page.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("the unsubscribe page's headers: %v", page.Header)
		}
		ts.do(t, "GET", "/v1/alerts/"+a.ID, kitchen, nil).must(t, 200).decode(t, &a)
		if a.Paused {
			t.Fatal("a GET of the unsubscribe link paused the alert")
		}
		// Someone else's token for the alert is refused.
		forged := marketplace.UnsubscribeToken(ts.Service.Secret, "6650b2f4c1a9e43d2f0a1b99", "alert:"+a.ID)
		ts.do(t, "POST", "/unsubscribe?token="+url.QueryEscape(forged), "", nil).must(t, 400)
		// The link opens the page in the language of the mail; the pages
		// word the form, and what was stopped, in Welsh too.
		if !strings.Contains(link.RequestURI(), "&lang=en") {
			t.Errorf("the unsubscribe link of an English mail does not say so: %s", link)
		}
		if cy := ts.do(t, "GET", strings.Replace(link.RequestURI(), "&lang=en", "&lang=cy", 1), "", nil).must(t, 200); !strings.Contains(string(cy.Body), "<h1>Dad-danysgrifio</h1>") {
			t.Errorf("the unsubscribe page in Welsh does not ask in Welsh:\n%s", cy.Body)
		}
		for range 2 { // twice: the second time is no error
			done := ts.do(t, "POST", link.RequestURI(), "", nil).must(t, 200)
			if !strings.Contains(string(done.Body), "is paused") {
				t.Errorf("the unsubscribe page does not say the saved search is paused:\n%s", done.Body)
			}
		}
		ts.do(t, "GET", "/v1/alerts/"+a.ID, kitchen, nil).must(t, 200).decode(t, &a)
		if !a.Paused {
			t.Fatal("the one-click POST did not pause the alert")
		}
		// A link of an alert since deleted still answers.
		ts.do(t, "DELETE", "/v1/alerts/"+a.ID, kitchen, nil).must(t, 204)
		ts.do(t, "POST", link.RequestURI(), "", nil).must(t, 200)
	})
}
