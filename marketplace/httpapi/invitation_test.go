package httpapi_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"cooptrade/marketplace"
	"cooptrade/workers/mail/mailtest"
)

var (
	invitationLink = regexp.MustCompile(`https://marketplace\.example/invitation\?token=(cmi_[A-Za-z0-9_-]+)`)
	confirmLink    = regexp.MustCompile(`https://marketplace\.example/join/confirm\?token=(cma_[A-Za-z0-9_-]+)`)
)

// mailbox reads the mails a scenario causes, one at a time.
type mailbox struct {
	smtp   *mailtest.Server
	mailed int
}

func newMailbox(smtp *mailtest.Server) *mailbox {
	return &mailbox{smtp: smtp, mailed: len(smtp.Messages())}
}

// next waits for the next mail, which must go to the address alone.
func (b *mailbox) next(t *testing.T, to string) mailtest.Message {
	t.Helper()
	msgs := b.smtp.Wait(t, b.mailed+1, 10*time.Second)
	m := msgs[b.mailed]
	b.mailed++
	if len(m.To) != 1 || m.To[0] != to {
		t.Fatalf("a mail (%q) went to %v; want %s", m.Subject, m.To, to)
	}
	return m
}

// link returns the secret of the link re finds in both parts of m.
func link(t *testing.T, m mailtest.Message, re *regexp.Regexp) string {
	t.Helper()
	got := re.FindStringSubmatch(m.Text)
	if got == nil || !re.MatchString(m.HTML) {
		t.Fatalf("no link %s in the mail %q:\n%s\n%s", re, m.Subject, m.Text, m.HTML)
	}
	return got[1]
}

