package httpapi

import (
	"github.com/gofiber/fiber/v2"

	"cooptrade/marketplace"
)

// applicationAccepted is the one answer to applying to join, whatever the
// address.
type applicationAccepted struct {
	Detail string `json:"detail"`
}

const applicationSentDetail = "Thank you. A link to confirm the application is on its way to the address given; federation staff see the application once it is confirmed. The link works for 48 hours."

type applicationConfirm struct {
	Token string `json:"token"`
}

// applicationList is the applications waiting for staff.
type applicationList struct {
	Items []*marketplace.JoinApplication `json:"items"`
}

func (s *Server) handleApplicationCreate(c *fiber.Ctx) error {
	var req marketplace.JoinApplicationRequest
	if err := decodeBody(c, &req); err != nil {
		return err
	}
	if err := s.service.ApplyToJoin(c.UserContext(), req); err != nil {
		return err
	}
	return c.Status(fiber.StatusAccepted).JSON(applicationAccepted{Detail: applicationSentDetail})
}

func (s *Server) handleApplicationConfirm(c *fiber.Ctx) error {
	var req applicationConfirm
	if err := decodeBody(c, &req); err != nil {
		return err
	}
	if _, err := s.service.ConfirmApplication(c.UserContext(), req.Token); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (s *Server) handleJoinApplicationList(c *fiber.Ctx) error {
	apps, err := s.service.FindJoinApplications(c.UserContext())
	if err != nil {
		return err
	}
	if apps == nil {
		apps = []*marketplace.JoinApplication{}
	}
	return c.JSON(applicationList{Items: apps})
}

func (s *Server) handleJoinApplicationAdmit(c *fiber.Ctx) error {
	var d marketplace.ApplicationDecision
	if err := decodeBody(c, &d); err != nil {
		return err
	}
	a, err := s.service.AdmitApplication(c.UserContext(), param(c, "id"), d)
	if err != nil {
		return err
	}
	return c.JSON(a)
}

func (s *Server) handleJoinApplicationRefuse(c *fiber.Ctx) error {
	var d marketplace.ApplicationDecision
	if err := decodeBody(c, &d); err != nil {
		return err
	}
	a, err := s.service.RefuseApplication(c.UserContext(), param(c, "id"), d)
	if err != nil {
		return err
	}
	return c.JSON(a)
}
