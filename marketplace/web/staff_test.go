package web_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"cooptrade/marketplace"
	"cooptrade/marketplace/web/webtest"
	"cooptrade/payments"
)

// staffEnv is a server with staff signed in, and two co-ops whose need and
// offer the workers have matched.
type staffEnv struct {
	s                 *webtest.Server
	staff             *webtest.Client
	kitchen, printers *marketplace.Member
	kitchenOwner      *marketplace.User
	printersOwner     *marketplace.User
	need, offer       *marketplace.Listing
	matchID           string
}

func newStaffEnv(t *testing.T) *staffEnv {
	t.Helper()
	s := webtest.NewServer(t, webtest.Options{})
	e := &staffEnv{s: s}
	e.kitchen, e.kitchenOwner = s.AddMember(t, &marketplace.Member{Name: "Chapeltown Kitchen", Email: "hello@kitchen.example",
		Postcode: "LS7 3AA", Sectors: []string{"food-catering"}})
	e.printers, e.printersOwner = s.AddMember(t, &marketplace.Member{Name: "Leeds Print Workers", Email: "hello@print.example",
		Postcode: "LS9 8AB", Sectors: []string{"printing-publishing"}})
	deadline := time.Now().Add(60 * 24 * time.Hour)
	e.need = s.Publish(t, e.kitchenOwner, &marketplace.Listing{Kind: marketplace.KindNeed, Title: "5,000 A5 leaflets for a tenants' union",
		Description: "Full colour, recycled paper, delivered in Leeds.", Category: "print-runs", Tags: []string{"leaflets", "recycled paper"},
		Postcode: "LS7 3AA", PriceMinPence: 40000, PriceMaxPence: 60000, PriceUnit: "job", Deadline: &deadline})
	e.offer = s.Publish(t, e.printersOwner, &marketplace.Listing{Kind: marketplace.KindOffer, Title: "Leaflets and flyers on recycled paper",
		Description: "Short and long runs, full colour, delivered.", Category: "print-runs", Tags: []string{"leaflets", "recycled paper"},
		Postcode: "LS9 8AB", RadiusKM: 50, PriceMinPence: 30000, PriceMaxPence: 50000, PriceUnit: "job"})
	e.matchID = marketplace.MatchID(e.offer.ID, e.need.ID)
	waitFor(t, "the match", func() bool {
		_, err := s.Service.Matches.FindMatchByID(context.Background(), e.matchID)
		return err == nil
	})
	e.staff = s.NewClient(t)
	e.staff.SignIn("staff@federation.example", webtest.StaffPassword)
	return e
}

// member returns a client signed in as a member's owner.
func (e *staffEnv) member(t *testing.T, m *marketplace.Member) *webtest.Client {
	t.Helper()
	c := e.s.NewClient(t)
	c.SignIn("owner@"+m.Slug+".example", webtest.Password)
	return c
}

func (e *staffEnv) match(t *testing.T) *marketplace.Match {
	t.Helper()
	m, err := e.s.Service.Matches.FindMatchByID(context.Background(), e.matchID)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// waitFor polls cond until it holds, failing after a generous bound while
// the workers do their jobs.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for until := time.Now().Add(20 * time.Second); !cond(); time.Sleep(25 * time.Millisecond) {
		if time.Now().After(until) {
			t.Fatalf("%s: still not there after 20s", what)
		}
	}
}

// mustPage fails the test unless the page has the status and ends at path.
func mustPage(t *testing.T, p webtest.Page, status int, path string) webtest.Page {
	t.Helper()
	u, _ := url.Parse(p.URL)
	if p.Status != status || (path != "" && u.Path != path) {
		t.Fatalf("status %d at %s; want %d at %s\n%.3000s", p.Status, p.URL, status, path, p.Text())
	}
	return p
}

// done returns the ?done= of the page's address.
func done(p webtest.Page) string {
	u, _ := url.Parse(p.URL)
	return u.Query().Get("done")
}

// tagOf returns the opening tag of the element with the id.
func tagOf(t *testing.T, body, id string) string {
	t.Helper()
	m := regexp.MustCompile(`<[a-z]+\s[^>]*\bid="` + regexp.QuoteMeta(id) + `"[^>]*>`).FindString(body)
	if m == "" {
		t.Fatalf("no element with id %q", id)
	}
	return m
}