// invitationsScenario invites people on the contract: an owner invites,
// lists, sends again and withdraws; a link works once, not after seven
// days, not after a newer one, not once withdrawn; another member's owner
// finds none of it; an address with an account is told so only on the
// link's page; inviting is limited and audited.
func invitationsScenario(t *testing.T, c *contract, smtp *mailtest.Server, staff string) {
	t.Helper()
	ts := c.ts
	box := newMailbox(smtp)
	m, owner := ts.memberWithOwner(t, staff, "Inviting Printers", marketplace.StandingActive)
	other, otherOwner := ts.memberWithOwner(t, staff, "Elsewhere Bakers", marketplace.StandingActive)
	invitations := "/v1/members/" + m.ID + "/invitations"
	invite := func(email string, role marketplace.Role, lang string) (*marketplace.Invitation, string) {
		t.Helper()
		var inv marketplace.Invitation
		c.do(t, "POST", invitations, owner, map[string]any{"email": email, "role": role, "language": lang}).must(t, 201).decode(t, &inv)
		return &inv, link(t, box.next(t, strings.ToLower(email)), invitationLink)
	}
	accept := func(secret, password string) *response {
		t.Helper()
		return c.do(t, "POST", "/v1/invitations/accept", "", map[string]any{"token": secret, "name": "Jo Bloggs", "password": password})
	}

	jo, first := invite("Jo@Inviting-Printers.example", marketplace.RoleEditor, "cy")
	if jo.Email != "jo@inviting-printers.example" || jo.Language != "cy" || !jo.ExpiresAt.Equal(ts.now.Add(7*24*time.Hour)) {
		t.Errorf("invitation %+v; want the lower-cased address, in Welsh, for seven days", jo)
	}
	if got := smtp.Messages()[box.mailed-1]; !strings.HasPrefix(got.Subject, "Gwahoddiad gan Inviting Printers") {
		t.Errorf("the Welsh invitation's subject is %q", got.Subject)
	}
	wantProblemFields(t, c.doBreaking(t, "POST", invitations, owner, map[string]any{"email": "not an address", "role": "boss"}).must(t, 400), "email", "role")
	c.doBreaking(t, "POST", invitations, owner, map[string]any{"email": map[string]any{"$gt": ""}, "role": "editor"}).must(t, 400)
	c.doBreaking(t, "POST", invitations, owner, map[string]any{"email": "a@b.example", "role": "editor", "$where": "1"}).must(t, 400)

	// Another member's owner finds nothing, by this member's path or
	// their own.
	c.do(t, "GET", invitations, otherOwner, nil).must(t, 404)
	c.do(t, "POST", invitations, otherOwner, map[string]any{"email": "x@y.example", "role": "owner"}).must(t, 404)
	c.do(t, "DELETE", invitations+"/"+jo.ID, otherOwner, nil).must(t, 404)
	c.do(t, "POST", invitations+"/"+jo.ID+"/resend", otherOwner, nil).must(t, 404)
	c.do(t, "POST", "/v1/members/"+other.ID+"/invitations/"+jo.ID+"/resend", otherOwner, nil).must(t, 404)
	c.do(t, "DELETE", "/v1/members/"+other.ID+"/invitations/"+jo.ID, otherOwner, nil).must(t, 404)
	c.doBreaking(t, "GET", invitations, "", nil).must(t, 401)

	var list struct{ Items []*marketplace.Invitation }
	c.do(t, "GET", invitations, owner, nil).must(t, 200).decode(t, &list)
	if len(list.Items) != 1 || list.Items[0].ID != jo.ID {
		t.Errorf("pending invitations %+v; want jo's", list.Items)
	}
	c.do(t, "GET", invitations, staff, nil).must(t, 200)

	// Sending again voids the first link.
	c.do(t, "POST", invitations+"/"+jo.ID+"/resend", owner, nil).must(t, 200)
	second := link(t, box.next(t, jo.Email), invitationLink)
	wantProblemFields(t, accept(first, "a long new password").must(t, 400), "token")
	// A refused password leaves the link working; then it works once.
	wantProblemFields(t, accept(second, "short").must(t, 400), "password")
	var in struct {
		Token string
		User  marketplace.User
	}
	accept(second, "a long new password").must(t, 201).decode(t, &in)
	if in.User.MemberID != m.ID || in.User.Role != marketplace.RoleEditor || in.User.Language != "cy" || in.User.Name != "Jo Bloggs" {
		t.Errorf("the new user is %+v; want an editor of %s reading Welsh", in.User, m.ID)
	}
	c.do(t, "GET", "/v1/me", in.Token, nil).must(t, 200)
	wantProblemFields(t, accept(second, "another long password").must(t, 400), "token")
	wantProblemFields(t, accept("cmi_forged", "another long password").must(t, 400), "token")
	c.doBreaking(t, "POST", "/v1/invitations/accept", "", map[string]any{"token": map[string]any{"$ne": ""}, "password": "x"}).must(t, 400)
	c.do(t, "GET", invitations, owner, nil).must(t, 200).decode(t, &list)
	if len(list.Items) != 0 {
		t.Errorf("an accepted invitation is still pending: %+v", list.Items)
	}

	// Withdrawn: the link stops working.
	gone, goneLink := invite("gone@inviting-printers.example", marketplace.RoleOwner, "en")
	c.do(t, "DELETE", invitations+"/"+gone.ID, owner, nil).must(t, 204)
	c.do(t, "DELETE", invitations+"/"+gone.ID, owner, nil).must(t, 404)
	wantProblemFields(t, accept(goneLink, "a long new password").must(t, 400), "token")

	// An address with an account: the inviter is answered as for any
	// address; the person holding the link is told.
	var taken marketplace.Invitation
	c.do(t, "POST", invitations, owner, map[string]any{"email": "owner@elsewhere-bakers.example", "role": "editor"}).must(t, 201).decode(t, &taken)
	takenLink := link(t, box.next(t, "owner@elsewhere-bakers.example"), invitationLink)
	wantProblemFields(t, accept(takenLink, "a long new password").must(t, 400), "email")

	// Not after seven days; listed then as expired, not as waiting, and
	// sending it again (here by staff) makes it wait once more.
	slow, late := invite("late@inviting-printers.example", marketplace.RoleEditor, "en")
	expired := func() map[string]bool {
		t.Helper()
		c.do(t, "GET", invitations, owner, nil).must(t, 200).decode(t, &list)
		got := map[string]bool{}
		for _, inv := range list.Items {
			got[inv.Email] = inv.Expired
		}
		return got
	}
	if got := expired(); len(got) != 2 || got[slow.Email] || got[taken.Email] {
		t.Errorf("fresh invitations listed as expired: %v", got)
	}
	was := ts.now
	ts.now = ts.now.Add(marketplace.InvitationTTL + time.Second)
	wantProblemFields(t, accept(late, "a long new password").must(t, 400), "token")
	if got := expired(); !got[slow.Email] || !got[taken.Email] {
		t.Errorf("invitations past their seven days not listed as expired: %v", got)
	}
	var again marketplace.Invitation
	c.do(t, "POST", invitations+"/"+slow.ID+"/resend", staff, nil).must(t, 200).decode(t, &again)
	box.next(t, slow.Email)
	if got := expired(); again.Expired || got[slow.Email] || !got[taken.Email] {
		t.Errorf("after sending one again: %v (answer %+v)", got, again)
	}
	ts.now = was

	// Every action is audited with who did it.
	var audit struct{ Items []*marketplace.AuditEntry }
	c.do(t, "GET", "/v1/staff/audit?subject=member:"+m.ID, staff, nil).must(t, 200).decode(t, &audit)
	seen := map[string]string{}
	for _, e := range audit.Items {
		seen[e.Action] = e.Actor
	}
	for action, actor := range map[string]string{"invitation.create": "owner@inviting-printers.example", "invitation.resend": "owner@inviting-printers.example",
		"invitation.withdraw": "owner@inviting-printers.example", "invitation.accept": "jo@inviting-printers.example"} {
		if seen[action] != actor {
			t.Errorf("audit of %s by %q; want by %q (log %v)", action, seen[action], actor, seen)
		}
	}

	// Inviting is limited per user: five sent so far (a resend counts).
	for i := 5; i < marketplace.InvitationsPerHour; i++ {
		c.do(t, "POST", invitations, owner, map[string]any{"email": "many" + string(rune('a'+i)) + "@inviting-printers.example", "role": "editor"}).must(t, 201)
	}
	c.do(t, "POST", invitations, owner, map[string]any{"email": "one-too-many@inviting-printers.example", "role": "editor"}).must(t, 429)
	box.mailed = len(smtp.Wait(t, box.mailed+marketplace.InvitationsPerHour-5, 10*time.Second))

	// Staff bringing the federation's co-ops in invite more in an hour
	// (one resend so far).
	elsewhere := "/v1/members/" + other.ID + "/invitations"
	for i := range marketplace.InvitationsPerHour {
		c.do(t, "POST", elsewhere, staff, map[string]any{"email": fmt.Sprintf("first-owner-%d@elsewhere-bakers.example", i), "role": "owner"}).must(t, 201)
	}
	box.mailed = len(smtp.Wait(t, box.mailed+marketplace.InvitationsPerHour, 10*time.Second))
}
