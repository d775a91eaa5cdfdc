package web_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"cooptrade/marketplace"
	"cooptrade/marketplace/web/webtest"
)

// TestPrivacySettings downloads one's data as a file and as a page, in
// English and Welsh, an owner its co-op's too; the last owner cannot close
// their account; an editor can, and is signed out with the account gone.
func TestPrivacySettings(t *testing.T) {
	s := webtest.NewServer(t, webtest.Options{})
	m, owner := s.AddMember(t, &marketplace.Member{Name: "Hebden Print Co-op", Email: "hello@hebden.example", Postcode: "HX7 8AD", Sectors: []string{"printing-publishing"}})
	editor, err := s.Service.AddUser(s.Staff(), m.ID, marketplace.NewUser{Email: "edi@hebden.example", Name: "Edi Tor", Password: webtest.Password, Role: marketplace.RoleEditor})
	if err != nil {
		t.Fatal(err)
	}

	c := s.NewClient(t)
	c.SignIn(editor.Email, webtest.Password)
	p := c.Get("/settings/privacy")
	if p.Status != http.StatusOK || !strings.Contains(p.Text(), "Download your data") || strings.Contains(p.Body, "/settings/privacy/coop") {
		t.Fatalf("/settings/privacy for an editor: %d\n%.1500s", p.Status, p.Text())
	}
	f := c.Get("/settings/privacy/me.json")
	var export marketplace.PersonalExport
	if err := json.Unmarshal([]byte(f.Body), &export); err != nil || !strings.HasPrefix(f.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("/settings/privacy/me.json: %v, %q\n%.500s", err, f.Header.Get("Content-Disposition"), f.Body)
	}
	if export.Subject != marketplace.UserSubject(editor.ID) || len(export.Records["sessions"]) != 1 || strings.Contains(f.Body, "passwordHash") || strings.Contains(f.Body, "csrf") {
		t.Errorf("the editor's export: %s", f.Body)
	}
	page := c.Get("/settings/privacy/me")
	if page.Status != http.StatusOK || !strings.Contains(page.Text(), editor.Email) || !strings.Contains(page.Text(), "Everything we keep about you") {
		t.Errorf("/settings/privacy/me: %d\n%.1500s", page.Status, page.Text())
	}
	if page := c.Get("/settings/privacy/me?lang=cy"); !strings.Contains(page.Text(), "Popeth rydyn ni'n ei gadw amdanoch chi") {
		t.Errorf("/settings/privacy/me in Welsh:\n%.1500s", page.Text())
	}
	c.Get("/settings/privacy?lang=en")

	// A download prepared by a job, from a link shown once.
	p = c.Post("/settings/privacy/prepare", url.Values{"whose": {"me"}})
	link := regexp.MustCompile(`/settings/privacy/download/cmx_[A-Za-z0-9_-]+`).FindString(p.Body)
	if p.Status != http.StatusOK || link == "" {
		t.Fatalf("preparing a download: %d\n%.1500s", p.Status, p.Text())
	}
	if p := c.Get(link); p.Status != http.StatusOK || !strings.Contains(p.Text(), "not ready yet") {
		t.Errorf("a download being prepared: %d\n%.1000s", p.Status, p.Text())
	}
	other := s.NewClient(t)
	other.SignIn(owner.Email, webtest.Password)
	if got := other.Get(link); got.Status != http.StatusNotFound {
		t.Errorf("another user fetches the download: %d", got.Status)
	}
	if err := s.Service.BuildExport(s.Staff(), marketplace.HashToken(strings.TrimPrefix(link, "/settings/privacy/download/"))); err != nil {
		t.Fatal(err)
	}
	if p := c.Get(link); !strings.Contains(p.Body, editor.Email) || !strings.HasPrefix(p.Header.Get("Content-Disposition"), "attachment") {
		t.Errorf("the prepared download: %d %q\n%.500s", p.Status, p.Header.Get("Content-Disposition"), p.Body)
	}
	c.Get("/settings/privacy")
	if p := c.Get("/settings/privacy/coop.json"); p.Status != http.StatusNotFound {
		t.Errorf("an editor downloads the co-op's data: %d", p.Status)
	}

	o := s.NewClient(t)
	o.SignIn(owner.Email, webtest.Password)
	if p := o.Get("/settings/privacy"); !strings.Contains(p.Body, "/settings/privacy/coop") {
		t.Errorf("/settings/privacy for an owner offers no co-op export:\n%.1500s", p.Text())
	}
	if p := o.Get("/settings/privacy/coop"); p.Status != http.StatusOK || !strings.Contains(p.Text(), "hello@hebden.example") {
		t.Errorf("/settings/privacy/coop: %d\n%.1500s", p.Status, p.Text())
	}
	o.Get("/settings/privacy")
	if p := o.Post("/settings/privacy/close", url.Values{"confirm": {"on"}}); p.Status != http.StatusConflict || !strings.Contains(p.Text(), "last owner") {
		t.Errorf("the last owner closes their account: %d\n%.1500s", p.Status, p.Text())
	}

	c.Get("/settings/privacy")
	if p := c.Post("/settings/privacy/close", url.Values{}); p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Text(), "Tick the box") {
		t.Errorf("closing without confirming: %d\n%.1500s", p.Status, p.Text())
	}
	p = c.Post("/settings/privacy/close", url.Values{"confirm": {"on"}})
	if p.Status != http.StatusOK || !strings.Contains(p.Text(), "Your account is closed") {
		t.Errorf("closing the account: %d at %s\n%.1500s", p.Status, p.URL, p.Text())
	}
	if p := c.Get("/dashboard"); !strings.Contains(p.URL, "/login") {
		t.Errorf("still signed in after closing the account: %s", p.URL)
	}
	if _, err := s.Service.Users.FindUserByID(s.Staff(), editor.ID); marketplace.ErrorCode(err) != marketplace.ENOTFOUND {
		t.Errorf("the closed account is still there: %v", err)
	}
}

