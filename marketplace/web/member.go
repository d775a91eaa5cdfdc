package web

import (
	"github.com/gofiber/fiber/v2"

	"cooptrade/marketplace"
)

// coopData is what a co-op's profile shows.
type coopData struct {
	Member *marketplace.Member
	// Offers are its published offers (none while its standing keeps its
	// listings out of search).
	Offers []*marketplace.Listing
	More   bool
}

// handleCoop shows a member's profile and its open offers.
func (s *Server) handleCoop(c *fiber.Ctx) error {
	ctx := c.UserContext()
	m, err := s.service.FindMember(ctx, param(c, "slug"))
	if err != nil {
		return s.renderError(c, err)
	}
	d := &coopData{Member: m}
	if m.Standing.Listed() {
		offers, next, err := s.service.FindListings(ctx, marketplace.ListingFilter{
			MemberID: m.ID, Kind: marketplace.KindOffer,
			Statuses: []marketplace.ListingStatus{marketplace.StatusPublished}, Limit: 50,
		})
		if err != nil {
			return s.renderError(c, err)
		}
		now := s.now()
		for _, l := range offers {
			if l.Open(now) {
				d.Offers = append(d.Offers, l)
			}
		}
		d.More = next != ""
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
