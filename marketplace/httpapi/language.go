package httpapi

import (
	"github.com/gofiber/fiber/v2"

	"cooptrade/marketplace"
)

// meChange is a change of the signed-in user's own settings.
type meChange struct {
	Language *string `json:"language"`
}

// handleMeChange sets the signed-in user's own settings: the language of
// their e-mails.
func (s *Server) handleMeChange(c *fiber.Ctx) error {
	var req meChange
	if err := decodeBody(c, &req); err != nil {
		return err
	}
	if req.Language == nil {
		return marketplace.Invalid(marketplace.Broken("language", marketplace.RuleRequired, marketplace.RuleParams{}))
	}
	u, err := s.service.SetMyLanguage(c.UserContext(), *req.Language)
	if err != nil {
		return err
	}
	return c.JSON(u)
}

// checkPageLang refuses a lang parameter (the language of a page the API
// serves, such as the unsubscribe page) that is not one of the languages.
func checkPageLang(c *fiber.Ctx) error {
	if l := query(c, "lang"); c.Context().QueryArgs().Has("lang") && !marketplace.IsLanguage(l) {
		return marketplace.Invalid(marketplace.Broken("lang", marketplace.RuleOneOf, marketplace.RuleParams{Options: marketplace.Languages}))
	}
	return nil
}
