package httpapi

import (
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"cooptrade/marketplace"
)

type loginRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

type loginResponse struct {
	Token     string            `json:"token"`
	ExpiresAt time.Time         `json:"expires_at"`
	User      *marketplace.User `json:"user"`
}

// handleLogin exchanges an e-mail address and password for an API token.
func (s *Server) handleLogin(c *fiber.Ctx) error {
	var req loginRequest
	if err := decodeBody(c, &req); err != nil {
		return err
	}
	var fe []marketplace.FieldError
	if strings.TrimSpace(req.Email) == "" {
		fe = append(fe, marketplace.FieldError{Field: "email", Message: "is required"})
	}
	if req.Password == "" {
		fe = append(fe, marketplace.FieldError{Field: "password", Message: "is required"})
	}
	if len(fe) > 0 {
		return marketplace.Invalid(fe...)
	}
	token, expires, err := s.service.Login(c.UserContext(), req.Email, req.Password)
	if err != nil {
		return err
	}
	u, err := s.service.Authenticate(c.UserContext(), token)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Status(fiber.StatusCreated).JSON(loginResponse{Token: token, ExpiresAt: expires, User: u})
}

// handleLogout deletes the token the request was made with.
func (s *Server) handleLogout(c *fiber.Ctx) error {
	if marketplace.UserFromContext(c.UserContext()) == nil {
		return marketplace.Errorf(marketplace.EUNAUTHORIZED, "Sign in first.")
	}
	_, token, _ := strings.Cut(c.Get(fiber.HeaderAuthorization), " ")
	if err := s.service.Logout(c.UserContext(), strings.TrimSpace(token)); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// handleMe returns the signed-in user.
func (s *Server) handleMe(c *fiber.Ctx) error {
	me := marketplace.UserFromContext(c.UserContext())
	if me == nil {
		return marketplace.Errorf(marketplace.EUNAUTHORIZED, "Sign in first.")
	}
	return c.JSON(me)
}

type passwordRequest struct {
	CurrentPassword string `json:"current_password"`
	NewPassword     string `json:"new_password"`
}

// handleChangePassword replaces the signed-in user's password.
func (s *Server) handleChangePassword(c *fiber.Ctx) error {
	var req passwordRequest
	if err := decodeBody(c, &req); err != nil {
		return err
	}
	_, token, _ := strings.Cut(c.Get(fiber.HeaderAuthorization), " ")
	if err := s.service.ChangePassword(c.UserContext(), req.CurrentPassword, req.NewPassword, strings.TrimSpace(token)); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}
