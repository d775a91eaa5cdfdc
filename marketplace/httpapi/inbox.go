package httpapi

import (
	"fmt"
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

// handleUnsubscribeForm asks before it unsubscribes: a GET must change
// nothing, as mail scanners follow links (RFC 8058). The page's form, like
// a mail client's one-click unsubscribe, POSTs to the same address.
func (s *Server) handleUnsubscribeForm(c *fiber.Ctx) error {
	if err := checkPageLang(c); err != nil {
		return err
	}
	token := query(c, "token")
	if _, _, err := marketplace.ParseUnsubscribeToken(s.service.Secret, token); err != nil {
		return err
	}
	if s.cfg.UnsubscribePage == nil {
		return c.JSON(fiber.Map{"message": "POST to this address to unsubscribe."})
	}
	return s.cfg.UnsubscribePage(c, token, nil)
}

// handleUnsubscribe unsubscribes, without signing in: by a mail client's
// one-click POST (the token in the address) or by the form.
func (s *Server) handleUnsubscribe(c *fiber.Ctx) error {
	if err := checkPageLang(c); err != nil {
		return err
	}
	token := query(c, "token")
	if token == "" {
		token = string(append([]byte(nil), c.FormValue("token")...))
	}
	u, err := s.service.Unsubscribe(c.UserContext(), token)
	if err != nil {
		return err
	}
	if s.cfg.UnsubscribePage == nil || c.Accepts(fiber.MIMETextHTML, fiber.MIMEApplicationJSON) == fiber.MIMEApplicationJSON {
		return c.JSON(fiber.Map{"message": unsubscribedMessage(u), "unsubscribed": u.What})
	}
	return s.cfg.UnsubscribePage(c, token, &u)
}

// unsubscribedMessage says in English what an unsubscribe link stopped.
func unsubscribedMessage(u marketplace.Unsubscribed) string {
	switch u.What {
	case marketplace.UnsubscribedType:
		return "You will no longer get e-mails of this kind (" + u.Type + "). You can turn them on again in your preferences."
	case marketplace.UnsubscribedAlert:
		return fmt.Sprintf("Your saved search %q is paused: you will get no more e-mails or inbox items from it. You can resume or delete it among your alerts.", u.AlertName)
	}
	return "This saved search no longer exists; nothing more will be sent for it."
}
