package browsertest_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"cooptrade/marketplace"
	"cooptrade/marketplace/web/webtest"
	"cooptrade/payments"
)

// staffFederation is what the staff's tests work on: a need and two offers
// that fit it, matched by the workers, and a co-op waiting for its dues to
// be decided.
type staffFederation struct {
	kitchen, printers, riso *marketplace.Member
	kitchenOwner            *marketplace.User
	need                    *marketplace.Listing
	offers                  []*marketplace.Listing
	matches                 []string
	pending                 *marketplace.Member
}

func seedStaff(t *testing.T, s *webtest.Server) *staffFederation {
	t.Helper()
	f := &staffFederation{}
	var printersOwner, risoOwner *marketplace.User
	f.kitchen, f.kitchenOwner = s.AddMember(t, &marketplace.Member{Name: "Chapeltown Kitchen", Email: "hello@kitchen.example",
		Postcode: "LS7 3AA", Sectors: []string{"food-catering"}})
	f.printers, printersOwner = s.AddMember(t, &marketplace.Member{Name: "Leeds Print Workers", Email: "hello@print.example",
		Postcode: "LS9 8AB", Sectors: []string{"printing-publishing"}})
	f.riso, risoOwner = s.AddMember(t, &marketplace.Member{Name: "Cardiff Riso Collective", Email: "helo@riso.example",
		Postcode: "CF24 2DG", Sectors: []string{"printing-publishing"}})
	deadline := time.Now().Add(60 * 24 * time.Hour)
	f.need = s.Publish(t, f.kitchenOwner, &marketplace.Listing{Kind: marketplace.KindNeed, Title: "5,000 A5 leaflets for a tenants' union",
		Description: "Full colour, recycled paper, delivered in Leeds.", Category: "print-runs", Tags: []string{"leaflets", "recycled paper"},
		Postcode: "LS7 3AA", PriceMinPence: 40000, PriceMaxPence: 60000, PriceUnit: "job", Deadline: &deadline})
	for _, o := range []struct {
		owner *marketplace.User
		l     *marketplace.Listing
	}{
		{printersOwner, &marketplace.Listing{Kind: marketplace.KindOffer, Title: "Leaflets and flyers on recycled paper",
			Description: "Short and long runs, full colour, delivered.", Category: "print-runs", Tags: []string{"leaflets", "recycled paper"},
			Postcode: "LS9 8AB", RadiusKM: 50, PriceMinPence: 30000, PriceMaxPence: 50000, PriceUnit: "job"}},
		{risoOwner, &marketplace.Listing{Kind: marketplace.KindOffer, Title: "Leaflets printed on recycled paper, posted anywhere",
			Description: "Full colour leaflets on recycled paper, posted UK-wide.", Category: "print-runs", Tags: []string{"leaflets", "recycled paper"},
			Remote: true, PriceMinPence: 30000, PriceMaxPence: 55000, PriceUnit: "job"}},
	} {
		l := s.Publish(t, o.owner, o.l)
		f.offers = append(f.offers, l)
		f.matches = append(f.matches, marketplace.MatchID(l.ID, f.need.ID))
	}
	for _, id := range f.matches {
		waitMatch(t, s, id)
	}

	// A co-op applies to join; its dues wait for staff.
	var pendingOwner *marketplace.User
	f.pending, pendingOwner = s.AddMember(t, &marketplace.Member{Name: "Hebden Wholefoods", Email: "hello@hebden.example",
		Postcode: "HX7 8AD", Standing: marketplace.StandingPending})
	labour := int64(40_000_000)
	if _, err := s.Payments.Apply(webtest.As(pendingOwner), payments.ApplicationInput{LabourCostsPence: &labour}); err != nil {
		t.Fatal(err)
	}
	return f
}

// waitMatch waits until the workers have made a match.
func waitMatch(t *testing.T, s *webtest.Server, id string) {
	t.Helper()
	for until := time.Now().Add(20 * time.Second); ; time.Sleep(25 * time.Millisecond) {
		if _, err := s.Service.Matches.FindMatchByID(context.Background(), id); err == nil {
			return
		}
		if time.Now().After(until) {
			t.Fatalf("no match %s after 20s", id)
		}
	}
}

// signInStaff signs the tab in as the server's staff user.
func signInStaff(t *testing.T, tab *webtest.Tab, lang string) {
	t.Helper()
	tab.ClearCookies()
	tab.Go("/login?lang=" + lang)
	tab.Fill("#f-email", "staff@federation.example")
	tab.Fill("#f-password", webtest.StaffPassword)
	if st := tab.Click(`main form[action="/login"] button[type=submit]`); st != 200 {
		t.Fatalf("staff sign in: status %d at %s", st, tab.Path())
	}
}

