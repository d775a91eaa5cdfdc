package web

import (
	"github.com/gofiber/fiber/v2"

	"cooptrade/marketplace"
	"cooptrade/search"
)

// homeData is what the home page shows.
type homeData struct {
	Sectors []marketplace.Sector
	// Latest are the newest offers (nil when search is unavailable).
	Latest []search.Hit
}

// handleHome shows the search box, the sectors to browse and the newest
// offers.
func (s *Server) handleHome(c *fiber.Ctx) error {
	p := s.page(c, "home.title", "home.desc")
	p.Section = "home"
	d := &homeData{Sectors: marketplace.Taxonomy.Sectors}
	if s.cfg.Search != nil {
		res, err := s.cfg.Search.Search(c.UserContext(), search.Query{
			Kind: marketplace.KindOffer, Sort: search.SortNewest, Limit: 6, Audience: search.AudiencePublic,
		})
		if err == nil {
			d.Latest = res.Hits
		} else {
			s.logger.WarnContext(c.UserContext(), "home page: cannot list the newest offers", "error", err)
		}
	}
	p.Data = d
	return s.render(c, fiber.StatusOK, "home", p)
}

// handleAccessibility shows the accessibility statement.
func (s *Server) handleAccessibility(c *fiber.Ctx) error {
	p := s.page(c, "a11y.title", "a11y.desc")
	p.Section = "accessibility"
	return s.render(c, fiber.StatusOK, "accessibility", p)
}

// privacyUses are the uses of personal data the privacy notice lists, in
// its order; each has its words in the catalogues (privacy.use.<name>.*).
var privacyUses = []string{"account", "join", "invitation", "member", "listings", "mail", "dues", "audit", "logs"}

// privacyData is what the privacy notice shows.
type privacyData struct {
	// Controller names the federation that runs the marketplace and how to
	// reach it ("" when it is not configured).
	Controller string
	Uses       []string
}

// handlePrivacy shows the privacy notice.
func (s *Server) handlePrivacy(c *fiber.Ctx) error {
	p := s.page(c, "privacy.title", "privacy.desc")
	p.Section = "privacy"
	p.Data = &privacyData{Controller: s.cfg.Controller, Uses: privacyUses}
	return s.render(c, fiber.StatusOK, "privacy", p)
}