// checkFieldError checks that a field's error is shown and tied to it: the
// summary links to the field, the field is invalid and described by the
// message, which says want.
func checkFieldError(t *testing.T, p webtest.Page, fieldID, want string) {
	t.Helper()
	if !strings.Contains(p.Body, `href="#`+fieldID+`"`) {
		t.Errorf("the error summary does not link to #%s", fieldID)
	}
	input := tagOf(t, p.Body, fieldID)
	if !strings.Contains(input, `aria-invalid="true"`) || !regexp.MustCompile(`aria-describedby="[^"]*\b`+regexp.QuoteMeta(fieldID)+`-error\b`).MatchString(input) {
		t.Errorf("field %s is not marked invalid and described by its error: %s", fieldID, input)
	}
	msg := regexp.MustCompile(`(?s)<p class="field-error" id="` + regexp.QuoteMeta(fieldID) + `-error">(.*?)</p>`).FindStringSubmatch(p.Body)
	if msg == nil || !strings.Contains(html.UnescapeString(msg[1]), want) {
		t.Errorf("the error of %s: %v; want %q", fieldID, msg, want)
	}
}

func TestStaffPages_OnlyStaff(t *testing.T) {
	e := newStaffEnv(t)
	paths := []string{"/staff", "/staff/matches", "/staff/members", "/staff/members/" + e.kitchen.ID,
		"/staff/listings", "/staff/listings/" + e.offer.ID, "/staff/figures"}

	t.Run("Public", func(t *testing.T) {
		c := e.s.NewClient(t)
		for _, path := range paths {
			p := c.Get(path)
			u, _ := url.Parse(p.URL)
			if u.Path != "/login" || u.Query().Get("next") != path {
				t.Errorf("the public at %s ends at %s; want the sign-in page, then back", path, p.URL)
			}
		}
		p := c.Post("/staff/matches/"+e.matchID+"/introduce", url.Values{})
		if u, _ := url.Parse(p.URL); u.Path != "/login" {
			t.Errorf("the public posting to the queue ends at %s", p.URL)
		}
	})

	t.Run("Member", func(t *testing.T) {
		c := e.member(t, e.kitchen)
		for _, path := range paths {
			if p := c.Get(path); p.Status != http.StatusForbidden {
				t.Errorf("a member at %s gets %d; want 403", path, p.Status)
			}
		}
		c.Get("/dashboard")
		if p := c.Post("/staff/matches/"+e.matchID+"/introduce", url.Values{}); p.Status != http.StatusForbidden {
			t.Errorf("a member introducing gets %d", p.Status)
		}
		if got := e.match(t).Status; got != marketplace.MatchNew {
			t.Fatalf("the match is %s after a member tried to introduce it", got)
		}
	})

	t.Run("Staff", func(t *testing.T) {
		for _, path := range paths {
			p := mustPage(t, e.staff.Get(path), http.StatusOK, path)
			if !strings.Contains(p.Body, `<nav class="staff-nav"`) || !strings.Contains(p.Body, `href="/staff/queues/"`) {
				t.Errorf("%s has no staff navigation with the queue monitor", path)
			}
			if strings.Contains(p.Text(), "staff.") {
				t.Errorf("%s shows a message key: %.300s", path, p.Text()[strings.Index(p.Text(), "staff."):])
			}
			if p.Header.Get("Cache-Control") != "private, no-store" {
				t.Errorf("%s: Cache-Control %q", path, p.Header.Get("Cache-Control"))
			}
		}
	})

	t.Run("ErrNoCSRF", func(t *testing.T) {
		e.staff.Get("/staff/matches")
		p := e.staff.Post("/staff/matches/"+e.matchID+"/introduce", url.Values{"csrf": {""}})
		if p.Status != http.StatusForbidden {
			t.Fatalf("introducing without the CSRF token: %d", p.Status)
		}
		p = e.staff.Post("/staff/listings/"+e.offer.ID+"/remove", url.Values{"csrf": {"forged"}, "note": {"Spam."}})
		if p.Status != http.StatusForbidden {
			t.Fatalf("removing with a forged CSRF token: %d", p.Status)
		}
		if got := e.match(t).Status; got != marketplace.MatchNew {
			t.Fatalf("the match is %s", got)
		}
		l, _ := e.s.Service.Listings.FindListingByID(context.Background(), e.offer.ID)
		if l.Status != marketplace.StatusPublished {
			t.Fatalf("the listing is %s", l.Status)
		}
	})
}

