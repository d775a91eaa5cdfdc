package web

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"cooptrade/marketplace"
)

// The pages of getting in: applying to join (/join), confirming the
// application's address (/join/confirm), accepting an invitation
// (/invitation), and the invitations of a co-op's users' page.

// joinFields are the fields of the application form, in their order on
// the page.
var joinFields = []string{"kind", "name", "registration_number", "sector", "postcode", "website", "statement", "applicant_name", "email"}

var joinLabels = map[string]string{
	"kind": "join.field.kind", "name": "join.field.name", "registration_number": "join.field.registration_number",
	"sector": "join.field.sector", "postcode": "join.field.postcode", "website": "join.field.website",
	"statement": "join.field.statement", "applicant_name": "join.field.applicant_name", "email": "join.field.email",
}

// joinHoneypot is a field people never see or fill; robots that fill
// every field do, and their application is dropped with the usual answer.
const joinHoneypot = "fax_number"

// joinData is what the application page shows.
type joinData struct {
	Sectors []marketplace.Sector
	Sent    bool
}

// handleJoinForm shows the form to apply to join.
func (s *Server) handleJoinForm(c *fiber.Ctx) error {
	p := s.page(c, "join.title", "join.desc")
	p.Section = "join"
	p.Data = &joinData{Sectors: marketplace.Taxonomy.Sectors, Sent: query(c, "done") == "applied"}
	if p.Form.Values["kind"] == "" {
		p.Form.Values["kind"] = string(marketplace.MemberEnterprise)
	}
	return s.render(c, fiber.StatusOK, "join", p)
}

// handleJoin takes an application. The answer is the same whatever the
// address, and for robots that filled the honeypot.
func (s *Server) handleJoin(c *fiber.Ctx) error {
	p := s.page(c, "join.title", "join.desc")
	p.Section = "join"
	f := p.Form
	f.Labels = joinLabels
	for _, name := range joinFields {
		f.Values[name] = form(c, name)
	}
	if form(c, joinHoneypot) != "" {
		return seeOther(c, "/join?done=applied")
	}
	req := marketplace.JoinApplicationRequest{
		Kind: marketplace.MemberKind(f.Values["kind"]), Name: f.Values["name"], RegistrationNumber: f.Values["registration_number"],
		Sector: f.Values["sector"], Postcode: f.Values["postcode"], Website: f.Values["website"], Statement: f.Values["statement"],
		ApplicantName: f.Values["applicant_name"], Email: f.Values["email"], Language: p.Lang,
	}
	err := s.service.ApplyToJoin(c.UserContext(), req)
	if err == nil {
		return seeOther(c, "/join?done=applied")
	}
	if !addDomainErrors(f, err) {
		return s.renderError(c, err)
	}
	f.sortErrors(joinFields)
	p.Data = &joinData{Sectors: marketplace.Taxonomy.Sectors}
	return s.render(c, fiber.StatusUnprocessableEntity, "join", p)
}

// confirmData is what the confirmation page shows.
type confirmData struct {
	Token     string
	Confirmed bool
}

// handleJoinConfirmForm asks the applicant to confirm with a button: a
// link followed by a mail scanner must not confirm anything.
func (s *Server) handleJoinConfirmForm(c *fiber.Ctx) error {
	p := s.page(c, "confirm.title", "confirm.desc")
	p.Private = true
	p.Data = &confirmData{Token: query(c, "token"), Confirmed: query(c, "done") == "confirmed"}
	return s.render(c, fiber.StatusOK, "join_confirm", p)
}

// handleJoinConfirm confirms the application's address.
func (s *Server) handleJoinConfirm(c *fiber.Ctx) error {
	token := form(c, "token")
	_, err := s.service.ConfirmApplication(c.UserContext(), token)
	switch marketplace.ErrorCode(err) {
	case "":
		return seeOther(c, "/join/confirm?done=confirmed")
	case marketplace.EINVALID:
		p := s.page(c, "confirm.title", "confirm.desc")
		p.Private = true
		p.Form.Problem = "join.error.confirm_link"
		p.Data = &confirmData{}
		return s.render(c, fiber.StatusBadRequest, "join_confirm", p)
	default:
		return s.renderError(c, err)
	}
}

// invitationFields are the fields of the form that accepts an invitation.
var invitationFields = []string{"name", "password", "confirm_password", "language"}

// invitationData is what the page of an invitation shows.
type invitationData struct {
	Token     string
	Member    string
	Role      marketplace.Role
	Email     string
	MinLength int
}

// handleInvitationForm shows an invitation: who it is from and the form
// to choose a password and language.
func (s *Server) handleInvitationForm(c *fiber.Ctx) error {
	token := query(c, "token")
	p := s.page(c, "invitation.title", "invitation.desc")
	p.Private = true
	d := &invitationData{Token: token, MinLength: marketplace.MinPasswordLength}
	p.Data = d
	inv, member, err := s.service.InvitationFor(c.UserContext(), token)
	switch marketplace.ErrorCode(err) {
	case "":
		d.Member, d.Role, d.Email = member, inv.Role, inv.Email
		p.Form.Values["language"] = p.Lang
		return s.render(c, fiber.StatusOK, "invitation", p)
	case marketplace.EINVALID:
		p.Form.Problem = "join.error.invitation_link"
		return s.render(c, fiber.StatusBadRequest, "invitation", p)
	default:
		return s.renderError(c, err)
	}
}

