package web_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"cooptrade/marketplace"
	"cooptrade/marketplace/web/webtest"
	"cooptrade/payments"
)

// applications returns a member's dues applications, newest first.
func applications(t *testing.T, s *webtest.Server, memberID string) []*payments.Application {
	t.Helper()
	apps, _, err := s.Payments.FindApplications(s.Staff(), payments.ApplicationFilter{MemberID: memberID})
	if err != nil {
		t.Fatal(err)
	}
	return apps
}

// checkGroupError checks the error of a group of radios or boxes: the
// summary links to the group, whose fieldset is described by the message,
// which says want.
func checkGroupError(t *testing.T, p webtest.Page, groupID, want string) {
	t.Helper()
	if !strings.Contains(p.Body, `href="#`+groupID+`"`) {
		t.Errorf("the error summary does not link to #%s", groupID)
	}
	group := regexp.MustCompile(`(?s)id="` + regexp.QuoteMeta(groupID) + `">\s*<fieldset[^>]*aria-describedby="[^"]*\b` + regexp.QuoteMeta(groupID) + `-error\b`)
	if !group.MatchString(p.Body) {
		t.Errorf("the fieldset of %s is not described by its error", groupID)
	}
	msg := regexp.MustCompile(`(?s)<p class="field-error" id="` + regexp.QuoteMeta(groupID) + `-error">(.*?)</p>`).FindStringSubmatch(p.Body)
	if msg == nil || !strings.Contains(html.UnescapeString(msg[1]), want) {
		t.Errorf("the error of %s: %v; want %q", groupID, msg, want)
	}
}

// noKeys fails the test when a page shows a message key instead of words.
func noKeys(t *testing.T, p webtest.Page, prefixes ...string) {
	t.Helper()
	for _, k := range prefixes {
		if key := regexp.MustCompile(regexp.QuoteMeta(k) + `[a-z_.]+`).FindString(p.Text()); key != "" {
			t.Errorf("the page shows the message key %s", key)
		}
	}
}

const applyLink = `<a class="button" href="/dues/apply">`