func TestStaffQueue(t *testing.T) {
	e := newStaffEnv(t)
	m := e.match(t)

	t.Run("BothSidesAndReasons", func(t *testing.T) {
		p := mustPage(t, e.staff.Get("/staff/matches"), http.StatusOK, "/staff/matches")
		text := p.Text()
		for _, want := range []string{e.offer.Title, e.need.Title, "Chapeltown Kitchen", "Leeds Print Workers",
			"Score: " + strconv.FormatFloat(m.Score, 'f', 0, 64) + " out of 100", "Why they fit"} {
			if !strings.Contains(text, want) {
				t.Errorf("the queue does not say %q", want)
			}
		}
		for _, want := range []string{"<strong>Category</strong>: 30 of 30 points – <span>Both in Print runs", "<strong>Distance</strong>: 15 of 15 points",
			"<strong>Tags in common</strong>: 15 of 15 points"} {
			if !strings.Contains(p.Body, want) {
				t.Errorf("the queue does not give the reason %q", want)
			}
		}
		for _, action := range []string{"introduce", "dismiss"} {
			if !strings.Contains(p.Body, `action="/staff/matches/`+m.ID+`/`+action+`"`) {
				t.Errorf("the queue has no %s form", action)
			}
		}
		if strings.Contains(p.Body, `/outcome"`) {
			t.Error("a new match offers to record an outcome")
		}
	})

	t.Run("ErrDismissWithoutReason", func(t *testing.T) {
		e.staff.Get("/staff/matches?sector=printing-publishing")
		p := e.staff.Post("/staff/matches/"+m.ID+"/dismiss", url.Values{"version": {"1"}, "reason": {"  "}, "back": {"sector=printing-publishing"}})
		mustPage(t, p, http.StatusBadRequest, "")
		checkFieldError(t, p, "f-reason-"+m.ID, "Say why you are dismissing this match")
		if !strings.Contains(p.Body, `<option value="printing-publishing" selected>`) || !strings.Contains(p.Body, `id="match-`+m.ID+`"`) {
			t.Error("the queue shown again lost its filter")
		}
		if got := e.match(t).Status; got != marketplace.MatchNew {
			t.Fatalf("the match is %s", got)
		}
	})

	t.Run("ErrStale", func(t *testing.T) {
		e.staff.Get("/staff/matches")
		p := e.staff.Post("/staff/matches/"+m.ID+"/introduce", url.Values{"version": {"7"}})
		mustPage(t, p, http.StatusOK, "/staff/matches")
		if done(p) != "staff_changed" || !strings.Contains(p.Text(), "Someone changed this") {
			t.Fatalf("introducing a stale version: %s", p.URL)
		}
	})

	t.Run("Introduce", func(t *testing.T) {
		e.staff.Get("/staff/matches")
		p := e.staff.Post("/staff/matches/"+m.ID+"/introduce", url.Values{"version": {"1"}, "note": {"They printed for the kitchen's fair last year."}, "back": {"status=new"}})
		mustPage(t, p, http.StatusOK, "/staff/matches")
		if done(p) != "staff_introduced" || !strings.Contains(p.Text(), "Introduced: both sides have the introduction in their inbox") {
			t.Fatalf("after introducing: %s\n%.500s", p.URL, p.Text())
		}
		if got := e.match(t); got.Status != marketplace.MatchIntroduced || got.ReviewerID != e.s.StaffUser().ID {
			t.Fatalf("the match after introducing: %+v", got)
		}
		// Both sides find the introduction in their inbox.
		for _, side := range []struct {
			m     *marketplace.Member
			other string
		}{{e.kitchen, "Leeds Print Workers"}, {e.printers, "Chapeltown Kitchen"}} {
			c := e.member(t, side.m)
			inbox := mustPage(t, c.Get("/inbox"), http.StatusOK, "/inbox")
			if !strings.Contains(inbox.Text(), "Introducing "+side.other) {
				t.Errorf("the inbox of %s has no introduction:\n%.1500s", side.m.Name, inbox.Text())
			}
			// It leads to the thread the introduction opened, where the
			// two write to each other.
			link := regexp.MustCompile(`href="(/threads/[0-9a-f]{24})"`).FindStringSubmatch(inbox.Body)
			if link == nil {
				t.Fatalf("the introduction in the inbox of %s links to no thread:\n%.3000s", side.m.Name, inbox.Body)
			}
			th := mustPage(t, c.Get(link[1]), http.StatusOK, link[1])
			if !strings.Contains(th.Text(), "Federation staff introduced you to "+side.other) || !strings.Contains(th.Body, `action="`+link[1]+`/messages"`) {
				t.Errorf("the introduction's thread, for %s:\n%.3000s", side.m.Name, th.Text())
			}
			if strings.Contains(inbox.Text()+th.Text(), "@print.example") || strings.Contains(inbox.Text()+th.Text(), "@kitchen.example") {
				t.Errorf("%s sees an address:\n%s\n%s", side.m.Name, inbox.Text(), th.Text())
			}
		}
		// A second introduction is refused, and says why.
		e.staff.Get("/staff/matches?status=introduced")
		p = e.staff.Post("/staff/matches/"+m.ID+"/introduce", url.Values{"version": {"2"}})
		if done(p) != "staff_conflict" {
			t.Fatalf("introducing twice: %s", p.URL)
		}
	})

	t.Run("Outcome", func(t *testing.T) {
		p := mustPage(t, e.staff.Get("/staff/matches?status=introduced"), http.StatusOK, "/staff/matches")
		if !strings.Contains(p.Body, `action="/staff/matches/`+m.ID+`/outcome"`) {
			t.Fatal("an introduced match has no outcome form")
		}
		p = e.staff.Post("/staff/matches/"+m.ID+"/outcome", url.Values{"version": {"2"}, "outcome": {"deal"}, "value": {"lots"}, "back": {"status=introduced"}})
		mustPage(t, p, http.StatusBadRequest, "")
		checkFieldError(t, p, "f-value-"+m.ID, "Enter the value in pounds")
		if !strings.Contains(tagOf(t, p.Body, "f-value-"+m.ID), `value="lots"`) {
			t.Error("the value typed is not kept")
		}
		p = e.staff.Post("/staff/matches/"+m.ID+"/outcome", url.Values{"version": {"2"}, "outcome": {"deal"}, "value": {"£1,250.50"}, "back": {"status=introduced"}})
		if done(p) != "staff_outcome" {
			t.Fatalf("recording the deal: %s\n%.500s", p.URL, p.Text())
		}
		if got := e.match(t); got.Status != marketplace.MatchDeal || got.DealValuePence != 125050 {
			t.Fatalf("the match after the deal: %s, %d pence", got.Status, got.DealValuePence)
		}
	})

	t.Run("Dismiss", func(t *testing.T) {
		// A second offer makes a second match, which staff dismiss.
		o2 := e.s.Publish(t, e.printersOwner, &marketplace.Listing{Kind: marketplace.KindOffer, Title: "Posters and booklets on recycled paper",
			Description: "Full colour posters and booklets, delivered.", Category: "print-runs", Tags: []string{"leaflets", "recycled paper"},
			Postcode: "LS9 8AB", RadiusKM: 50, PriceMinPence: 30000, PriceMaxPence: 50000, PriceUnit: "job"})
		id := marketplace.MatchID(o2.ID, e.need.ID)
		waitFor(t, "the second match", func() bool {
			_, err := e.s.Service.Matches.FindMatchByID(context.Background(), id)
			return err == nil
		})
		e.staff.Get("/staff/matches")
		p := e.staff.Post("/staff/matches/"+id+"/dismiss", url.Values{"version": {"1"}, "reason": {"The kitchen has its printer now."}})
		if done(p) != "staff_dismissed" {
			t.Fatalf("dismissing: %s\n%.500s", p.URL, p.Text())
		}
		got, _ := e.s.Service.Matches.FindMatchByID(context.Background(), id)
		if got.Status != marketplace.MatchDismissed || !strings.Contains(got.Notes, "The kitchen has its printer now.") {
			t.Fatalf("after dismissing: %+v", got)
		}
		if strings.Contains(p.Body, `id="match-`+id+`"`) {
			t.Error("the dismissed match is still in the queue of new matches")
		}
	})

	t.Run("ErrFilter", func(t *testing.T) {
		p := mustPage(t, e.staff.Get("/staff/matches?area=ZZ&min_score=300"), http.StatusBadRequest, "/staff/matches")
		checkFieldError(t, p, "f-min-score", "Enter a score from 0 to 100")
		p = mustPage(t, e.staff.Get("/staff/matches?area=ZZ"), http.StatusBadRequest, "/staff/matches")
		checkFieldError(t, p, "f-area", "postcode area")
	})
}

