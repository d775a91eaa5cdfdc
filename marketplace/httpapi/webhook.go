package httpapi

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"cooptrade/marketplace"
)

// webhookView is a member's webhook as the API shows it: the secret only
// in the answer that made it.
type webhookView struct {
	MemberID  string    `json:"member_id"`
	URL       string    `json:"url"`
	Types     []string  `json:"types"`
	CreatedAt time.Time `json:"created_at"`
	Secret    string    `json:"secret,omitempty"`
}

func viewWebhook(t *marketplace.WebhookTarget) webhookView {
	types := t.Types
	if types == nil {
		types = []string{}
	}
	return webhookView{MemberID: t.MemberID, URL: t.URL, Types: types, CreatedAt: t.Created, Secret: t.Secret}
}

func (s *Server) handleWebhookSet(c *fiber.Ctx) error {
	var in marketplace.WebhookInput
	if err := decodeBody(c, &in); err != nil {
		return err
	}
	t, err := s.service.SetWebhookTarget(c.UserContext(), param(c, "id"), in)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(viewWebhook(t))
}

func (s *Server) handleWebhookView(c *fiber.Ctx) error {
	t, err := s.service.FindWebhookTarget(c.UserContext(), param(c, "id"))
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	return c.JSON(viewWebhook(t))
}

func (s *Server) handleWebhookDelete(c *fiber.Ctx) error {
	if err := s.service.DeleteWebhookTarget(c.UserContext(), param(c, "id")); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}
