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

// exportRequestBody asks for an export built by a job.
type exportRequestBody struct {
	Kind marketplace.SubjectKind `json:"kind"`
	ID   string                  `json:"id"`
}

// exportRequested is an export request, with its link while it is new.
type exportRequested struct {
	*marketplace.ExportRequest
	Link string `json:"link,omitempty"`
}

func (s *Server) handleExportRequest(c *fiber.Ctx) error {
	var req exportRequestBody
	if err := decodeBody(c, &req); err != nil {
		return err
	}
	var fe []marketplace.FieldError
	if req.Kind != marketplace.SubjectUser && req.Kind != marketplace.SubjectMember {
		fe = append(fe, marketplace.Broken("kind", marketplace.RuleEither, marketplace.RuleParams{Options: []string{"user", "member"}}))
	}
	if req.ID == "" {
		fe = append(fe, marketplace.Broken("id", marketplace.RuleRequired, marketplace.RuleParams{}))
	}
	if len(fe) > 0 {
		return marketplace.Invalid(fe...)
	}
	secret, e, err := s.service.RequestExport(c.UserContext(), marketplace.Subject{Kind: req.Kind, ID: req.ID})
	if err != nil {
		return err
	}
	link := "/v1/exports/" + secret
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set(fiber.HeaderLocation, link)
	return c.Status(fiber.StatusAccepted).JSON(exportRequested{ExportRequest: e, Link: link})
}

func (s *Server) handleExportFetch(c *fiber.Ctx) error {
	e, err := s.service.FetchExport(c.UserContext(), param(c, "secret"))
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	if e.Status != marketplace.ExportReady {
		return c.Status(fiber.StatusAccepted).JSON(exportRequested{ExportRequest: e})
	}
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="personal-data-`+string(e.Subject.Kind)+`-`+e.Subject.ID+`.json"`)
	c.Type("json", "utf-8")
	return c.Send(e.Body)
}
