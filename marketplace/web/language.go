package web

import (
	"github.com/gofiber/fiber/v2"

	"cooptrade/marketplace"
)

// languageData is the choice of the language of a user's e-mails.
type languageData struct {
	Languages []string
	// Current is the language chosen, or, before the user chose, the
	// language of the pages they are reading.
	Current string
}

// handleLanguage shows the signed-in user the language their e-mails are
// written in.
func (s *Server) handleLanguage(c *fiber.Ctx) error {
	p := s.page(c, "lang.title", "lang.desc")
	p.Section = "dashboard"
	current := visitOf(c).User.Language
	if !marketplace.IsLanguage(current) {
		current = p.Lang
	}
	p.Data = &languageData{Languages: marketplace.Languages, Current: current}
	return s.render(c, fiber.StatusOK, "language", p)
}

// handleLanguageSave sets the language of the signed-in user's e-mails.
func (s *Server) handleLanguageSave(c *fiber.Ctx) error {
	lang := form(c, "language")
	_, err := s.service.SetMyLanguage(c.UserContext(), lang)
	switch marketplace.ErrorCode(err) {
	case "":
		return seeOther(c, "/settings/language?done=language_saved")
	case marketplace.EINVALID:
		p := s.page(c, "lang.title", "lang.desc")
		p.Section = "dashboard"
		addDomainErrors(p.Form, err)
		p.Form.Labels = map[string]string{"language": "lang.field.language"}
		p.Data = &languageData{Languages: marketplace.Languages, Current: p.Lang}
		return s.render(c, fiber.StatusUnprocessableEntity, "language", p)
	}
	return s.renderError(c, err)
}