func TestDuesApplication(t *testing.T) {
	s := webtest.NewServer(t, webtest.Options{})
	m, owner := s.AddMember(t, &marketplace.Member{Name: "Hebden Wholefoods", Email: "hello@hebden.example",
		Postcode: "HX7 8AD", Standing: marketplace.StandingPending})
	year := time.Now().Year()
	y, next := strconv.Itoa(year), strconv.Itoa(year+1)
	c := s.NewClient(t)
	c.SignIn(owner.Email, webtest.Password)

	t.Run("LinkedWhileNotSettled", func(t *testing.T) {
		for _, path := range []string{"/dashboard", "/dues"} {
			p := mustPage(t, c.Get(path), http.StatusOK, path)
			if !strings.Contains(p.Body, applyLink+"Declare your labour costs</a>") {
				t.Errorf("%s has no link to declare the labour costs:\n%.2000s", path, p.Text())
			}
		}
		p := mustPage(t, c.Get("/dues/apply"), http.StatusOK, "/dues/apply")
		noKeys(t, p, "duesapply.", "dues.")
		if !strings.Contains(p.Body, `id="f-year-`+y+`" name="year" value="`+y+`" checked`) || !strings.Contains(p.Body, `id="f-year-`+next+`"`) {
			t.Errorf("the form does not offer this year (chosen) and the next:\n%.3000s", p.Body)
		}
		if !strings.Contains(p.Body, `id="f-kind-declaration" name="kind" value="declaration" checked`) {
			t.Error("the normal dues are not chosen to start with")
		}
	})

	t.Run("ErrFields", func(t *testing.T) {
		c.Get("/dues/apply")
		for _, tt := range []struct {
			name   string
			form   url.Values
			field  string
			want   string
			status int
		}{
			{"LabourMissing", url.Values{"year": {y}, "kind": {"declaration"}}, "f-labour-costs", "Enter your labour costs for the year before, or 0", 0},
			{"LabourNotAnAmount", url.Values{"year": {y}, "kind": {"declaration"}, "labour_costs": {"lots"}}, "f-labour-costs", "Enter an amount in pounds", 0},
			{"LabourTooLarge", url.Values{"year": {y}, "kind": {"declaration"}, "labour_costs": {"20,000,000,000"}}, "f-labour-costs", "Enter labour costs of at most £10,000,000,000", 0},
			{"HardshipAmountMissing", url.Values{"year": {y}, "kind": {"hardship"}, "labour_costs": {"40000"}, "reason": {"A flood."}}, "f-hardship-amount", "Enter what your co-operative can pay a year", 0},
			{"ReasonMissing", url.Values{"year": {y}, "kind": {"hardship"}, "labour_costs": {"40000"}, "hardship_amount": {"50"}}, "f-reason", "Say why your co-operative needs hardship dues", 0},
			// The domain's own checks, beside their fields.
			{"HardshipAboveNormalDues", url.Values{"year": {y}, "kind": {"hardship"}, "labour_costs": {"40000"}, "hardship_amount": {"200"}, "reason": {"A flood."}}, "f-hardship-amount", "Enter at most your normal dues of £150", 0},
			{"HardshipBelowMinimum", url.Values{"year": {y}, "kind": {"hardship"}, "labour_costs": {"40000"}, "hardship_amount": {"0.50"}, "reason": {"A flood."}}, "f-hardship-amount", "Enter at least £1; if you can pay nothing, ask federation staff for a waiver", 0},
		} {
			t.Run(tt.name, func(t *testing.T) {
				p := mustPage(t, c.Post("/dues/apply", tt.form), http.StatusUnprocessableEntity, "/dues/apply")
				checkFieldError(t, p, tt.field, tt.want)
				if !strings.Contains(p.Body, `id="error-summary"`) || !strings.Contains(p.Body, "data-autofocus") {
					t.Error("no summary of errors to move the focus to")
				}
				for name, v := range tt.form {
					if name != "year" && name != "kind" && !strings.Contains(p.Body, html.EscapeString(v[0])) {
						t.Errorf("%s %q is not kept", name, v[0])
					}
				}
				if tt.form.Get("kind") == "hardship" && !strings.Contains(p.Body, `value="hardship" checked`) {
					t.Error("the choice of hardship dues is not kept")
				}
			})
		}
		t.Run("YearAndKind", func(t *testing.T) {
			p := mustPage(t, c.Post("/dues/apply", url.Values{"year": {"1999"}, "kind": {"half"}, "labour_costs": {"1"}}), http.StatusUnprocessableEntity, "/dues/apply")
			checkGroupError(t, p, "f-year", "Choose one of the options")
			checkGroupError(t, p, "f-kind", "Choose the normal dues or hardship dues")
			if !regexp.MustCompile(`(?s)href="#f-year">.*href="#f-kind">`).MatchString(p.Body) {
				t.Error("the summary does not list the errors in the order of the form")
			}
		})
		if apps := applications(t, s, m.ID); len(apps) != 0 {
			t.Fatalf("a form with errors made an application: %+v", apps[0])
		}
	})

	t.Run("Declare", func(t *testing.T) {
		c.Get("/dues/apply")
		p := mustPage(t, c.Post("/dues/apply", url.Values{"year": {y}, "kind": {"declaration"}, "labour_costs": {"£500,000"}}), http.StatusOK, "/dues/apply")
		if done(p) != "dues_applied" || !strings.Contains(p.Text(), "Your application is sent to federation staff.") {
			t.Fatalf("after applying: %s\n%.1500s", p.URL, p.Text())
		}
		apps := applications(t, s, m.ID)
		if len(apps) != 1 || apps[0].LabourCostsPence != 50_000_000 || apps[0].Year != year || apps[0].Dues.GrossPence != 60000 {
			t.Fatalf("applications: %+v", apps)
		}
		card := tagOf(t, p.Body, "application-"+apps[0].ID)
		if card == "" {
			t.Fatal("the application is not shown")
		}
		for _, want := range []string{"Labour costs for " + y, "Status: Waiting for a decision by federation staff", "Labour costs declared £500,000",
			"Dues a year before VAT £500", "VAT £100", "Total to pay a year £600", "Worked out as a share of your labour costs"} {
			if !strings.Contains(p.Text(), want) {
				t.Errorf("the page does not say %q:\n%.2500s", want, p.Text())
			}
		}
		// The form starts from the application waiting, which sending
		// again replaces.
		if !strings.Contains(p.Body, `name="labour_costs" value="500000"`) || !strings.Contains(p.Body, `id="f-year-`+y+`-hint">An application for this year is waiting`) {
			t.Errorf("the form is not filled from the pending application:\n%.3000s", p.Body)
		}
		noKeys(t, p, "duesapply.")
		for _, path := range []string{"/dashboard", "/dues"} {
			if p := c.Get(path); !strings.Contains(p.Body, applyLink+"See or change your application</a>") {
				t.Errorf("%s does not link to the pending application", path)
			}
		}
	})

	t.Run("HardshipReplacesPending", func(t *testing.T) {
		c.Get("/dues/apply")
		p := mustPage(t, c.Post("/dues/apply", url.Values{"year": {y}, "kind": {"hardship"}, "labour_costs": {"500000"},
			"hardship_amount": {"75"}, "reason": {"Our shop flooded in the spring."}}), http.StatusOK, "/dues/apply")
		apps := applications(t, s, m.ID)
		if len(apps) != 1 || apps[0].Kind != payments.ApplicationHardship || apps[0].Dues.NetPence != 7500 {
			t.Fatalf("applications after asking for hardship dues: %+v", apps)
		}
		for _, want := range []string{"Hardship dues for " + y, "Asked to pay a year, before VAT £75", "Reason given Our shop flooded in the spring.",
			"Dues a year before VAT £75", "VAT £15", "Total to pay a year £90", "Normal dues before VAT £500"} {
			if !strings.Contains(p.Text(), want) {
				t.Errorf("the page does not say %q", want)
			}
		}
		if !strings.Contains(p.Body, `value="hardship" checked`) || !strings.Contains(p.Body, `>Our shop flooded in the spring.</textarea>`) {
			t.Error("the form is not filled from the hardship application")
		}
	})

	t.Run("NextYear", func(t *testing.T) {
		c.Get("/dues/apply")
		mustPage(t, c.Post("/dues/apply", url.Values{"year": {next}, "kind": {"declaration"}, "labour_costs": {"0"}}), http.StatusOK, "/dues/apply")
		apps := applications(t, s, m.ID)
		if len(apps) != 2 || apps[0].Year != year+1 || apps[0].Dues.Basis != payments.DuesMinimum || apps[0].Dues.GrossPence != 18000 {
			t.Fatalf("applications after declaring next year's: %+v", apps)
		}
	})

	t.Run("Decided", func(t *testing.T) {
		var this *payments.Application
		for _, a := range applications(t, s, m.ID) {
			if a.Year == year {
				this = a
			}
		}
		if _, err := s.Payments.DecideApplication(s.Staff(), this.ID, payments.Decision{Status: payments.ApplicationApproved, Notes: "Welcome aboard."}); err != nil {
			t.Fatal(err)
		}
		p := mustPage(t, c.Get("/dues/apply"), http.StatusOK, "/dues/apply")
		for _, want := range []string{"Status: Approved", "Notes from federation staff Welcome aboard.", "Decided "} {
			if !strings.Contains(p.Text(), want) {
				t.Errorf("the decided application does not say %q", want)
			}
		}
		// Settled: the dashboard no longer asks for a declaration; the
		// dues page still leads to next year's.
		if p := c.Get("/dashboard"); strings.Contains(p.Body, applyLink) {
			t.Error("the dashboard asks to declare dues that are settled")
		}
		if p := c.Get("/dues"); strings.Contains(p.Body, applyLink) || !strings.Contains(p.Body, `<a href="/dues/apply">Declare next year&#39;s labour costs`) {
			t.Errorf("the dues page once settled:\n%.2000s", p.Text())
		}
	})

	t.Run("ErrNoCSRF", func(t *testing.T) {
		before := len(applications(t, s, m.ID))
		c.Get("/dues/apply")
		p := c.Post("/dues/apply", url.Values{"csrf": {""}, "year": {next}, "kind": {"declaration"}, "labour_costs": {"1"}})
		if p.Status != http.StatusForbidden || !strings.Contains(p.Text(), "The form could not be sent") {
			t.Fatalf("without the CSRF token: %d", p.Status)
		}
		if after := applications(t, s, m.ID); len(after) != before || after[0].LabourCostsPence != 0 {
			t.Fatalf("an application was changed without the CSRF token: %+v", after[0])
		}
	})

	t.Run("ErrAnotherMembersOwner", func(t *testing.T) {
		other, otherOwner := s.AddMember(t, &marketplace.Member{Name: "Todmorden Bakers", Email: "hello@tod.example", Postcode: "OL14 5AA",
			Standing: marketplace.StandingPending})
		b := s.NewClient(t)
		b.SignIn(otherOwner.Email, webtest.Password)
		for _, path := range []string{"/dues/apply", "/dues/apply?member=" + m.ID} {
			p := mustPage(t, b.Get(path), http.StatusOK, "/dues/apply")
			for _, secret := range []string{"Our shop flooded", "£500,000", "Welcome aboard."} {
				if strings.Contains(p.Text(), secret) {
					t.Errorf("%s shows Todmorden Hebden's %q", path, secret)
				}
			}
		}
		before := applications(t, s, m.ID)
		p := b.Post("/dues/apply?member="+m.ID, url.Values{"year": {y}, "kind": {"declaration"}, "labour_costs": {"80000"}})
		mustPage(t, p, http.StatusOK, "/dues/apply")
		if got := applications(t, s, other.ID); len(got) != 1 || got[0].LabourCostsPence != 8_000_000 {
			t.Fatalf("Todmorden's applications: %+v", got)
		}
		if after := applications(t, s, m.ID); len(after) != len(before) {
			t.Fatalf("Todmorden's owner changed Hebden's applications: %d, were %d", len(after), len(before))
		}
	})

	t.Run("ErrEditor", func(t *testing.T) {
		editor, err := s.Service.AddUser(s.Staff(), m.ID, marketplace.NewUser{Email: "editor@hebden.example", Password: webtest.Password, Role: marketplace.RoleEditor})
		if err != nil {
			t.Fatal(err)
		}
		e := s.NewClient(t)
		e.SignIn(editor.Email, webtest.Password)
		before := len(applications(t, s, m.ID))
		p := e.Get("/dues/apply")
		if p.Status != http.StatusForbidden || !strings.Contains(p.Text(), "Only the owners of your co-operative's account can apply for its dues.") {
			t.Fatalf("the form for an editor: %d\n%.800s", p.Status, p.Text())
		}
		e.Get("/dashboard")
		if p := e.Post("/dues/apply", url.Values{"year": {next}, "kind": {"declaration"}, "labour_costs": {"1"}}); p.Status != http.StatusForbidden {
			t.Fatalf("an editor applying: %d", p.Status)
		}
		if after := len(applications(t, s, m.ID)); after != before {
			t.Fatalf("an editor's application was taken")
		}
	})

	t.Run("ErrNotSignedIn", func(t *testing.T) {
		p := s.NewClient(t).Get("/dues/apply")
		if u, _ := url.Parse(p.URL); u.Path != "/login" || u.Query().Get("next") != "/dues/apply" {
			t.Errorf("the public ends at %s", p.URL)
		}
		staff := s.NewClient(t)
		staff.SignIn("staff@federation.example", webtest.StaffPassword)
		if p := staff.Get("/dues/apply"); p.Status != http.StatusForbidden {
			t.Errorf("staff, who belong to no member: %d", p.Status)
		}
	})

	t.Run("Worker", func(t *testing.T) {
		w, wOwner := s.AddMember(t, &marketplace.Member{Kind: marketplace.MemberWorker, Name: "Sam Jones", Email: "sam@jones.example",
			Postcode: "LS6 1AA", Standing: marketplace.StandingPending})
		c := s.NewClient(t)
		c.SignIn(wOwner.Email, webtest.Password)
		if p := c.Get("/dashboard"); !strings.Contains(p.Body, applyLink+"Apply for your membership</a>") {
			t.Errorf("the dashboard of a worker member:\n%.2000s", p.Text())
		}
		p := mustPage(t, c.Get("/dues/apply"), http.StatusOK, "/dues/apply")
		if strings.Contains(p.Body, `name="labour_costs"`) || strings.Contains(p.Body, `name="hardship_amount"`) {
			t.Error("a worker member is asked for labour costs or hardship")
		}
		// Hardship asked for anyway is not for workers.
		p = mustPage(t, c.Post("/dues/apply", url.Values{"year": {y}, "kind": {"hardship"}, "hardship_amount": {"5"}}), http.StatusOK, "/dues/apply")
		if !strings.Contains(p.Text(), "Membership for "+y+" Status: Waiting for a decision by federation staff Dues None: worker members pay no enterprise dues") {
			t.Errorf("the worker's application:\n%.2000s", p.Text())
		}
		if apps := applications(t, s, w.ID); len(apps) != 1 || apps[0].Kind != payments.ApplicationDeclaration {
			t.Fatalf("the worker's applications: %+v", apps)
		}
	})

	t.Run("ErrCancelled", func(t *testing.T) {
		cm, cOwner := s.AddMember(t, &marketplace.Member{Name: "Gone Co-op", Email: "hello@gone.example", Postcode: "M1",
			Standing: marketplace.StandingCancelled})
		c := s.NewClient(t)
		c.SignIn(cOwner.Email, webtest.Password)
		p := mustPage(t, c.Get("/dues/apply"), http.StatusOK, "/dues/apply")
		if strings.Contains(p.Body, `action="/dues/apply"`) || !strings.Contains(p.Text(), "Your membership is cancelled.") {
			t.Errorf("the page of a cancelled member:\n%.1500s", p.Text())
		}
		if p := c.Post("/dues/apply", url.Values{"year": {y}, "kind": {"declaration"}, "labour_costs": {"1"}}); p.Status != http.StatusForbidden {
			t.Errorf("a cancelled member applying: %d", p.Status)
		}
		if apps := applications(t, s, cm.ID); len(apps) != 0 {
			t.Fatalf("a cancelled member's application was taken")
		}
	})

	t.Run("Welsh", func(t *testing.T) {
		c.Get("/dues/apply?lang=cy")
		p := mustPage(t, c.Post("/dues/apply", url.Values{"year": {y}, "kind": {"hardship"}, "labour_costs": {"deg"}}), http.StatusUnprocessableEntity, "/dues/apply")
		checkFieldError(t, p, "f-labour-costs", "Rhowch swm mewn punnoedd")
		checkFieldError(t, p, "f-hardship-amount", "Rhowch faint gall eich cwmni cydweithredol ei dalu y flwyddyn")
		if !strings.Contains(p.Text(), "Datgan eich costau llafur") || !strings.Contains(p.Text(), "Tâl caledi ar gyfer "+y) {
			t.Errorf("the Welsh page:\n%.2000s", p.Text())
		}
		c.Get("/dues/apply?lang=en")
	})
}