// inboxShows signs the tab in as a member's owner and waits for its inbox
// to show the text.
func inboxShows(t *testing.T, tab *webtest.Tab, owner *marketplace.User, lang, heading, text string) {
	t.Helper()
	tab.ClearCookies()
	tab.Go("/login?lang=" + lang)
	signIn(t, tab, owner.Email)
	if st := tab.Go("/inbox"); st != 200 {
		t.Fatalf("inbox: status %d", st)
	}
	if got := tab.Text("h1"); got != heading {
		t.Errorf("inbox heading %q; want %q", got, heading)
	}
	if got := tab.Text("main"); !strings.Contains(got, text) {
		t.Fatalf("the inbox of %s does not show %q:\n%s", owner.Email, text, got)
	}
}

func TestStaffPages(t *testing.T) {
	s := webtest.NewServer(t, webtest.Options{})
	f := seedStaff(t, s)
	b := sharedBrowser(t)
	tab := b.NewTab(t, s.URL, webtest.Desktop)

	t.Run("IntroduceAndInbox", func(t *testing.T) {
		signInStaff(t, tab, "en")
		if st := tab.Go("/staff"); st != 200 {
			t.Fatalf("/staff: status %d", st)
		}
		if got := tab.Text(".staff-tiles"); !strings.Contains(got, "2 new matches are waiting for review.") || !strings.Contains(got, "1 dues application is waiting") {
			t.Errorf("the staff's overview: %q", got)
		}
		tab.Check("staff-home")
		tab.ClickLink(".staff-nav", "Match queue")
		if got := tab.Text("h1"); got != "Match queue" {
			t.Fatalf("queue h1 %q", got)
		}
		id := f.matches[0]
		card := "#match-" + id
		if got := tab.Text(card); !strings.Contains(got, f.need.Title) || !strings.Contains(got, f.offers[0].Title) ||
			!strings.Contains(got, "Why they fit") || !strings.Contains(got, "Category: 30 of 30 points") {
			t.Fatalf("the match in the queue: %q", got)
		}
		tab.Check("staff-queue")

		// Dismissing without a reason: the error is summarised, focused,
		// and tied to the field of that match.
		tab.Click(card + ` form[action$="/dismiss"] button`)
		if got := tab.Text("#error-summary"); !strings.Contains(got, "Say why you are dismissing this match") {
			t.Fatalf("summary of errors: %q", got)
		}
		if got := tab.Focused(); got != "error-summary" {
			t.Errorf("focus is on %q, not on the summary of errors", got)
		}
		field := "f-reason-" + id
		attrs := webtest.Eval[[]string](tab, `[document.getElementById("`+field+`").getAttribute("aria-invalid"), document.getElementById("`+field+`").getAttribute("aria-describedby")]`)
		if attrs[0] != "true" || !strings.Contains(attrs[1], field+"-error") {
			t.Errorf("the reason field: %q", attrs)
		}
		tab.Check("staff-queue-error")

		// One click introduces them.
		tab.Fill("#f-note-"+id, "Both are Leeds co-ops; the printers did the kitchen's menus.")
		tab.Click(card + ` form[action$="/introduce"] button`)
		if got := tab.Text(".flash"); !strings.Contains(got, "Introduced: both sides have the introduction in their inbox") {
			t.Fatalf("after introducing: %q", got)
		}
		if n := webtest.Eval[int](tab, `document.querySelectorAll("#match-`+id+`").length`); n != 0 {
			t.Error("the introduced match is still among the new ones")
		}
		// The outcome, from the introduced matches.
		tab.Go("/staff/matches?status=introduced")
		tab.Check("staff-queue-introduced")
		tab.Fill("#f-value-"+id, "520")
		tab.Click(card + ` form[action$="/outcome"] button`)
		if got := tab.Text(".flash"); !strings.Contains(got, "The outcome is recorded.") {
			t.Fatalf("after the outcome: %q", got)
		}

		inboxShows(t, tab, f.kitchenOwner, "en", "Inbox", "Introducing Leeds Print Workers for your need: "+f.need.Title)
	})

	t.Run("Welsh", func(t *testing.T) {
		signInStaff(t, tab, "cy")
		tab.Go("/staff/matches")
		if got := tab.Text("h1"); got != "Ciw cyfatebiaethau" {
			t.Fatalf("queue h1 in Welsh %q", got)
		}
		id := f.matches[1]
		card := "#match-" + id
		if got := tab.Text(card); !strings.Contains(got, "Pam maen nhw'n cyd-fynd") || !strings.Contains(got, "Categori: 30 o 30 pwynt") {
			t.Fatalf("the match in the Welsh queue: %q", got)
		}
		tab.CheckA11y("staff-queue-cy")
		tab.Screenshot("staff-queue-cy")
		tab.Click(card + ` form[action$="/introduce"] button`)
		if got := tab.Text(".flash"); !strings.Contains(got, "Wedi'u cyflwyno") {
			t.Fatalf("after introducing in Welsh: %q", got)
		}
		inboxShows(t, tab, f.kitchenOwner, "cy", "Mewnflwch", "Introducing Cardiff Riso Collective for your need: "+f.need.Title)
		tab.CheckA11y("inbox-introduced-cy")
	})

	t.Run("QueueMonitor", func(t *testing.T) {
		// The monitor's own scripts run under its Content-Security-Policy:
		// the page draws the queues.
		signInStaff(t, tab, "en")
		if st := tab.Go("/staff/queues/"); st != 200 {
			t.Fatalf("/staff/queues/: status %d", st)
		}
		drawn := `new Promise(done => { const start = Date.now(); (function poll() {
			const text = document.getElementById("root").innerText;
			if (text.includes("default") || Date.now() - start > 10000) { done(text); } else { setTimeout(poll, 100); }
		})(); })`
		if got := webtest.Eval[string](tab, drawn); !strings.Contains(got, "default") {
			t.Fatalf("the queue monitor draws no queues: %q", got)
		}
	})

	t.Run("EveryStaffPage", func(t *testing.T) {
		signInStaff(t, tab, "en")
		pages := []struct{ path, name, h1 string }{
			{"/staff/members", "staff-members", "Members and dues"},
			{"/staff/members/" + f.pending.ID, "staff-member", f.pending.Name},
			{"/staff/listings", "staff-listings", "Listings"},
			{"/staff/listings/" + f.offers[0].ID, "staff-listing", f.offers[0].Title},
			{"/staff/figures", "staff-figures", "Figures"},
		}
		for _, p := range pages {
			if st := tab.Go(p.path); st != 200 {
				t.Fatalf("%s: status %d", p.path, st)
			}
			if got := tab.Text("h1"); got != p.h1 {
				t.Errorf("%s: h1 %q; want %q", p.path, got, p.h1)
			}
			tab.Check(p.name)
		}
		// The figures count the deal, in the charts and the tables.
		tab.Go("/staff/figures")
		if got := tab.Text("#funnel-caption ~ tfoot"); !strings.Contains(got, "£520") {
			t.Errorf("the figures' totals: %q", got)
		}
		// The funnel, and trade by sector, area, region and nation.
		if n := webtest.Eval[int](tab, `document.querySelectorAll('svg.chart[role="img"]').length`); n != 5 {
			t.Errorf("%d charts; want 5", n)
		}
		// Errors on the members' forms are tied to their fields.
		tab.Go("/staff/members/" + f.pending.ID)
		tab.Click(`form[action$="/decide"] button[value="refuse"]`)
		if got := tab.Text("#error-summary"); !strings.Contains(got, "Write a note to the member to adjust or refuse") {
			t.Fatalf("refusing without notes: %q", got)
		}
		tab.Check("staff-member-error")
		tab.Click(`form[action$="/decide"] button[value="approve"]`)
		if got := tab.Text(".flash"); !strings.Contains(got, "The decision is recorded") {
			t.Fatalf("after approving: %q", got)
		}
		tab.Check("staff-member-approved")
		// Removing a listing asks for a note.
		tab.Go("/staff/listings/" + f.offers[1].ID)
		tab.Click(`form[action$="/remove"] button`)
		if got := tab.Text("#f-note-error"); !strings.Contains(got, "Write a note to the member") {
			t.Fatalf("removing without a note: %q", got)
		}
		tab.Check("staff-listing-error")

		// The Welsh pages pass too.
		for _, p := range pages {
			tab.Go(p.path + "?lang=cy")
			tab.CheckA11y(p.name + "-cy")
			tab.Screenshot(p.name + "-cy")
		}
		tab.Go("/staff?lang=cy")
		tab.CheckA11y("staff-home-cy")
		tab.Go("/staff?lang=en")
	})
}