func TestStaffQueue_Welsh(t *testing.T) {
	e := newStaffEnv(t)
	p := mustPage(t, e.staff.Get("/staff/matches?lang=cy"), http.StatusOK, "/staff/matches")
	text := p.Text()
	for _, want := range []string{`<html lang="cy">`, "Ciw cyfatebiaethau", "Pam maen nhw&#39;n cyd-fynd", "Cyflwyno&#39;r ddwy ochr", "<strong>Categori</strong>: 30 o 30 pwynt"} {
		if !strings.Contains(text, want) && !strings.Contains(p.Body, want) {
			t.Errorf("the Welsh queue does not say %q", want)
		}
	}
	// The score's details are the matcher's, in English, and say so.
	if !strings.Contains(p.Body, `<span lang="en">`) {
		t.Error("the English details of the reasons are not marked lang=en")
	}
	e.staff.Get("/staff/matches")
	p = e.staff.Post("/staff/matches/"+e.matchID+"/dismiss", url.Values{"version": {"1"}})
	checkFieldError(t, p, "f-reason-"+e.matchID, "Dywedwch pam rydych chi'n gwrthod y gyfatebiaeth hon")
	p = e.staff.Post("/staff/matches/"+e.matchID+"/introduce", url.Values{"version": {"1"}})
	if done(p) != "staff_introduced" || !strings.Contains(p.Text(), "Wedi'u cyflwyno") {
		t.Fatalf("introducing in Welsh: %s\n%.500s", p.URL, p.Text())
	}
}

