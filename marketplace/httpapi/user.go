package httpapi

import (
	"github.com/gofiber/fiber/v2"

	"cooptrade/marketplace"
)

// userList is a member's users.
type userList struct {
	Items []*marketplace.User `json:"items"`
}

func (s *Server) handleMemberUsers(c *fiber.Ctx) error {
	users, err := s.service.FindMemberUsers(c.UserContext(), param(c, "id"))
	if err != nil {
		return err
	}
	if users == nil {
		users = []*marketplace.User{}
	}
	return c.JSON(userList{Items: users})
}

func (s *Server) handleUserChange(c *fiber.Ctx) error {
	version, err := ifMatch(c, false)
	if err != nil {
		return err
	}
	var ch marketplace.UserChange
	if err := decodeBody(c, &ch); err != nil {
		return err
	}
	u, err := s.service.ChangeUser(c.UserContext(), param(c, "id"), version, ch)
	if err != nil {
		return err
	}
	etag(c, u.Version)
	return c.JSON(u)
}

func (s *Server) handleUserRemove(c *fiber.Ctx) error {
	if err := s.service.RemoveUser(c.UserContext(), param(c, "id")); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}
