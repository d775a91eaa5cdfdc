package httpapi

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/gofiber/fiber/v2"

	"cooptrade/marketplace"
)

// listingInput is what a member sends to post or change a listing. Fields
// left out are left alone by a PATCH; null clears a deadline.
type listingInput struct {
	Kind          *marketplace.ListingKind `json:"kind"`
	Title         *string                  `json:"title"`
	Description   *string                  `json:"description"`
	Category      *string                  `json:"category"`
	Tags          *[]string                `json:"tags"`
	Postcode      *string                  `json:"postcode"`
	Remote        *bool                    `json:"remote"`
	RadiusKM      *int                     `json:"radius_km"`
	PriceMinPence *int64                   `json:"price_min_pence"`
	PriceMaxPence *int64                   `json:"price_max_pence"`
	PriceUnit     *string                  `json:"price_unit"`
	Deadline      json.RawMessage          `json:"deadline"`
	ExpiresAt     json.RawMessage          `json:"expires_at"`
}

func (in *listingInput) update() (marketplace.ListingUpdate, error) {
	u := marketplace.ListingUpdate{
		Title: in.Title, Description: in.Description, Category: in.Category, Tags: in.Tags,
		Postcode: in.Postcode, Remote: in.Remote, RadiusKM: in.RadiusKM,
		PriceMinPence: in.PriceMinPence, PriceMaxPence: in.PriceMaxPence, PriceUnit: in.PriceUnit,
	}
	set, deadline, err := parseTime("deadline", in.Deadline)
	if err != nil {
		return u, err
	}
	u.Deadline, u.ClearDeadline = deadline, set && deadline == nil
	set, expires, err := parseTime("expires_at", in.ExpiresAt)
	if err != nil {
		return u, err
	}
	if set && expires == nil {
		return u, marketplace.Invalid(marketplace.FieldError{Field: "expires_at", Message: "cannot be cleared; give a date"})
	}
	u.ExpiresAt = expires
	return u, nil
}

func (s *Server) handleListingCreate(c *fiber.Ctx) error {
	var in listingInput
	if err := decodeBody(c, &in); err != nil {
		return err
	}
	upd, err := in.update()
	if err != nil {
		return err
	}
	l := &marketplace.Listing{}
	if in.Kind != nil {
		l.Kind = *in.Kind
	}
	upd.Apply(l)
	if err := s.service.CreateListing(c.UserContext(), l); err != nil {
		return err
	}
	etag(c, l.Version)
	c.Location("/v1/listings/" + l.ID)
	return c.Status(fiber.StatusCreated).JSON(l)
}

func (s *Server) handleListingView(c *fiber.Ctx) error {
	l, err := s.service.FindListing(c.UserContext(), param(c, "id"))
	if err != nil {
		return err
	}
	etag(c, l.Version)
	return c.JSON(l)
}

func (s *Server) handleListingList(c *fiber.Ctx) error {
	limit, err := limitParam(c)
	if err != nil {
		return err
	}
	f := marketplace.ListingFilter{
		MemberID: query(c, "member"),
		Kind:     marketplace.ListingKind(query(c, "kind")),
		Cursor:   query(c, "cursor"),
		Limit:    limit,
	}
	if st := query(c, "status"); st != "" {
		for _, one := range strings.Split(st, ",") {
			f.Statuses = append(f.Statuses, marketplace.ListingStatus(strings.TrimSpace(one)))
		}
	}
	if err := f.Validate(); err != nil {
		return err
	}
	if f.MemberID != "" {
		// A slug is as good as an ID here.
		m, err := s.service.FindMemberProfile(c.UserContext(), f.MemberID)
		if marketplace.ErrorCode(err) == marketplace.ENOTFOUND {
			return c.JSON(page[*marketplace.Listing]{Items: []*marketplace.Listing{}})
		} else if err != nil {
			return err
		}
		f.MemberID = m.ID
	}
	listings, next, err := s.service.FindListings(c.UserContext(), f)
	if err != nil {
		return err
	}
	if listings == nil {
		listings = []*marketplace.Listing{}
	}
	return c.JSON(page[*marketplace.Listing]{Items: listings, NextCursor: next})
}

func (s *Server) handleListingUpdate(c *fiber.Ctx) error {
	version, err := ifMatch(c, true)
	if err != nil {
		return err
	}
	var in listingInput
	if err := decodeBody(c, &in); err != nil {
		return err
	}
	if in.Kind != nil {
		return marketplace.Invalid(marketplace.FieldError{Field: "kind", Message: "cannot be changed; post a new listing instead"})
	}
	upd, err := in.update()
	if err != nil {
		return err
	}
	l, err := s.service.UpdateListing(c.UserContext(), param(c, "id"), version, upd)
	if err != nil {
		return err
	}
	etag(c, l.Version)
	return c.JSON(l)
}

func (s *Server) handleListingPublish(c *fiber.Ctx) error {
	return s.transition(c, s.service.PublishListing)
}

func (s *Server) handleListingPause(c *fiber.Ctx) error {
	return s.transition(c, s.service.PauseListing)
}

func (s *Server) handleListingClose(c *fiber.Ctx) error {
	return s.transition(c, s.service.CloseListing)
}

// transition runs a status change; If-Match is optional for these.
func (s *Server) transition(c *fiber.Ctx, change func(ctx context.Context, id string, version int64) (*marketplace.Listing, error)) error {
	version, err := ifMatch(c, false)
	if err != nil {
		return err
	}
	l, err := change(c.UserContext(), param(c, "id"), version)
	if err != nil {
		return err
	}
	etag(c, l.Version)
	return c.JSON(l)
}
