package httpapi

import (
	"github.com/gofiber/fiber/v2"
)

// removeRequest is the body of a listing's removal: the note to its member.
type removeRequest struct {
	Note string `json:"note"`
}

// handleListingRemove answers POST /v1/staff/listings/:id/remove: staff
// take a listing down with a note to its member. If-Match is optional.
func (s *Server) handleListingRemove(c *fiber.Ctx) error {
	version, err := ifMatch(c, false)
	if err != nil {
		return err
	}
	var req removeRequest
	if err := decodeBody(c, &req); err != nil {
		return err
	}
	l, err := s.service.RemoveListing(c.UserContext(), param(c, "id"), version, req.Note)
	if err != nil {
		return err
	}
	etag(c, l.Version)
	return c.JSON(l)
}
