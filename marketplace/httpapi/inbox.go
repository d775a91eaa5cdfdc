package httpapi

import (
	"html/template"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"cooptrade/marketplace"
)

func (s *Server) handleInbox(c *fiber.Ctx) error {
	limit, err := limitParam(c)
	if err != nil {
		return err
	}
	unread := false
	if v := c.Query("unread"); v != "" {
		if unread, err = strconv.ParseBool(v); err != nil {
			return marketplace.Invalid(marketplace.FieldError{Field: "unread", Message: "must be true or false"})
		}
	}
	items, next, err := s.service.FindInbox(c.UserContext(), unread, query(c, "cursor"), limit)
	if err != nil {
		return err
	}
	if items == nil {
		items = []*marketplace.Notification{}
	}
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	return c.JSON(page[*marketplace.Notification]{Items: items, NextCursor: next})
}

func (s *Server) handleInboxRead(c *fiber.Ctx) error {
	if err := s.service.MarkRead(c.UserContext(), param(c, "id")); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (s *Server) handlePreferencesView(c *fiber.Ctx) error {
	prefs, err := s.service.MyPreferences(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(prefs)
}

type preferenceRequest struct {
	Type    string              `json:"type"`
	Channel marketplace.Channel `json:"channel"`
	On      *bool               `json:"on"`
}

func (s *Server) handlePreferencesUpdate(c *fiber.Ctx) error {
	var req preferenceRequest
	if err := decodeBody(c, &req); err != nil {
		return err
	}
	if req.On == nil {
		return marketplace.Invalid(marketplace.FieldError{Field: "on", Message: "is required"})
	}
	if err := s.service.SetMyPreference(c.UserContext(), req.Type, req.Channel, *req.On); err != nil {
		return err
	}
	return s.handlePreferencesView(c)
}

// unsubscribePage asks before it unsubscribes: a GET must change nothing,
// as mail scanners follow links (RFC 8058). The form, like a mail client's
// one-click unsubscribe, POSTs to the same address.
var unsubscribePage = template.Must(template.New("unsubscribe").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Unsubscribe</title></head>
<body><main>
{{if .Done}}<h1>Unsubscribed</h1><p>{{.Message}}</p>
{{else}}<h1>Unsubscribe</h1><p>Stop these e-mails? You will still see notifications in your inbox.</p>
<form method="post"><input type="hidden" name="token" value="{{.Token}}"><button type="submit">Unsubscribe</button></form>{{end}}
</main></body></html>`))

func (s *Server) handleUnsubscribeForm(c *fiber.Ctx) error {
	token := query(c, "token")
	if _, _, err := marketplace.ParseUnsubscribeToken(s.service.Secret, token); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	return unsubscribePage.Execute(c.Response().BodyWriter(), map[string]any{"Token": token})
}

// handleUnsubscribe unsubscribes, without signing in: by a mail client's
// one-click POST (the token in the address) or by the form.
func (s *Server) handleUnsubscribe(c *fiber.Ctx) error {
	token := query(c, "token")
	if token == "" {
		token = string(append([]byte(nil), c.FormValue("token")...))
	}
	msg, err := s.service.Unsubscribe(c.UserContext(), token)
	if err != nil {
		return err
	}
	if c.Accepts(fiber.MIMETextHTML, fiber.MIMEApplicationJSON) == fiber.MIMEApplicationJSON {
		return c.JSON(fiber.Map{"message": msg})
	}
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	return unsubscribePage.Execute(c.Response().BodyWriter(), map[string]any{"Done": true, "Message": msg})
}
