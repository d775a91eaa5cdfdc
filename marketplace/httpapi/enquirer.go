package httpapi

import (
	"github.com/gofiber/fiber/v2"
)

// A member of the public who wrote enquiries reaches their data through a
// link mailed to their address (marketplace.RequestEnquirerLink).

type enquirerLinkRequest struct {
	Email    string `json:"email"`
	Language string `json:"language"`
}

type enquirerLinkUse struct {
	Token string `json:"token"`
}

const enquirerSentDetail = "If enquiries were written from this address, a link to their data is on its way to it. The link works once, for an hour."

// handleEnquirerLinkRequest mails a link to whoever wrote enquiries from
// the address, and answers the same whether or not anyone did.
func (s *Server) handleEnquirerLinkRequest(c *fiber.Ctx) error {
	var req enquirerLinkRequest
	if err := decodeBody(c, &req); err != nil {
		return err
	}
	if err := s.service.RequestEnquirerLink(c.UserContext(), req.Email, req.Language); err != nil {
		return err
	}
	return c.Status(fiber.StatusAccepted).JSON(resetAccepted{Detail: enquirerSentDetail})
}

// handleEnquirerExport answers with the enquirer's data, using up the link.
func (s *Server) handleEnquirerExport(c *fiber.Ctx) error {
	var req enquirerLinkUse
	if err := decodeBody(c, &req); err != nil {
		return err
	}
	out, err := s.service.ExportEnquirerData(c.UserContext(), req.Token)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="personal-data-enquirer.json"`)
	return c.JSON(out)
}

// handleEnquirerErase erases the enquirer, using up the link.
func (s *Server) handleEnquirerErase(c *fiber.Ctx) error {
	var req enquirerLinkUse
	if err := decodeBody(c, &req); err != nil {
		return err
	}
	if err := s.service.EraseEnquirerData(c.UserContext(), req.Token); err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.SendStatus(fiber.StatusNoContent)
}
