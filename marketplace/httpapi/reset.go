package httpapi

import (
	"github.com/gofiber/fiber/v2"
)

type resetRequest struct {
	Email string `json:"email"`
}

type resetConfirm struct {
	Token    string `json:"token"`
	Password string `json:"password"`
}

// resetAccepted is the one answer to a reset request, whether or not
// anyone has the address.
type resetAccepted struct {
	Detail string `json:"detail"`
}

const resetSentDetail = "If an account has this address, a link to choose a new password is on its way to it. The link works for an hour."

// handlePasswordResetRequest mails a reset link to whoever has the address,
// and answers the same whether or not anyone does.
func (s *Server) handlePasswordResetRequest(c *fiber.Ctx) error {
	var req resetRequest
	if err := decodeBody(c, &req); err != nil {
		return err
	}
	if err := s.service.RequestPasswordReset(c.UserContext(), req.Email); err != nil {
		return err
	}
	return c.Status(fiber.StatusAccepted).JSON(resetAccepted{Detail: resetSentDetail})
}

// handlePasswordResetConfirm sets the new password with the link's secret.
func (s *Server) handlePasswordResetConfirm(c *fiber.Ctx) error {
	var req resetConfirm
	if err := decodeBody(c, &req); err != nil {
		return err
	}
	if err := s.service.ResetPassword(c.UserContext(), req.Token, req.Password); err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.SendStatus(fiber.StatusNoContent)
}

// handleStaffPasswordReset sends a user a reset link. Staff only.
func (s *Server) handleStaffPasswordReset(c *fiber.Ctx) error {
	if err := s.service.SendPasswordReset(c.UserContext(), param(c, "id")); err != nil {
		return err
	}
	return c.Status(fiber.StatusAccepted).JSON(resetAccepted{Detail: "A link to choose a new password is on its way to the user."})
}
