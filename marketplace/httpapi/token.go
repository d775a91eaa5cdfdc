package httpapi

import (
	"github.com/gofiber/fiber/v2"

	"cooptrade/marketplace"
)

type tokenRequest struct {
	Name string `json:"name"`
}

// tokenCreated is a new personal token with its secret, shown this once.
type tokenCreated struct {
	Token string             `json:"token"`
	Info  *marketplace.Token `json:"info"`
}

type tokenList struct {
	Items []*marketplace.Token `json:"items"`
}

func (s *Server) handleTokenCreate(c *fiber.Ctx) error {
	var req tokenRequest
	if err := decodeBody(c, &req); err != nil {
		return err
	}
	secret, t, err := s.service.CreatePersonalToken(c.UserContext(), req.Name)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Status(fiber.StatusCreated).JSON(tokenCreated{Token: secret, Info: t})
}

func (s *Server) handleTokenList(c *fiber.Ctx) error {
	tokens, err := s.service.FindMyTokens(c.UserContext())
	if err != nil {
		return err
	}
	if tokens == nil {
		tokens = []*marketplace.Token{}
	}
	return c.JSON(tokenList{Items: tokens})
}

func (s *Server) handleTokenRevoke(c *fiber.Ctx) error {
	if err := s.service.RevokeToken(c.UserContext(), param(c, "id")); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}