func TestStaffListingRemove(t *testing.T) {
	e := newStaffEnv(t)
	path := "/staff/listings/" + e.offer.ID
	list := mustPage(t, e.staff.Get("/staff/listings"), http.StatusOK, "/staff/listings")
	if !strings.Contains(list.Body, `href="`+path+`"`) || !strings.Contains(list.Text(), "Leeds Print Workers") {
		t.Fatalf("the listings page does not list the offer:\n%.1500s", list.Text())
	}
	mustPage(t, e.staff.Get(path), http.StatusOK, path)

	t.Run("ErrNoNote", func(t *testing.T) {
		p := e.staff.Post(path+"/remove", url.Values{"version": {"2"}, "note": {" "}})
		mustPage(t, p, http.StatusBadRequest, "")
		checkFieldError(t, p, "f-note", "Write a note to the member")
	})

	note := "Listings may not name other members' prices; please post it again without the comparison."
	e.staff.Get(path)
	p := e.staff.Post(path+"/remove", url.Values{"version": {"2"}, "note": {note}})
	mustPage(t, p, http.StatusOK, path)
	if done(p) != "staff_removed" || !strings.Contains(p.Text(), "The listing is removed") {
		t.Fatalf("after removing: %s\n%.800s", p.URL, p.Text())
	}
	if strings.Contains(p.Body, `action="`+path+`/remove"`) {
		t.Error("a removed listing still offers to remove it")
	}
	if !strings.Contains(p.Text(), "Removed by staff@federation.example") || !strings.Contains(p.Text(), note) {
		t.Errorf("the listing's history does not show the removal:\n%.1500s", p.Text())
	}
	// The member has the note in the inbox, and the listing leaves search.
	inbox := mustPage(t, e.member(t, e.printers).Get("/inbox"), http.StatusOK, "/inbox")
	if !strings.Contains(inbox.Text(), "Your listing was removed: "+e.offer.Title) || !strings.Contains(inbox.Text(), note) {
		t.Errorf("the member's inbox:\n%.1500s", inbox.Text())
	}
	e.s.WaitIndexed(t, e.offer.ID)
	search := e.s.NewClient(t).Get("/search?q=leaflets")
	if strings.Contains(search.Body, "/listings/"+e.offer.ID) {
		t.Error("the removed listing is still found by search")
	}
	// Removing again says it is done already.
	e.staff.Get(path)
	if p := e.staff.Post(path+"/remove", url.Values{"version": {"3"}, "note": {note}}); done(p) != "staff_already_removed" {
		t.Fatalf("removing twice: %s", p.URL)
	}
}

