package httpapi

import (
	"github.com/gofiber/fiber/v2"

	"cooptrade/marketplace"
)

// invitationList is a member's pending invitations.
type invitationList struct {
	Items []*marketplace.Invitation `json:"items"`
}

func (s *Server) handleInvitationCreate(c *fiber.Ctx) error {
	var req marketplace.InvitationRequest
	if err := decodeBody(c, &req); err != nil {
		return err
	}
	inv, err := s.service.Invite(c.UserContext(), param(c, "id"), req)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(inv)
}

func (s *Server) handleInvitationList(c *fiber.Ctx) error {
	invs, err := s.service.FindInvitations(c.UserContext(), param(c, "id"))
	if err != nil {
		return err
	}
	if invs == nil {
		invs = []*marketplace.Invitation{}
	}
	return c.JSON(invitationList{Items: invs})
}

func (s *Server) handleInvitationWithdraw(c *fiber.Ctx) error {
	if err := s.service.WithdrawInvitation(c.UserContext(), param(c, "id"), param(c, "inv")); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (s *Server) handleInvitationResend(c *fiber.Ctx) error {
	inv, err := s.service.ResendInvitation(c.UserContext(), param(c, "id"), param(c, "inv"))
	if err != nil {
		return err
	}
	return c.JSON(inv)
}

// handleInvitationAccept makes the invited person a user and signs them
// in, answering as signing in does.
func (s *Server) handleInvitationAccept(c *fiber.Ctx) error {
	var req marketplace.InvitationAcceptance
	if err := decodeBody(c, &req); err != nil {
		return err
	}
	token, expires, u, err := s.service.AcceptInvitation(c.UserContext(), req)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Status(fiber.StatusCreated).JSON(loginResponse{Token: token, ExpiresAt: expires, User: u})
}
