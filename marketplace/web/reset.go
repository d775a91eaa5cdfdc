package web

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"cooptrade/marketplace"
)

// resetFields are the fields of the form to choose a new password, in
// their order on the page.
var resetFields = []string{"password", "confirm_password"}

// resetData is what the reset pages show.
type resetData struct {
	MinLength int
	// Token is the link's secret, carried from the link to the form.
	Token string
	// Sent is true once a link has been asked for.
	Sent bool
}

// handleForgotForm asks for the address to send a reset link to.
func (s *Server) handleForgotForm(c *fiber.Ctx) error {
	p := s.page(c, "forgot.title", "forgot.desc")
	p.Data = &resetData{Sent: query(c, "done") == "reset_sent"}
	return s.render(c, fiber.StatusOK, "forgot", p)
}

// handleForgot asks for a reset link, and says the same whether or not
// the address has an account.
func (s *Server) handleForgot(c *fiber.Ctx) error {
	email := form(c, "email")
	f := newForm()
	f.Labels = map[string]string{"email": "login.email"}
	f.Values["email"] = email
	if email == "" {
		f.add("email", "login.error.email_required")
	} else {
		err := s.service.RequestPasswordReset(c.UserContext(), email)
		switch marketplace.ErrorCode(err) {
		case "":
			return seeOther(c, "/password/forgot?done=reset_sent")
		case marketplace.EINVALID:
			f.add("email", "forgot.error.email")
		default:
			return s.renderError(c, err)
		}
	}
	p := s.page(c, "forgot.title", "forgot.desc")
	p.Form = f
	p.Data = &resetData{}
	return s.render(c, fiber.StatusUnprocessableEntity, "forgot", p)
}

// handleResetForm shows the form to choose a new password, from the link
// in the mail. Whether the link still works is told when it is used: to
// tell it here would let a link be tried without using it.
func (s *Server) handleResetForm(c *fiber.Ctx) error {
	p := s.page(c, "reset.title", "reset.desc")
	p.Private = true
	p.Data = &resetData{MinLength: marketplace.MinPasswordLength, Token: query(c, "token")}
	return s.render(c, fiber.StatusOK, "reset", p)
}

// handleReset sets the new password and sends the person to sign in with
// it. Passwords are never written back into the form.
func (s *Server) handleReset(c *fiber.Ctx) error {
	token := form(c, "token")
	password := strings.Clone(c.FormValue("password"))
	confirm := strings.Clone(c.FormValue("confirm_password"))
	p := s.page(c, "reset.title", "reset.desc")
	p.Private = true
	f := p.Form
	if password == "" {
		f.add("password", "password.error.new_required")
	} else if confirm != password {
		f.add("confirm_password", "password.error.confirm")
	}
	if f.ok() {
		err := s.service.ResetPassword(c.UserContext(), token, password)
		switch marketplace.ErrorCode(err) {
		case "":
			return seeOther(c, "/login?done=password_reset")
		case marketplace.EINVALID:
			addPasswordErrors(f, err, "password")
		default:
			return s.renderError(c, err)
		}
	}
	f.sortErrors(resetFields)
	f.Labels = map[string]string{"password": "password.field.new", "confirm_password": "password.field.confirm"}
	p.Data = &resetData{MinLength: marketplace.MinPasswordLength, Token: token}
	return s.render(c, fiber.StatusUnprocessableEntity, "reset", p)
}
