package web

import (
	"github.com/gofiber/fiber/v2"

	"cooptrade/marketplace"
)

// coopData is what a co-op's profile shows.
type coopData struct {
	Member *marketplace.MemberProfile
	// Offers are its open published offers that the viewer may see.
	Offers []*marketplace.Listing
	More   bool
}

// handleCoop shows a member's profile and its open offers.
func (s *Server) handleCoop(c *fiber.Ctx) error {
	ctx := c.UserContext()
	m, err := s.service.FindMemberProfile(ctx, param(c, "slug"))
	if err != nil {
		return s.renderError(c, err)
	}
	// The listings' own rule (Listing.ShownTo) keeps a lapsed member's
	// offers from the public.
	offers, next, err := s.service.FindListings(ctx, marketplace.ListingFilter{
		MemberID: m.ID, Kind: marketplace.KindOffer,
		Statuses: []marketplace.ListingStatus{marketplace.StatusPublished}, Limit: 50,
	})
	if err != nil {
		return s.renderError(c, err)
	}
	d := &coopData{Member: m, More: next != ""}
	now := s.now()
	for _, l := range offers {
		if l.Open(now) {
			d.Offers = append(d.Offers, l)
		}
	}
	p := s.page(c, "", "")
	p.Title = m.Name
	p.OGType = "profile"
	p.Description = summary(m.Description, 160)
	if p.Description == "" {
		p.Description = p.T("coop.desc", "Name", m.Name)
	}
	p.Data = d
	return s.render(c, fiber.StatusOK, "coop", p)
}
