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
	// Retention is the retention table, with the periods this service is
	// set to.
	Retention []retentionRow
}

// retentionRow is one kind of record and how long it is kept: in whole
// years, else days, or in words of its own when fixed.
type retentionRow struct {
	Kind        string
	Days, Years int
	Fixed       bool
}

func retentionRows(r marketplace.Retention) []retentionRow {
	rows := make([]retentionRow, 0, len(marketplace.RetentionTable))
	for _, rule := range marketplace.RetentionTable {
		row := retentionRow{Kind: string(rule.Kind), Fixed: rule.Setting == ""}
		if days := int(r.Period(rule.Kind) / marketplace.Day); days%365 == 0 {
			row.Years = days / 365
		} else {
			row.Days = days
		}
		rows = append(rows, row)
	}
	return rows
}

// handlePrivacy shows the privacy notice.
func (s *Server) handlePrivacy(c *fiber.Ctx) error {
	p := s.page(c, "privacy.title", "privacy.desc")
	p.Section = "privacy"
	p.Data = &privacyData{Controller: s.cfg.Controller, Uses: privacyUses, Retention: retentionRows(s.service.Retention)}
	return s.render(c, fiber.StatusOK, "privacy", p)
}
