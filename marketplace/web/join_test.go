package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"cooptrade/marketplace"
	"cooptrade/marketplace/web/webtest"
	"cooptrade/workers/mail/mailtest"
)

var (
	confirmLinkRE    = regexp.MustCompile(`/join/confirm\?token=(cma_[A-Za-z0-9_-]+)`)
	invitationLinkRE = regexp.MustCompile(`/invitation\?token=(cmi_[A-Za-z0-9_-]+)`)
)

// mailTo waits for the nth mail (from 1), which must go to the address,
// and returns it.
func mailTo(t *testing.T, smtp *mailtest.Server, n int, to string) mailtest.Message {
	t.Helper()
	m := smtp.Wait(t, n, 10*time.Second)[n-1]
	if len(m.To) != 1 || m.To[0] != to {
		t.Fatalf("mail %d (%q) went to %v; want %s", n, m.Subject, m.To, to)
	}
	return m
}

func secretIn(t *testing.T, m mailtest.Message, re *regexp.Regexp) string {
	t.Helper()
	got := re.FindStringSubmatch(m.Text)
	if got == nil {
		t.Fatalf("no link %s in %q:\n%s", re, m.Subject, m.Text)
	}
	return got[1]
}

// TestJoinPages goes the whole way in through the pages, in Welsh: a
// co-op applies (a robot filling the honeypot is answered alike and
// dropped), confirms by the mailed link, staff admit it on their page,
// the applicant accepts the invitation, is signed in on the dashboard,
// invites a colleague who accepts, and removes the colleague, whose
// session and API token stop at once.
func TestJoinPages(t *testing.T) {
	smtp := mailtest.NewServer(t)
	s := webtest.NewServer(t, webtest.Options{SMTP: smtp})
	applicant := "rhian@hebdenbakers.example"
	coop := url.Values{
		"kind": {"enterprise"}, "name": {"Hebden Bridge Bakers"}, "registration_number": {"RS007123"}, "sector": {"food-catering"},
		"postcode": {"HX7 8AD"}, "statement": {"Six bakers who own their bakery."}, "applicant_name": {"Rhian Jones"}, "email": {applicant},
	}

	c := s.NewClient(t)
	if p := c.Get("/?lang=cy"); !strings.Contains(p.Body, `href="/join"`) {
		t.Fatal("the home page has no link to join")
	}
	if p := c.Get("/privacy?lang=en"); !strings.Contains(p.Text(), "When you apply to join") || !strings.Contains(p.Text(), "a person a co-op's owner invites") {
		t.Error("the privacy notice does not say what applying and invitations keep")
	}
	c.Get("/join?lang=cy")
	robot := url.Values{}
	for k, v := range coop {
		robot[k] = v
	}
	robot.Set("email", "robot@spam.example")
	robot.Set("fax_number", "0113 496 0000")
	dropped := c.Post("/join", robot)
	c.Get("/join")
	bad := url.Values{}
	for k, v := range coop {
		bad[k] = v
	}
	bad.Set("registration_number", "ABC")
	if p := c.Post("/join", bad); p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Text(), "Rhowch rif Cymdeithas Gydweithredol") {
		t.Fatalf("a malformed registered number: %d %.500s", p.Status, p.Text())
	}
	c.Get("/join")
	sent := c.Post("/join", coop)
	if sent.Status != http.StatusOK || sent.Text() != dropped.Text() || !strings.Contains(sent.Text(), "Edrychwch ar eich e-bost") {
		t.Fatalf("applying: %d %.500s; the robot got %.200s", sent.Status, sent.Text(), dropped.Text())
	}
	m := mailTo(t, smtp, 1, applicant)
	if !strings.HasPrefix(m.Subject, "Cadarnhewch eich cais") {
		t.Errorf("the confirmation mail is not in Welsh: %q", m.Subject)
	}
	confirm := secretIn(t, m, confirmLinkRE)
	c.Get("/join/confirm?token=" + confirm)
	if p := c.Post("/join/confirm", url.Values{"token": {confirm}}); p.Status != http.StatusOK || !strings.Contains(p.Text(), "mae eich cais wedi'i gadarnhau") {
		t.Fatalf("confirming: %d %.500s", p.Status, p.Text())
	}
	c.Get("/join/confirm?token=" + confirm)
	if p := c.Post("/join/confirm", url.Values{"token": {confirm}}); p.Status != http.StatusBadRequest {
		t.Fatalf("confirming twice: %d", p.Status)
	}

	staff := s.NewClient(t)
	staff.SignIn("staff@federation.example", webtest.StaffPassword)
	p := staff.Get("/staff/join")
	if !strings.Contains(p.Text(), "Hebden Bridge Bakers") || strings.Contains(p.Text(), "robot@spam.example") {
		t.Fatalf("the staff's queue: %.800s", p.Text())
	}
	id := regexp.MustCompile(`/staff/join/([0-9a-f]{24})/admit`).FindStringSubmatch(p.Body)
	if id == nil {
		t.Fatalf("no admit form: %.800s", p.Body)
	}
	if p := staff.Post("/staff/join/"+id[1]+"/refuse", url.Values{"note": {""}}); p.Status != http.StatusUnprocessableEntity {
		t.Fatalf("refusing without a note: %d", p.Status)
	}
	staff.Get("/staff/join")
	if p := staff.Post("/staff/join/"+id[1]+"/admit", url.Values{"note": {"Croeso!"}}); !strings.Contains(p.Text(), "The member is admitted") {
		t.Fatalf("admitting: %d %.500s", p.Status, p.Text())
	}
	if !strings.Contains(mailTo(t, smtp, 2, applicant).Text, "Croeso!") {
		t.Error("the decision mail lacks the note")
	}
	invitation := secretIn(t, mailTo(t, smtp, 3, applicant), invitationLinkRE)

	owner := s.NewClient(t)
	owner.Get("/?lang=cy")
	if p := owner.Get("/invitation?token=" + invitation); !strings.Contains(p.Text(), "Mae Hebden Bridge Bakers yn eich gwahodd") {
		t.Fatalf("the invitation page: %d %.500s", p.Status, p.Text())
	}
	const password = "bara brith every morning"
	if p := owner.Post("/invitation", url.Values{"token": {invitation}, "name": {"Rhian Jones"}, "password": {password}, "confirm_password": {password}, "language": {"cy"}}); !strings.Contains(p.URL, "/dashboard") || !strings.Contains(p.Text(), "Croeso i'r farchnad gydweithredol") {
		t.Fatalf("accepting: %d at %s %.500s", p.Status, p.URL, p.Text())
	}
	if p := s.NewClient(t).Get("/invitation?token=" + invitation); p.Status != http.StatusBadRequest {
		t.Fatalf("the used invitation's page: %d", p.Status)
	}

	// The new owner invites a colleague, who accepts.
	owner.Get("/settings/users")
	colleague := "dai@hebdenbakers.example"
	if p := owner.Post("/settings/invitations", url.Values{"invite_email": {"not an address"}, "invite_role": {"editor"}, "invite_language": {"en"}}); p.Status != http.StatusUnprocessableEntity {
		t.Fatalf("inviting a bad address: %d", p.Status)
	}
	owner.Get("/settings/users")
	if p := owner.Post("/settings/invitations", url.Values{"invite_email": {colleague}, "invite_role": {"editor"}, "invite_language": {"en"}}); !strings.Contains(p.Text(), colleague) {
		t.Fatalf("inviting: %d %.800s", p.Status, p.Text())
	}
	first := secretIn(t, mailTo(t, smtp, 4, colleague), invitationLinkRE)
	// An invitation whose link has expired says so.
	founder, err := s.Service.Users.FindUserByEmail(webtest.As(s.StaffUser()), applicant)
	if err != nil {
		t.Fatal(err)
	}
	long := time.Now().Add(-30 * 24 * time.Hour)
	if err := s.Service.Invitations.CreateInvitation(webtest.As(s.StaffUser()), &marketplace.Invitation{ID: "00000000000000000000000a",
		MemberID: founder.MemberID, Email: "slow@hebdenbakers.example", Role: marketplace.RoleEditor, Language: "en", Hash: "expired",
		CreatedAt: long, SentAt: long, ExpiresAt: long.Add(marketplace.InvitationTTL)}); err != nil {
		t.Fatal(err)
	}
	if p := owner.Get("/settings/users"); !strings.Contains(p.Text(), "slow@hebdenbakers.example Golygydd Wedi dod i ben") {
		t.Errorf("the expired invitation on the users' page: %.2000s", p.Text())
	}
	inv := regexp.MustCompile(`/settings/invitations/([0-9a-f]{24})/resend`).FindStringSubmatch(owner.Get("/settings/users").Body)
	if inv == nil {
		t.Fatal("no pending invitation on the users' page")
	}
	owner.Post("/settings/invitations/"+inv[1]+"/resend", url.Values{})
	second := secretIn(t, mailTo(t, smtp, 5, colleague), invitationLinkRE)
	theirs := s.NewClient(t)
	const theirPassword = "sourdough starter in a jar"
	theirs.Get("/invitation?token=" + second)
	if p := theirs.Post("/invitation", url.Values{"token": {first}, "password": {theirPassword}, "confirm_password": {theirPassword}}); p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Text(), "no longer works") {
		t.Fatalf("the link sent before: %d %.400s", p.Status, p.Text())
	}
	if p := theirs.Get("/invitation?token=" + first); p.Status != http.StatusBadRequest || !strings.Contains(p.Text(), "no longer works") {
		t.Fatalf("the page of the link sent before: %d %.400s", p.Status, p.Text())
	}
	theirs.Get("/invitation?token=" + second)
	if p := theirs.Post("/invitation", url.Values{"token": {second}, "name": {"Dai"}, "password": {theirPassword}, "confirm_password": {theirPassword}, "language": {"en"}}); !strings.Contains(p.URL, "/dashboard") {
		t.Fatalf("the colleague accepting: %d at %s %.400s", p.Status, p.URL, p.Text())
	}
	token := apiToken(t, s, colleague, theirPassword)

	// Removed: the colleague's session and token stop at once.
	users, err := s.Service.FindMemberUsers(webtest.As(s.StaffUser()), memberOf(t, s, colleague))
	if err != nil {
		t.Fatal(err)
	}
	var colleagueID string
	for _, u := range users {
		if u.Email == colleague {
			colleagueID = u.ID
		}
	}
	owner.Get("/settings/users")
	owner.Post("/settings/users/"+colleagueID+"/remove", url.Values{})
	if p := theirs.Get("/dashboard"); strings.Contains(p.URL, "/dashboard") {
		t.Error("the removed colleague's session still reaches the dashboard")
	}
	if st := apiStatus(t, s, token); st != http.StatusUnauthorized {
		t.Errorf("the removed colleague's API token: %d; want 401", st)
	}
}

// memberOf returns the member of the user with the address.
func memberOf(t *testing.T, s *webtest.Server, email string) string {
	t.Helper()
	u, err := s.Service.Users.FindUserByEmail(webtest.As(s.StaffUser()), email)
	if err != nil {
		t.Fatal(err)
	}
	if u.Role != marketplace.RoleEditor || u.Language != "en" {
		t.Errorf("the colleague is %+v; want an editor reading English", u)
	}
	return u.MemberID
}
