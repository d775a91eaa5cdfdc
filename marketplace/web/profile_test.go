package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"cooptrade/marketplace"
	"cooptrade/marketplace/web/webtest"
)

// profileForm is the profile of Hebden as the form sends it, with its
// version.
func profileForm(version string) url.Values {
	return url.Values{
		"version": {version}, "name": {"Hebden Print Co-operative"},
		"description": {"Printers in Hebden Bridge since 1979.\r\nLitho and riso."},
		"website":     {"https://hebdenprint.example"}, "email": {"Orders@Hebden.example"}, "postcode": {"hx7 8ad"},
		"sectors": {"printing-publishing", "creative-media"}, "values": {"living-wage", "co-op-marque"},
		"headcount": {"14"}, "registration_number": {"ip 030123"},
	}
}

// versionOf returns the version the profile form carries.
func versionOf(t *testing.T, p webtest.Page) string {
	t.Helper()
	m := regexp.MustCompile(`name="version" value="(\d+)"`).FindStringSubmatch(p.Body)
	if m == nil {
		t.Fatalf("the form has no version:\n%.1500s", p.Body)
	}
	return m[1]
}

func TestProfile(t *testing.T) {
	s := webtest.NewServer(t, webtest.Options{})
	ma, mb, ua, ub := twoMembers(t, s)
	edit := "/coops/" + ma.Slug + "/edit"
	c := s.NewClient(t)
	c.SignIn(ua.Email, webtest.Password)

	t.Run("Linked", func(t *testing.T) {
		if p := c.Get("/dashboard"); !strings.Contains(p.Body, `<a href="`+edit+`">Your co-operative&#39;s profile</a>`) {
			t.Errorf("the dashboard does not link to the profile:\n%.1500s", p.Body)
		}
		if p := c.Get("/coops/" + ma.Slug); !strings.Contains(p.Body, `href="`+edit+`">Edit your profile</a>`) {
			t.Error("the co-op's page does not offer its owner to edit it")
		}
		for name, other := range map[string]*webtest.Client{"the public": s.NewClient(t), "another member's owner": signedIn(t, s, ub)} {
			if p := other.Get("/coops/" + ma.Slug); strings.Contains(p.Body, edit) {
				t.Errorf("%s is offered to edit Hebden's profile", name)
			}
		}
	})

	t.Run("Filled", func(t *testing.T) {
		p := mustPage(t, c.Get(edit), http.StatusOK, edit)
		noKeys(t, p, "profile.")
		for _, want := range []string{`name="name" value="Hebden Print Co-op"`, `name="email" value="hello@hebden.example"`,
			`name="postcode" value="HX7 8AD"`, `value="printing-publishing" checked`, `name="version" value="1"`} {
			if !strings.Contains(p.Body, want) {
				t.Errorf("the form lacks %s", want)
			}
		}
	})

	t.Run("ErrFields", func(t *testing.T) {
		for _, tt := range []struct {
			field, value, id, want string
		}{
			{"name", "", "f-name", "Enter your co-operative's name"},
			{"name", "H", "f-name", "Enter at least 2 characters"},
			{"email", "", "f-email", "Enter an e-mail address buyers can write to"},
			{"email", "orders at hebden", "f-email", "Enter an e-mail address, like name@example.coop"},
			{"website", "hebdenprint.example", "f-website", "Enter a web address starting with https://"},
			{"postcode", "", "f-postcode", "Enter your co-operative's postcode"},
			{"postcode", "ZZ9 9ZZ", "f-postcode", "Enter a postcode in the UK"},
			{"postcode", "not a postcode", "f-postcode", "Enter a UK postcode, like LS6 1AA"},
			{"headcount", "a dozen", "f-headcount", "Enter a whole number"},
			{"headcount", "-3", "f-headcount", "Enter 0 or more"},
			{"registration_number", "IP-030123!", "f-registration-number", "Enter letters and numbers only, like 12345R or IP030123"},
		} {
			t.Run(tt.field+"="+tt.value, func(t *testing.T) {
				c.Get(edit)
				f := profileForm("1")
				f.Set(tt.field, tt.value)
				p := mustPage(t, c.Post(edit, f), http.StatusUnprocessableEntity, edit)
				checkFieldError(t, p, tt.id, tt.want)
				// Everything typed is kept, the mistake too.
				for _, want := range []string{`name="website" value="https://hebdenprint.example"`, `value="creative-media" checked`,
					`value="co-op-marque" checked`, `>Printers in Hebden Bridge since 1979.` + "\n" + `Litho and riso.</textarea>`} {
					if tt.field != "website" && !strings.Contains(p.Body, want) {
						t.Errorf("the form lost %s", want)
					}
				}
				if tt.value != "" && !strings.Contains(tagOf(t, p.Body, tt.id), `value="`+tt.value+`"`) {
					t.Errorf("the value typed in %s is not kept", tt.id)
				}
			})
		}
		t.Run("TooManySectors", func(t *testing.T) {
			c.Get(edit)
			f := profileForm("1")
			f["sectors"] = []string{"printing-publishing", "creative-media", "software-digital", "food-catering", "cleaning", "construction-housing"}
			p := mustPage(t, c.Post(edit, f), http.StatusUnprocessableEntity, edit)
			checkGroupError(t, p, "f-sectors", "Choose at most 5 sectors")
			if strings.Count(p.Body, `" checked>`) < 6 {
				t.Error("the sectors ticked are not kept")
			}
		})
		t.Run("UnknownSector", func(t *testing.T) {
			c.Get(edit)
			f := profileForm("1")
			f["sectors"] = []string{"printing-publishing", "alchemy"}
			p := mustPage(t, c.Post(edit, f), http.StatusUnprocessableEntity, edit)
			checkGroupError(t, p, "f-sectors", "Choose one of the options")
		})
		t.Run("Summary", func(t *testing.T) {
			c.Get(edit)
			f := profileForm("1")
			f.Set("name", "")
			f.Set("postcode", "")
			f.Set("email", "nope")
			p := mustPage(t, c.Post(edit, f), http.StatusUnprocessableEntity, edit)
			if !regexp.MustCompile(`(?s)<a href="#f-name">Name: Enter.*<a href="#f-email">Contact e-mail address: Enter.*<a href="#f-postcode">Postcode: Enter`).MatchString(p.Body) {
				t.Errorf("the summary does not list the errors in the order of the form:\n%.3000s", p.Body)
			}
		})
		if m, _ := s.Service.FindMember(s.Staff(), ma.ID); m.Version != 1 {
			t.Fatalf("a form with errors changed the profile: version %d", m.Version)
		}
	})

	t.Run("Save", func(t *testing.T) {
		p := c.Get(edit)
		p = mustPage(t, c.Post(edit, profileForm(versionOf(t, p))), http.StatusOK, "/coops/"+ma.Slug)
		if done(p) != "profile_saved" || !strings.Contains(p.Text(), "Your co-operative's profile is saved.") {
			t.Fatalf("after saving: %s\n%.1500s", p.URL, p.Text())
		}
		for _, want := range []string{"Hebden Print Co-operative", "Printers in Hebden Bridge since 1979.", "Real Living Wage employer", "https://hebdenprint.example"} {
			if !strings.Contains(p.Text(), want) {
				t.Errorf("the public page does not show %q", want)
			}
		}
		// The contact address is kept, and never shown: buyers enquire.
		if strings.Contains(p.Text(), "orders@hebden.example") {
			t.Error("the co-op's page shows its contact address")
		}
		m, err := s.Service.FindMember(s.Staff(), ma.ID)
		if err != nil {
			t.Fatal(err)
		}
		got := []any{m.Name, m.Description, m.Website, m.Email, m.Postcode, m.Area, m.Sectors, m.Values, m.Headcount, m.RegistrationNumber, m.Slug, m.Version}
		want := []any{"Hebden Print Co-operative", "Printers in Hebden Bridge since 1979.\nLitho and riso.", "https://hebdenprint.example",
			"orders@hebden.example", "HX7 8AD", "HX", []string{"printing-publishing", "creative-media"}, []string{"living-wage", "co-op-marque"},
			14, "IP030123", ma.Slug, int64(2)}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("the member after saving (-want +got):\n%s", diff)
		}
	})

	t.Run("ErrStale", func(t *testing.T) {
		p := c.Get(edit)
		stale := versionOf(t, p)
		// Someone else saves meanwhile.
		other := "Written by the other owner."
		if _, err := s.Service.UpdateMember(webtest.As(ua), ma.ID, 0, marketplace.MemberUpdate{Description: &other}); err != nil {
			t.Fatal(err)
		}
		f := profileForm(stale)
		f.Set("description", "Our own words, typed at length.")
		p = mustPage(t, c.Post(edit, f), http.StatusUnprocessableEntity, edit)
		if !strings.Contains(p.Text(), "Someone saved this profile while you were editing it.") || !strings.Contains(p.Body, `>Our own words, typed at length.</textarea>`) {
			t.Fatalf("a stale form:\n%.2000s", p.Text())
		}
		if m, _ := s.Service.FindMember(s.Staff(), ma.ID); m.Description != other {
			t.Fatalf("the stale form was saved: %q", m.Description)
		}
		// Saving again, as the page now stands, writes over it.
		f.Set("version", versionOf(t, p))
		mustPage(t, c.Post(edit, f), http.StatusOK, "/coops/"+ma.Slug)
		if m, _ := s.Service.FindMember(s.Staff(), ma.ID); m.Description != "Our own words, typed at length." {
			t.Fatalf("saving again: %q", m.Description)
		}
	})

	t.Run("ErrNoCSRF", func(t *testing.T) {
		p := c.Get(edit)
		f := profileForm(versionOf(t, p))
		f.Set("name", "Taken Over Without A Token")
		f.Set("csrf", "")
		if p := c.Post(edit, f); p.Status != http.StatusForbidden || !strings.Contains(p.Text(), "The form could not be sent") {
			t.Fatalf("without the CSRF token: %d", p.Status)
		}
		if m, _ := s.Service.FindMember(s.Staff(), ma.ID); m.Name == "Taken Over Without A Token" {
			t.Fatal("the profile was changed without the CSRF token")
		}
	})

	t.Run("ErrAnotherMembersOwner", func(t *testing.T) {
		b := signedIn(t, s, ub)
		if p := b.Get(edit); p.Status != http.StatusForbidden || !strings.Contains(p.Text(), "Only the owners of a co-operative's account can change its profile.") {
			t.Fatalf("another member's owner at the form: %d\n%.800s", p.Status, p.Text())
		}
		b.Get("/coops/" + mb.Slug + "/edit")
		f := profileForm("0")
		f.Set("name", "Taken Over By Leith")
		if p := b.Post(edit, f); p.Status != http.StatusForbidden {
			t.Fatalf("another member's owner saving: %d", p.Status)
		}
		if m, _ := s.Service.FindMember(s.Staff(), ma.ID); m.Name == "Taken Over By Leith" {
			t.Fatal("another member's owner changed the profile")
		}
		// Their own is theirs to change.
		mustPage(t, b.Get("/coops/"+mb.Slug+"/edit"), http.StatusOK, "/coops/"+mb.Slug+"/edit")
	})

	t.Run("ErrEditor", func(t *testing.T) {
		editor, err := s.Service.AddUser(s.Staff(), ma.ID, marketplace.NewUser{Email: "editor@hebden.example", Password: webtest.Password, Role: marketplace.RoleEditor})
		if err != nil {
			t.Fatal(err)
		}
		e := signedIn(t, s, editor)
		if p := e.Get("/dashboard"); strings.Contains(p.Body, edit) {
			t.Error("an editor's dashboard links to the profile form")
		}
		if p := e.Get(edit); p.Status != http.StatusForbidden {
			t.Fatalf("an editor at the form: %d", p.Status)
		}
		f := profileForm("0")
		f.Set("name", "Renamed By An Editor")
		if p := e.Post(edit, f); p.Status != http.StatusForbidden {
			t.Fatalf("an editor saving: %d", p.Status)
		}
		if m, _ := s.Service.FindMember(s.Staff(), ma.ID); m.Name == "Renamed By An Editor" {
			t.Fatal("an editor changed the profile")
		}
	})

	t.Run("ErrNotSignedIn", func(t *testing.T) {
		p := s.NewClient(t).Get(edit)
		if u, _ := url.Parse(p.URL); u.Path != "/login" || u.Query().Get("next") != edit {
			t.Errorf("the public ends at %s", p.URL)
		}
		if p := c.Get("/coops/nobody-at-all/edit"); p.Status != http.StatusNotFound {
			t.Errorf("the profile of no member: %d", p.Status)
		}
	})

	t.Run("Welsh", func(t *testing.T) {
		c.Get(edit + "?lang=cy")
		f := profileForm(versionOf(t, c.Last))
		f.Set("website", "ftp://hebden.example")
		p := mustPage(t, c.Post(edit, f), http.StatusUnprocessableEntity, edit)
		checkFieldError(t, p, "f-website", "Rhowch gyfeiriad gwe sy'n dechrau gyda https://")
		if !strings.Contains(p.Text(), "Golygu proffil eich cwmni cydweithredol") || !strings.Contains(p.Text(), "Argraffu a chyhoeddi") {
			t.Errorf("the Welsh form:\n%.2000s", p.Text())
		}
		c.Get(edit + "?lang=en")
	})
}

// signedIn returns a client signed in as u, with the password every
// seeded user has.
func signedIn(t *testing.T, s *webtest.Server, u *marketplace.User) *webtest.Client {
	t.Helper()
	c := s.NewClient(t)
	c.SignIn(u.Email, webtest.Password)
	return c
}
