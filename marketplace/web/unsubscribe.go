package web

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"cooptrade/marketplace"
)

// unsubscribeData is what the page of an unsubscribe link shows.
type unsubscribeData struct {
	Token string
	// Done is what was stopped, once the form was sent; nil before.
	Done *marketplace.Unsubscribed
	// TypeName is the name of the notification type stopped, in the
	// page's language.
	TypeName string
}

// UnsubscribePage renders the page of an e-mail's unsubscribe link, in the
// visitor's language: the form that asks first (done is nil), or what the
// link stopped. The API serves the address and calls it (see
// httpapi.Config.UnsubscribePage).
func (s *Server) UnsubscribePage(c *fiber.Ctx, token string, done *marketplace.Unsubscribed) error {
	p := s.page(c, "unsubscribe.title", "unsubscribe.desc")
	d := &unsubscribeData{Token: token, Done: done}
	if done != nil && done.Type != "" {
		d.TypeName = p.T("notify.type." + strings.ReplaceAll(done.Type, ".", "_"))
	}
	p.Data = d
	return s.render(c, fiber.StatusOK, "unsubscribe", p)
}
