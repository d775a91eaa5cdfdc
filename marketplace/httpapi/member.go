package httpapi

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"cooptrade/marketplace"
)

// memberInput is what staff send to admit a member.
type memberInput struct {
	Kind               marketplace.MemberKind `json:"kind"`
	Name               string                 `json:"name"`
	Slug               string                 `json:"slug"`
	Description        string                 `json:"description"`
	Website            string                 `json:"website"`
	Email              string                 `json:"email"`
	Sectors            []string               `json:"sectors"`
	Postcode           string                 `json:"postcode"`
	Headcount          int                    `json:"headcount"`
	Values             []string               `json:"values"`
	RegistrationNumber string                 `json:"registration_number"`
	Standing           marketplace.Standing   `json:"standing"`
}

type page[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor,omitempty"`
}

func (s *Server) handleMemberCreate(c *fiber.Ctx) error {
	var in memberInput
	if err := decodeBody(c, &in); err != nil {
		return err
	}
	m := &marketplace.Member{
		Kind: in.Kind, Name: in.Name, Slug: in.Slug, Description: in.Description, Website: in.Website,
		Email: in.Email, Sectors: in.Sectors, Postcode: in.Postcode, Headcount: in.Headcount,
		Values: in.Values, RegistrationNumber: in.RegistrationNumber, Standing: in.Standing,
	}
	if err := s.service.CreateMember(c.UserContext(), m); err != nil {
		return err
	}
	etag(c, m.Version)
	c.Location("/v1/members/" + m.ID)
	return c.Status(fiber.StatusCreated).JSON(m)
}

func (s *Server) handleMemberList(c *fiber.Ctx) error {
	limit, err := limitParam(c)
	if err != nil {
		return err
	}
	members, next, err := s.service.FindMembers(c.UserContext(), marketplace.MemberFilter{
		Standing: marketplace.Standing(query(c, "standing")),
		Kind:     marketplace.MemberKind(query(c, "kind")),
		Cursor:   query(c, "cursor"),
		Limit:    limit,
	})
	if err != nil {
		return err
	}
	return c.JSON(page[*marketplace.Member]{Items: members, NextCursor: next})
}

// handleMemberView answers with the member's whole record to staff and its
// own users, and with its directory entry to anyone else.
func (s *Server) handleMemberView(c *fiber.Ctx) error {
	ctx := c.UserContext()
	m, err := s.service.FindMember(ctx, param(c, "id"))
	if err == nil {
		etag(c, m.Version)
		return c.JSON(m)
	}
	if marketplace.ErrorCode(err) != marketplace.ENOTFOUND {
		return err
	}
	p, err := s.service.FindMemberProfile(ctx, param(c, "id"))
	if err != nil {
		return err
	}
	return c.JSON(p)
}

func (s *Server) handleMemberUpdate(c *fiber.Ctx) error {
	version, err := ifMatch(c, false)
	if err != nil {
		return err
	}
	var upd marketplace.MemberUpdate
	if err := decodeBody(c, &upd); err != nil {
		return err
	}
	m, err := s.service.UpdateMember(c.UserContext(), param(c, "id"), version, upd)
	if err != nil {
		return err
	}
	etag(c, m.Version)
	return c.JSON(m)
}

// limitParam reads the page size.
func limitParam(c *fiber.Ctx) (int, error) {
	raw := c.Query("limit")
	if raw == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < 1 || n > marketplace.MaxPageSize {
		return 0, marketplace.Invalid(marketplace.FieldError{Field: "limit", Message: "must be a whole number from 1 to 100"})
	}
	return n, nil
}
