package web

import (
	"encoding/json"
	"strings"

	"github.com/gofiber/fiber/v2"

	"cooptrade/marketplace"
)

// A member of the public who wrote enquiries without an account reaches
// their data as an enquirer through a link mailed to their address: they
// download it or erase it there.

// enquirerData is what the enquirer's data page shows: the form to ask
// for a link, or (with the link's Token) what the link lets them do.
type enquirerData struct {
	Token string
}

func (s *Server) enquirerPage(c *fiber.Ctx, token string) *Page {
	p := s.page(c, "enquirer.title", "enquirer.desc")
	p.Private = token != ""
	p.Data = &enquirerData{Token: token}
	return p
}

// handleEnquirerForm asks for the address enquiries were written from or,
// from the mailed link, offers to download or erase. Whether the link
// still works is told when it is used, as for a reset link.
func (s *Server) handleEnquirerForm(c *fiber.Ctx) error {
	return s.render(c, fiber.StatusOK, "enquirer", s.enquirerPage(c, query(c, "token")))
}

// handleEnquirerRequest mails a link to the address, and says the same
// whether or not anyone wrote from it.
func (s *Server) handleEnquirerRequest(c *fiber.Ctx) error {
	email := form(c, "email")
	p := s.enquirerPage(c, "")
	f := p.Form
	f.Labels = map[string]string{"email": "enquirer.email"}
	f.Values["email"] = email
	if email == "" {
		f.add("email", "login.error.email_required")
	} else {
		err := s.service.RequestEnquirerLink(c.UserContext(), email, p.Lang)
		switch marketplace.ErrorCode(err) {
		case "":
			return seeOther(c, "/enquirer/data?done=enquirer_sent")
		case marketplace.EINVALID:
			f.add("email", "forgot.error.email")
		default:
			return s.renderError(c, err)
		}
	}
	return s.render(c, fiber.StatusUnprocessableEntity, "enquirer", p)
}

// linkRefused shows the page again when a link did not work.
func (s *Server) linkRefused(c *fiber.Ctx, err error) error {
	if marketplace.ErrorCode(err) != marketplace.EINVALID {
		return s.renderError(c, err)
	}
	p := s.enquirerPage(c, "")
	p.Form.Problem = "enquirer.link_used"
	return s.render(c, fiber.StatusUnprocessableEntity, "enquirer", p)
}

// handleEnquirerExport sends the enquirer's data as a file, using up the
// link.
func (s *Server) handleEnquirerExport(c *fiber.Ctx) error {
	export, err := s.service.ExportEnquirerData(c.UserContext(), form(c, "token"))
	if err != nil {
		return s.linkRefused(c, err)
	}
	body, err := json.MarshalIndent(export, "", "  ")
	if err != nil {
		return s.renderError(c, err)
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="personal-data-enquirer-`+export.MadeAt.Format("2006-01-02")+`.json"`)
	c.Type("json", "utf-8")
	return c.Send(body)
}

// handleEnquirerErase erases the enquirer once they have confirmed it,
// using up the link.
func (s *Server) handleEnquirerErase(c *fiber.Ctx) error {
	token := form(c, "token")
	if strings.TrimSpace(form(c, "confirm")) == "" {
		p := s.enquirerPage(c, token)
		p.Form.Labels = map[string]string{"confirm": "enquirer.erase.confirm"}
		p.Form.add("confirm", "enquirer.erase.confirm_missing")
		return s.render(c, fiber.StatusUnprocessableEntity, "enquirer", p)
	}
	if err := s.service.EraseEnquirerData(c.UserContext(), token); err != nil {
		return s.linkRefused(c, err)
	}
	return seeOther(c, "/enquirer/data?done=enquirer_erased")
}