// handleInvitation accepts an invitation and signs the new user in, in the
// language they chose. Passwords are never written back into the form.
func (s *Server) handleInvitation(c *fiber.Ctx) error {
	token := form(c, "token")
	password := strings.Clone(c.FormValue("password"))
	confirm := strings.Clone(c.FormValue("confirm_password"))
	p := s.page(c, "invitation.title", "invitation.desc")
	p.Private = true
	f := p.Form
	f.Labels = map[string]string{"name": "invitation.field.name", "password": "password.field.new",
		"confirm_password": "password.field.confirm", "language": "invitation.field.language"}
	f.Values["name"], f.Values["language"] = form(c, "name"), form(c, "language")
	if password == "" {
		f.add("password", "password.error.new_required")
	} else if confirm != password {
		f.add("confirm_password", "password.error.confirm")
	}
	if f.ok() {
		secret, sess, u, err := s.service.AcceptInvitationSession(c.UserContext(), marketplace.InvitationAcceptance{
			Token: token, Name: f.Values["name"], Password: password, Language: f.Values["language"]})
		switch marketplace.ErrorCode(err) {
		case "":
			s.setCookie(c, sessionCookie, secret, sess.ExpiresAt)
			if isLanguage(u.Language) {
				s.setCookie(c, langCookie, u.Language, s.now().AddDate(1, 0, 0))
			}
			return seeOther(c, "/dashboard?done=welcome")
		case marketplace.EINVALID:
			addInvitationErrors(f, err)
		default:
			return s.renderError(c, err)
		}
	}
	f.sortErrors(invitationFields)
	d := &invitationData{Token: token, MinLength: marketplace.MinPasswordLength}
	if inv, member, err := s.service.InvitationFor(c.UserContext(), token); err == nil {
		d.Member, d.Role, d.Email = member, inv.Role, inv.Email
	}
	p.Data = d
	return s.render(c, fiber.StatusUnprocessableEntity, "invitation", p)
}

// addInvitationErrors records why accepting an invitation was refused: a
// link that no longer works, an address with an account, a password the
// policy refuses, a name or language at fault.
func addInvitationErrors(f *Form, err error) {
	for _, fe := range marketplace.ErrorFields(err) {
		switch {
		case fe.Rule == marketplace.RuleInvitationLink:
			f.Problem = "join.error.invitation_link"
		case fe.Rule == marketplace.RuleHasAccount:
			f.Problem = "join.error.has_account"
		case fe.Field == "password" && passwordRuleKeys[fe.Rule] != "":
			f.add("password", passwordRuleKeys[fe.Rule], "Number", formatNumber(marketplace.MinPasswordLength))
		case fe.Field == "name" || fe.Field == "language":
			key, args := fieldMessage(fe.Field, fe)
			f.add(fe.Field, key, args...)
		default:
			f.Problem = "form.error.invalid"
		}
	}
	if f.ok() {
		f.Problem = "form.error.invalid"
	}
}

// inviteFields are the fields of the invite form on the users' page.
var inviteFields = []string{"invite_email", "invite_role", "invite_language"}

// handleInvite invites a person to the signed-in owner's co-op.
func (s *Server) handleInvite(c *fiber.Ctx) error {
	me := visitOf(c).User
	f := newForm()
	f.Labels = map[string]string{"invite_email": "invite.field.email", "invite_role": "invite.field.role", "invite_language": "invite.field.language"}
	for _, name := range inviteFields {
		f.Values[name] = form(c, name)
	}
	_, err := s.service.Invite(c.UserContext(), me.MemberID, marketplace.InvitationRequest{
		Email: f.Values["invite_email"], Role: marketplace.Role(f.Values["invite_role"]), Language: f.Values["invite_language"]})
	switch marketplace.ErrorCode(err) {
	case "":
		return seeOther(c, "/settings/users?done=invited")
	case marketplace.EINVALID:
		for _, fe := range marketplace.ErrorFields(err) {
			name := "invite_" + fe.Field
			key, args := fieldMessage(name, fe)
			f.add(name, key, args...)
		}
		f.sortErrors(inviteFields)
		return s.renderUsers(c, fiber.StatusUnprocessableEntity, f)
	case marketplace.ERATELIMITED:
		return seeOther(c, "/settings/users?done=invite_limit")
	case marketplace.ECONFLICT:
		return seeOther(c, "/settings/users?done=invite_many")
	default:
		return s.renderError(c, err)
	}
}

// handleInvitationResend sends an invitation again with a new link.
func (s *Server) handleInvitationResend(c *fiber.Ctx) error {
	me := visitOf(c).User
	_, err := s.service.ResendInvitation(c.UserContext(), me.MemberID, param(c, "id"))
	switch marketplace.ErrorCode(err) {
	case "":
		return seeOther(c, "/settings/users?done=invitation_resent")
	case marketplace.ERATELIMITED:
		return seeOther(c, "/settings/users?done=invite_limit")
	default:
		return s.renderError(c, err)
	}
}

// handleInvitationWithdraw withdraws an invitation.
func (s *Server) handleInvitationWithdraw(c *fiber.Ctx) error {
	me := visitOf(c).User
	if err := s.service.WithdrawInvitation(c.UserContext(), me.MemberID, param(c, "id")); err != nil {
		return s.renderError(c, err)
	}
	return seeOther(c, "/settings/users?done=invitation_withdrawn")
}
