package httpapi_test

import (
	"strings"
	"testing"

	"cooptrade/marketplace"
	"cooptrade/workers/mail/mailtest"
)

// joinScenario applies to join on the contract: the same answer whatever
// the address; shapes checked; staff see an application only once its
// address is confirmed, by a link that works once; admitting creates the
// member and invites the applicant to own it, in the application's
// language; refusing needs a note; the applicant hears either way.
func joinScenario(t *testing.T, c *contract, smtp *mailtest.Server, staff string) {
	t.Helper()
	ts := c.ts
	box := newMailbox(smtp)
	_, owner := ts.memberWithOwner(t, staff, "Already Members", marketplace.StandingActive)
	coop := map[string]any{
		"kind": "enterprise", "name": "Hebden Bridge Bakers", "registration_number": "ip 31234r", "sector": "printing-publishing",
		"postcode": "hx7 8ad", "website": "https://hebdenbakers.example", "statement": "Six bakers who own their bakery.",
		"applicant_name": "Rhian Jones", "email": "rhian@hebdenbakers.example", "language": "cy",
	}
	fresh := c.do(t, "POST", "/v1/applications", "", coop).must(t, 202)
	confirm := link(t, box.next(t, "rhian@hebdenbakers.example"), confirmLink)
	known := c.do(t, "POST", "/v1/applications", "", withValues(coop, "email", "owner@already-members.example", "name", "Already Members Again")).must(t, 202)
	box.next(t, "owner@already-members.example")
	if string(fresh.Body) != string(known.Body) {
		t.Errorf("a new address got %s, one with an account %s; want the same", fresh.Body, known.Body)
	}
	wantProblemFields(t, c.do(t, "POST", "/v1/applications", "", withValues(coop, "registration_number", "ABC")).must(t, 400), "registration_number")
	wantProblemFields(t, c.do(t, "POST", "/v1/applications", "", withValues(coop, "registration_number", "")).must(t, 400), "registration_number")
	wantProblemFields(t, c.do(t, "POST", "/v1/applications", "", withValues(coop, "sector", "piracy", "postcode", "nowhere", "website", "ftp://x")).must(t, 400), "sector", "postcode", "website")
	wantProblemFields(t, c.doBreaking(t, "POST", "/v1/applications", "", withValues(coop, "kind", "corporation")).must(t, 400), "kind")
	c.doBreaking(t, "POST", "/v1/applications", "", withValues(coop, "email", map[string]any{"$gt": ""})).must(t, 400)
	c.doBreaking(t, "POST", "/v1/applications", "", withValues(coop, "$where", "sleep(100)")).must(t, 400)

	// Staff see nothing until the address is confirmed.
	var queue struct {
		Items []*marketplace.JoinApplication
	}
	c.do(t, "GET", "/v1/staff/join-applications", staff, nil).must(t, 200).decode(t, &queue)
	if len(queue.Items) != 0 {
		t.Errorf("unconfirmed applications reach staff: %+v", queue.Items)
	}
	c.do(t, "GET", "/v1/staff/join-applications", owner, nil).must(t, 403)
	wantProblemFields(t, c.do(t, "POST", "/v1/applications/confirm", "", map[string]any{"token": "cma_forged"}).must(t, 400), "token")
	c.do(t, "POST", "/v1/applications/confirm", "", map[string]any{"token": confirm}).must(t, 204)
	wantProblemFields(t, c.do(t, "POST", "/v1/applications/confirm", "", map[string]any{"token": confirm}).must(t, 400), "token")
	c.do(t, "GET", "/v1/staff/join-applications", staff, nil).must(t, 200).decode(t, &queue)
	if len(queue.Items) != 1 || queue.Items[0].Name != "Hebden Bridge Bakers" || queue.Items[0].RegistrationNumber != "IP31234R" || queue.Items[0].Postcode != "HX7 8AD" {
		t.Fatalf("the queue is %+v; want the confirmed application, tidied", queue.Items)
	}
	app := *queue.Items[0]

	// Admitting creates the member, pending its dues, and invites the
	// applicant to own it, in Welsh.
	admit := "/v1/staff/join-applications/" + app.ID + "/admit"
	c.do(t, "POST", admit, owner, map[string]any{"note": "Croeso."}).must(t, 403)
	c.do(t, "POST", "/v1/staff/join-applications/0123456789abcdef01234567/admit", staff, map[string]any{}).must(t, 404)
	var admitted marketplace.JoinApplication
	c.do(t, "POST", admit, staff, map[string]any{"note": "Croeso i'r ffederasiwn."}).must(t, 200).decode(t, &admitted)
	c.do(t, "POST", admit, staff, map[string]any{}).must(t, 409)
	if admitted.Status != marketplace.ApplicationAdmitted || admitted.MemberID == "" {
		t.Fatalf("admitted %+v", admitted)
	}
	var member marketplace.Member
	c.do(t, "GET", "/v1/members/"+admitted.MemberID, staff, nil).must(t, 200).decode(t, &member)
	if member.Standing != marketplace.StandingPending || member.Kind != marketplace.MemberEnterprise || member.RegistrationNumber != "IP31234R" {
		t.Errorf("the new member is %+v; want a pending enterprise", member)
	}
	decision := box.next(t, "rhian@hebdenbakers.example")
	if !strings.HasPrefix(decision.Subject, "Croeso i'r ffederasiwn") || !strings.Contains(decision.Text, "Croeso i'r ffederasiwn.") {
		t.Errorf("the decision mail is %q:\n%s", decision.Subject, decision.Text)
	}
	invitation := link(t, box.next(t, "rhian@hebdenbakers.example"), invitationLink)
	var in struct {
		Token string
		User  marketplace.User
	}
	c.do(t, "POST", "/v1/invitations/accept", "", map[string]any{"token": invitation, "name": "Rhian Jones", "password": "bara brith bob bore"}).must(t, 201).decode(t, &in)
	if in.User.MemberID != admitted.MemberID || in.User.Role != marketplace.RoleOwner || in.User.Language != "cy" {
		t.Errorf("the first owner is %+v", in.User)
	}

	// Refusing takes a note, which the applicant is sent.
	worker := withValues(coop, "kind", "worker", "registration_number", "", "name", "Dai the Joiner", "email", "dai@joiner.example", "language", "en")
	c.do(t, "POST", "/v1/applications", "", worker).must(t, 202)
	c.do(t, "POST", "/v1/applications/confirm", "", map[string]any{"token": link(t, box.next(t, "dai@joiner.example"), confirmLink)}).must(t, 204)
	c.do(t, "GET", "/v1/staff/join-applications", staff, nil).must(t, 200).decode(t, &queue)
	if len(queue.Items) != 1 || queue.Items[0].Kind != marketplace.MemberWorker {
		t.Fatalf("the queue is %+v; want the worker's application alone", queue.Items)
	}
	refuse := "/v1/staff/join-applications/" + queue.Items[0].ID + "/refuse"
	wantProblemFields(t, c.do(t, "POST", refuse, staff, map[string]any{"note": " "}).must(t, 400), "note")
	c.do(t, "POST", refuse, staff, map[string]any{"note": "Join through your working group first."}).must(t, 200)
	c.do(t, "POST", refuse, staff, map[string]any{"note": "Again."}).must(t, 409)
	if m := box.next(t, "dai@joiner.example"); !strings.Contains(m.Text, "Join through your working group first.") {
		t.Errorf("the refusal says:\n%s", m.Text)
	}

	// An address applies at most three times a day; a fourth is answered
	// alike and dropped: the next mail is to someone else.
	for range marketplace.ApplicationsPerDay {
		c.do(t, "POST", "/v1/applications", "", withValues(coop, "email", "eager@applicant.example")).must(t, 202)
		box.next(t, "eager@applicant.example")
	}
	if again := c.do(t, "POST", "/v1/applications", "", withValues(coop, "email", "eager@applicant.example")).must(t, 202); string(again.Body) != string(fresh.Body) {
		t.Errorf("an address over its limit got %s; want the usual answer", again.Body)
	}
	c.do(t, "POST", "/v1/applications", "", withValues(coop, "email", "patient@applicant.example")).must(t, 202)
	box.next(t, "patient@applicant.example")

	// Staff invite for any member.
	c.do(t, "POST", "/v1/members/"+admitted.MemberID+"/invitations", staff, map[string]any{"email": "second@hebdenbakers.example", "role": "editor"}).must(t, 201)
	box.next(t, "second@hebdenbakers.example")

	var audit struct{ Items []*marketplace.AuditEntry }
	c.do(t, "GET", "/v1/staff/audit?subject=application:"+app.ID, staff, nil).must(t, 200).decode(t, &audit)
	var actions []string
	for _, e := range audit.Items {
		actions = append(actions, e.Action+" by "+e.Actor)
	}
	if got := strings.Join(actions, "; "); !strings.Contains(got, "application.admit by staff-") || !strings.Contains(got, "application.confirm by rhian@hebdenbakers.example") {
		t.Errorf("the application's audit: %s", got)
	}
}
