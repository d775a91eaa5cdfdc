package httpapi

import (
	"bytes"

	"github.com/gofiber/fiber/v2"

	"cooptrade/marketplace"
)

func (s *Server) handleAlertCreate(c *fiber.Ctx) error {
	var in marketplace.NewAlert
	if err := decodeBody(c, &in); err != nil {
		return err
	}
	a, err := s.service.CreateAlert(c.UserContext(), in)
	if err != nil {
		return err
	}
	etag(c, a.Version)
	c.Location("/v1/alerts/" + a.ID)
	return c.Status(fiber.StatusCreated).JSON(a)
}

func (s *Server) handleAlertList(c *fiber.Ctx) error {
	alerts, err := s.service.FindMyAlerts(c.UserContext())
	if err != nil {
		return err
	}
	if alerts == nil {
		alerts = []*marketplace.Alert{}
	}
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	return c.JSON(page[*marketplace.Alert]{Items: alerts})
}

func (s *Server) handleAlertView(c *fiber.Ctx) error {
	a, err := s.service.FindAlert(c.UserContext(), param(c, "id"))
	if err != nil {
		return err
	}
	etag(c, a.Version)
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	return c.JSON(a)
}

func (s *Server) handleAlertUpdate(c *fiber.Ctx) error {
	version, err := ifMatch(c, false)
	if err != nil {
		return err
	}
	var upd marketplace.AlertUpdate
	if err := decodeBody(c, &upd); err != nil {
		return err
	}
	a, err := s.service.UpdateAlert(c.UserContext(), param(c, "id"), version, upd)
	if err != nil {
		return err
	}
	etag(c, a.Version)
	return c.JSON(a)
}

func (s *Server) handleAlertDelete(c *fiber.Ctx) error {
	if err := s.service.DeleteAlert(c.UserContext(), param(c, "id")); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// seedRequest is the optional body of POST /v1/alerts/from-listings.
type seedRequest struct {
	Frequency marketplace.AlertFrequency `json:"frequency"`
}

func (s *Server) handleAlertSeed(c *fiber.Ctx) error {
	var in seedRequest
	if len(bytes.TrimSpace(c.Body())) > 0 {
		if err := decodeBody(c, &in); err != nil {
			return err
		}
	}
	alerts, err := s.service.SeedAlerts(c.UserContext(), in.Frequency)
	if err != nil {
		return err
	}
	return c.JSON(page[*marketplace.Alert]{Items: alerts})
}
