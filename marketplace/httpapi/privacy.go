package httpapi

import (
	"github.com/gofiber/fiber/v2"

	"cooptrade/marketplace"
)

// The rights of access, portability and erasure.

func (s *Server) handleMyDataExport(c *fiber.Ctx) error {
	me := marketplace.UserFromContext(c.UserContext())
	if me == nil {
		return marketplace.Errorf(marketplace.EUNAUTHORIZED, "Sign in first.")
	}
	return s.sendExport(c, marketplace.UserSubject(me.ID))
}

func (s *Server) handleUserDataExport(c *fiber.Ctx) error {
	return s.sendExport(c, marketplace.UserSubject(param(c, "id")))
}

func (s *Server) handleMemberDataExport(c *fiber.Ctx) error {
	return s.sendExport(c, marketplace.MemberSubject(param(c, "id")))
}

// sendExport answers with everything held about the subject, as a file to
// keep; never cached.
func (s *Server) sendExport(c *fiber.Ctx, sub marketplace.Subject) error {
	export, err := s.service.ExportPersonalData(c.UserContext(), sub)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="personal-data-`+string(sub.Kind)+`-`+sub.ID+`.json"`)
	return c.JSON(export)
}

func (s *Server) handleCloseAccount(c *fiber.Ctx) error {
	if err := s.service.CloseAccount(c.UserContext()); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (s *Server) handleUserErase(c *fiber.Ctx) error {
	return s.erase(c, marketplace.UserSubject(param(c, "id")))
}

func (s *Server) handleMemberErase(c *fiber.Ctx) error {
	return s.erase(c, marketplace.MemberSubject(param(c, "id")))
}

func (s *Server) erase(c *fiber.Ctx, sub marketplace.Subject) error {
	me := marketplace.UserFromContext(c.UserContext())
	if me != nil && !me.IsStaff() {
		return marketplace.Errorf(marketplace.EFORBIDDEN, "Only federation staff can erase another's data.")
	}
	if err := s.service.ErasePersonalData(c.UserContext(), sub); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}
