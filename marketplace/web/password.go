package web

import (
	"strings"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"cooptrade/marketplace"
)

// passwordFields are the fields of the password form, in their order on
// the page.
var passwordFields = []string{"current_password", "new_password", "confirm_password"}

// passwordLabels are the labels of the password form's fields.
var passwordLabels = map[string]string{
	"current_password": "password.field.current", "new_password": "password.field.new", "confirm_password": "password.field.confirm",
}

// passwordData is what the password form shows.
type passwordData struct {
	// MinLength is the shortest password allowed, in characters.
	MinLength int
}

// handlePassword shows the signed-in user the form to change their
// password.
func (s *Server) handlePassword(c *fiber.Ctx) error {
	p := s.page(c, "password.title", "password.desc")
	p.Section = "dashboard"
	p.Data = &passwordData{MinLength: marketplace.MinPasswordLength}
	return s.render(c, fiber.StatusOK, "password", p)
}

// handlePasswordChange changes the signed-in user's password. This
// browser's session stays signed in (its secret is the current token);
// every other session and API token of the user ends. Passwords are never
// written back into the form.
func (s *Server) handlePasswordChange(c *fiber.Ctx) error {
	v := visitOf(c)
	current := strings.Clone(c.FormValue("current_password"))
	next := strings.Clone(c.FormValue("new_password"))
	confirm := strings.Clone(c.FormValue("confirm_password"))
	p := s.page(c, "password.title", "password.desc")
	p.Section = "dashboard"
	f := p.Form
	if current == "" {
		f.add("current_password", "password.error.current_required")
	}
	switch {
	case next == "":
		f.add("new_password", "password.error.new_required")
	case utf8.RuneCountInString(next) < marketplace.MinPasswordLength:
		f.add("new_password", "password.error.too_short", "Number", formatNumber(marketplace.MinPasswordLength))
	case len(next) > marketplace.MaxPasswordBytes:
		f.add("new_password", "password.error.too_long")
	case next == current:
		f.add("new_password", "password.error.same")
	}
	if next != "" && confirm != next {
		f.add("confirm_password", "password.error.confirm")
	}
	if f.ok() {
		err := s.service.ChangePassword(c.UserContext(), current, next, v.secret)
		switch marketplace.ErrorCode(err) {
		case "":
			return seeOther(c, "/settings/password?done=password_changed")
		case marketplace.EINVALID:
			addPasswordErrors(f, err, "new_password")
		default:
			return s.renderError(c, err)
		}
	}
	f.sortErrors(passwordFields)
	f.Labels = passwordLabels
	p.Data = &passwordData{MinLength: marketplace.MinPasswordLength}
	return s.render(c, fiber.StatusUnprocessableEntity, "password", p)
}

// addPasswordErrors records the refusal of a password change or reset
// against its form: a password the policy refuses against passwordField, a
// wrong current password against its field, a reset link that no longer
// works as the form's problem.
func addPasswordErrors(f *Form, err error, passwordField string) {
	for _, fe := range marketplace.ErrorFields(err) {
		switch {
		case fe.Rule == marketplace.RuleWrong:
			f.add(fe.Field, "password.error.wrong")
		case fe.Rule == marketplace.RuleResetLink:
			f.Problem = "reset.error.link"
		case fe.Field == passwordField && passwordRuleKeys[fe.Rule] != "":
			f.add(passwordField, passwordRuleKeys[fe.Rule], "Number", formatNumber(marketplace.MinPasswordLength))
		default:
			f.Problem = "form.error.invalid"
		}
	}
	if f.ok() {
		f.Problem = "form.error.invalid"
	}
}

// passwordRuleKeys words the password policy's rules.
var passwordRuleKeys = map[string]string{
	marketplace.PasswordTooShort:  "password.error.too_short",
	marketplace.PasswordTooLong:   "password.error.too_long",
	marketplace.PasswordControl:   "password.error.control",
	marketplace.PasswordPersonal:  "password.error.personal",
	marketplace.PasswordGuessable: "password.error.guessable",
}