// TestPrivacyNoticeStatesRetention checks that the notice gives every row
// of the retention table, with the period set, in both languages.
func TestPrivacyNoticeStatesRetention(t *testing.T) {
	s := webtest.NewServer(t, webtest.Options{})
	c := s.NewClient(t)
	en := c.Get("/privacy").Text()
	for _, want := range []string{"How long we keep each kind of record", "30 days", "6 years", "2 years", "90 days", "1 year",
		"Invitations not taken up", "Refused applications to join", "180 days", "48 hours", "While the member exists"} {
		if !strings.Contains(en, want) {
			t.Errorf("the notice does not say %q:\n%.3000s", want, en)
		}
	}
	cy := c.Get("/privacy?lang=cy").Text()
	for _, want := range []string{"Am ba hyd rydyn ni'n cadw pob math o gofnod", "30 diwrnod", "6 blynedd", "2 flynedd", "blwyddyn",
		"Gwahoddiadau na chawson nhw eu derbyn", "Ceisiadau i ymuno a wrthodwyd", "180 diwrnod", "48 awr", "Tra bo'r aelod yn bodoli"} {
		if !strings.Contains(cy, want) {
			t.Errorf("the Welsh notice does not say %q:\n%.3000s", want, cy)
		}
	}
}

// TestStaffEraseMember downloads a member's data and erases it from the
// staff's page of the member.
func TestStaffEraseMember(t *testing.T) {
	s := webtest.NewServer(t, webtest.Options{})
	m, owner := s.AddMember(t, &marketplace.Member{Name: "Leaving Printers", Email: "hello@leaving.example", Postcode: "HX7 8AD", Sectors: []string{"printing-publishing"}})
	staff := s.NewClient(t)
	staff.SignIn("staff@federation.example", webtest.StaffPassword)
	page := staff.Get("/staff/members/" + m.ID)
	if !strings.Contains(page.Body, "/staff/members/"+m.ID+"/data.json") || !strings.Contains(page.Text(), "Erase this member") {
		t.Fatalf("the staff's page of the member offers no export or erasure:\n%.2000s", page.Text())
	}
	f := staff.Get("/staff/members/" + m.ID + "/data.json")
	if !strings.Contains(f.Body, "hello@leaving.example") || !strings.Contains(f.Body, owner.Email) {
		t.Errorf("the member's export: %.500s", f.Body)
	}
	staff.Get("/staff/members/" + m.ID)
	if p := staff.Post("/staff/members/"+m.ID+"/erase", url.Values{}); p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Text(), "Tick the box") {
		t.Errorf("erasing without confirming: %d\n%.1500s", p.Status, p.Text())
	}
	if p := staff.Post("/staff/members/"+m.ID+"/erase", url.Values{"erase_confirm": {"on"}}); p.Status != http.StatusOK || !strings.Contains(p.Text(), "The member and its users are erased") {
		t.Errorf("erasing: %d at %s\n%.1500s", p.Status, p.URL, p.Text())
	}
	if _, err := s.Service.Members.FindMemberByID(s.Staff(), m.ID); marketplace.ErrorCode(err) != marketplace.ENOTFOUND {
		t.Errorf("the erased member is still there: %v", err)
	}
	if _, err := s.Service.Users.FindUserByEmail(s.Staff(), owner.Email); marketplace.ErrorCode(err) != marketplace.ENOTFOUND {
		t.Errorf("the erased member's owner is still there: %v", err)
	}
	o := s.NewClient(t)
	o.Get("/login")
	if p := o.Post("/login", url.Values{"email": {owner.Email}, "password": {webtest.Password}}); strings.Contains(p.URL, "/dashboard") {
		t.Errorf("the erased member's owner still signs in")
	}
}