func TestStaffMembers(t *testing.T) {
	s := webtest.NewServer(t, webtest.Options{})
	ctx := context.Background()
	pending, pendingOwner := s.AddMember(t, &marketplace.Member{Name: "Hebden Wholefoods", Email: "hello@hebden.example",
		Postcode: "HX7 8AD", Standing: marketplace.StandingPending})
	labour := int64(40_000_000) // £400,000 of labour costs
	app, err := s.Payments.Apply(webtest.As(pendingOwner), payments.ApplicationInput{LabourCostsPence: &labour})
	if err != nil {
		t.Fatal(err)
	}
	staff := s.NewClient(t)
	staff.SignIn("staff@federation.example", webtest.StaffPassword)

	list := mustPage(t, staff.Get("/staff/members"), http.StatusOK, "/staff/members")
	if !strings.Contains(list.Body, `href="/staff/members/`+pending.ID+`#pending-title"`) || !strings.Contains(list.Text(), "Hebden Wholefoods Labour costs, "+strconv.Itoa(app.Year)) {
		t.Fatalf("the members' page does not list the application:\n%.2000s", list.Text())
	}
	home := mustPage(t, staff.Get("/staff"), http.StatusOK, "/staff")
	if !strings.Contains(home.Text(), "1 dues application is waiting for a decision.") {
		t.Errorf("the staff's overview: %.1500s", home.Text())
	}

	path := "/staff/members/" + pending.ID
	decide := path + "/applications/" + app.ID + "/decide"
	p := mustPage(t, staff.Get(path), http.StatusOK, path)
	if !strings.Contains(p.Body, `action="`+decide+`"`) || !strings.Contains(p.Text(), "Decide on the member's application before granting a waiver") {
		t.Fatalf("the member's page:\n%.2000s", p.Text())
	}

	t.Run("ErrFilter", func(t *testing.T) {
		p := mustPage(t, staff.Get("/staff/members?standing=gone"), http.StatusBadRequest, "/staff/members")
		checkFieldError(t, p, "f-standing", "Choose one of the options")
		p = mustPage(t, staff.Get("/staff/listings?status=archived"), http.StatusBadRequest, "/staff/listings")
		checkFieldError(t, p, "f-status", "Choose one of the options")
	})

	t.Run("ErrAdjustWithoutAmountOrNotes", func(t *testing.T) {
		p := staff.Post(decide, url.Values{"decision": {"adjust"}, "amount": {"nothing"}})
		mustPage(t, p, http.StatusBadRequest, "")
		checkFieldError(t, p, "f-amount-"+app.ID, "Enter an amount in pounds")
		checkFieldError(t, p, "f-notes-"+app.ID, "Write a note to the member")
	})

	t.Run("Approve", func(t *testing.T) {
		staff.Get(path)
		p := staff.Post(decide, url.Values{"decision": {"approve"}, "notes": {"Welcome to the federation."}})
		mustPage(t, p, http.StatusOK, path)
		if done(p) != "staff_decided" {
			t.Fatalf("approving: %s\n%.1000s", p.URL, p.Text())
		}
		m, _ := s.Service.Members.FindMemberByID(ctx, pending.ID)
		if m.Standing != marketplace.StandingAwaitingPayment {
			t.Fatalf("after approval the member is %s", m.Standing)
		}
		if !strings.Contains(p.Text(), "Approved") || !strings.Contains(p.Text(), "Welcome to the federation.") {
			t.Errorf("the member's page does not show the decision:\n%.2000s", p.Text())
		}
	})

	t.Run("ErrPayment", func(t *testing.T) {
		staff.Get(path)
		p := staff.Post(path+"/payment", url.Values{"paid": {"540"}, "period_start": {"2026-01-01"}, "period_end": {"2025-12-31"}, "reference": {""}})
		mustPage(t, p, http.StatusBadRequest, "")
		checkFieldError(t, p, "f-period-end", "The end of the period must be after its start")
		checkFieldError(t, p, "f-reference", "Enter the bank's reference")
	})

	t.Run("OfflinePayment", func(t *testing.T) {
		start := time.Now().UTC().Format(time.DateOnly)
		end := time.Now().UTC().AddDate(1, 0, 0).Format(time.DateOnly)
		staff.Get(path)
		p := staff.Post(path+"/payment", url.Values{"paid": {"£5,400"}, "period_start": {start}, "period_end": {end}, "reference": {"HEBDEN DUES 2026"}})
		if done(p) != "staff_payment" {
			t.Fatalf("recording the payment: %s\n%.1500s", p.URL, p.Text())
		}
		m, _ := s.Service.Members.FindMemberByID(ctx, pending.ID)
		if m.Standing != marketplace.StandingActive {
			t.Fatalf("after the payment the member is %s", m.Standing)
		}
		if !strings.Contains(p.Text(), "£5,400") || !strings.Contains(p.Text(), "HEBDEN DUES 2026") {
			t.Errorf("the payment is not listed:\n%.2000s", p.Text())
		}
		// The same reference again is refused beside the field.
		p = staff.Post(path+"/payment", url.Values{"paid": {"10"}, "period_start": {start}, "period_end": {end}, "reference": {"HEBDEN DUES 2026"}})
		mustPage(t, p, http.StatusBadRequest, "")
		checkFieldError(t, p, "f-reference", "A payment with this reference is recorded already")
	})

	t.Run("Waiver", func(t *testing.T) {
		until := time.Now().AddDate(0, 6, 0).Format(time.DateOnly)
		staff.Get(path)
		p := staff.Post(path+"/waiver", url.Values{"until": {until}, "waiver_reason": {"Flood at the shop."}})
		if done(p) != "staff_waiver" {
			t.Fatalf("granting the waiver: %s\n%.1500s", p.URL, p.Text())
		}
		var entries []string
		es, _, err := s.Service.FindAudit(s.Staff(), marketplace.AuditFilter{Subject: "member:" + pending.ID})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range es {
			entries = append(entries, e.Action)
		}
		for _, want := range []string{"dues.waiver", "dues.offline_payment", "dues.application.approve"} {
			if !strings.Contains(strings.Join(entries, " "), want) {
				t.Errorf("the audit log of the member %v lacks %s", entries, want)
			}
		}
	})

	t.Run("Refuse", func(t *testing.T) {
		other, owner := s.AddMember(t, &marketplace.Member{Name: "Todmorden Bakers", Email: "hello@tod.example", Postcode: "OL14 5AA",
			Standing: marketplace.StandingPending})
		a, err := s.Payments.Apply(webtest.As(owner), payments.ApplicationInput{LabourCostsPence: &labour})
		if err != nil {
			t.Fatal(err)
		}
		decide := "/staff/members/" + other.ID + "/applications/" + a.ID + "/decide"
		staff.Get("/staff/members/" + other.ID)
		p := staff.Post(decide, url.Values{"decision": {"refuse"}})
		checkFieldError(t, p, "f-notes-"+a.ID, "Write a note to the member")
		p = staff.Post(decide, url.Values{"decision": {"refuse"}, "notes": {"Not a worker co-operative."}})
		if done(p) != "staff_decided" {
			t.Fatalf("refusing: %s", p.URL)
		}
		got, err := s.Payments.Applications.FindApplicationByID(ctx, a.ID)
		if err != nil || got.Status != payments.ApplicationRefused || got.StaffNotes != "Not a worker co-operative." {
			t.Fatalf("after refusing: %+v, %v", got, err)
		}
		// An application is decided under its own member only.
		third, thirdOwner := s.AddMember(t, &marketplace.Member{Name: "Calder Cleaners", Email: "hello@calder.example", Postcode: "HX1 1AA",
			Standing: marketplace.StandingPending})
		a3, err := s.Payments.Apply(webtest.As(thirdOwner), payments.ApplicationInput{LabourCostsPence: &labour})
		if err != nil {
			t.Fatal(err)
		}
		p = staff.Post("/staff/members/"+pending.ID+"/applications/"+a3.ID+"/decide", url.Values{"decision": {"approve"}})
		if p.Status != http.StatusNotFound {
			t.Fatalf("deciding another member's application here: %d at %s", p.Status, p.URL)
		}
		if got, _ := s.Payments.Applications.FindApplicationByID(ctx, a3.ID); got.Status != payments.ApplicationPending {
			t.Fatalf("the application of %s was decided under another member: %s", third.Name, got.Status)
		}
	})

	t.Run("Welsh", func(t *testing.T) {
		p := mustPage(t, staff.Get(path+"?lang=cy"), http.StatusOK, path)
		for _, want := range []string{"Aelodaeth a thâl", "Rhoi hepgoriad", "Cofnodi taliad drwy drosglwyddiad banc", "Taliadau a gofnodwyd gan staff"} {
			if !strings.Contains(p.Text(), want) {
				t.Errorf("the Welsh member page does not say %q", want)
			}
		}
	})
}

func TestStaffFigures(t *testing.T) {
	e := newStaffEnv(t)
	ctx := e.s.Staff()
	if _, err := e.s.Service.IntroduceMatch(ctx, e.matchID, 0, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := e.s.Service.RecordOutcome(ctx, e.matchID, 0, marketplace.MatchDeal, 52000, ""); err != nil {
		t.Fatal(err)
	}
	m := e.match(t)
	month := m.CreatedAt.UTC().Format("2006-01")
	p := mustPage(t, e.staff.Get("/staff/figures?from="+month+"&to="+month), http.StatusOK, "/staff/figures")

	// Five charts, each an image with a text alternative.
	charts := regexp.MustCompile(`<svg [^>]*role="img" aria-labelledby="(chart-[a-z]+)-title`).FindAllStringSubmatch(p.Body, -1)
	var ids []string
	for _, c := range charts {
		ids = append(ids, c[1])
	}
	if diff := cmp.Diff([]string{"chart-funnel", "chart-sector", "chart-area", "chart-region", "chart-nation"}, ids); diff != "" {
		t.Fatalf("charts (-want +got):\n%s", diff)
	}
	// The numbers, in the tables beside the charts and on the bars.
	monthName := m.CreatedAt.UTC().Format("January 2006")
	for _, want := range []string{
		"Month Matches Introduced Deals No deal Dismissed Value of trade " + monthName + " 1 1 1 0 0 £520 Total 1 1 1 0 0 £520",
		"Sector Matches Deals Value of trade Printing & publishing 1 1 £520 Total 1 1 £520",
		"Area Matches Deals Value of trade Leeds 1 1 £520 Total 1 1 £520",
		"Region Matches Deals Value of trade Yorkshire and the Humber 1 1 £520 Total 1 1 £520",
		"Nation Matches Deals Value of trade England 1 1 £520 Total 1 1 £520",
		"matches 1, introductions 1, deals 1, worth £520",
	} {
		if !strings.Contains(p.Text(), want) {
			t.Errorf("the figures do not say %q:\n%.3000s", want, p.Text())
		}
	}
	if !strings.Contains(p.Body, `data-series="2" data-row="0" x="`) || !regexp.MustCompile(`<text class="value" data-series="0" data-row="0"[^>]*>£520</text>`).MatchString(p.Body) {
		t.Error("the bars do not carry their values")
	}

	t.Run("Welsh", func(t *testing.T) {
		p := mustPage(t, e.staff.Get("/staff/figures?lang=cy&from="+month+"&to="+month), http.StatusOK, "/staff/figures")
		cyMonth := map[time.Month]string{time.January: "Ionawr", time.February: "Chwefror", time.March: "Mawrth", time.April: "Ebrill",
			time.May: "Mai", time.June: "Mehefin", time.July: "Gorffennaf", time.August: "Awst", time.September: "Medi",
			time.October: "Hydref", time.November: "Tachwedd", time.December: "Rhagfyr"}[m.CreatedAt.UTC().Month()]
		for _, want := range []string{"Gwerth y fasnach fesul sector", "Gwerth y fasnach fesul rhanbarth", "Swydd Efrog a'r Humber", "Lloegr", "Cyfanswm", cyMonth + " " + strconv.Itoa(m.CreatedAt.UTC().Year())} {
			if !strings.Contains(p.Text(), want) {
				t.Errorf("the Welsh figures do not say %q", want)
			}
		}
	})

	t.Run("Empty", func(t *testing.T) {
		p := mustPage(t, e.staff.Get("/staff/figures?lang=en&from=2020-01&to=2020-03"), http.StatusOK, "/staff/figures")
		if got := strings.Count(p.Text(), "No matches in this period."); got < 3 {
			t.Errorf("an empty period says so %d times; want each chart to", got)
		}
		if !strings.Contains(p.Text(), "March 2020 0 0 0 0 0 £0") {
			t.Errorf("the empty months are not in the table:\n%.2000s", p.Text())
		}
	})

	t.Run("ErrPeriod", func(t *testing.T) {
		p := mustPage(t, e.staff.Get("/staff/figures?lang=en&from=2026-13&to=2026-01"), http.StatusBadRequest, "/staff/figures")
		checkFieldError(t, p, "f-from", "Enter a year and month")
		p = mustPage(t, e.staff.Get("/staff/figures?from=2026-06&to=2026-01"), http.StatusBadRequest, "/staff/figures")
		checkFieldError(t, p, "f-to", "The last month must not be before the first")
	})
}
