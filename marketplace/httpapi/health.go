package httpapi

import (
	"context"
	"sort"
	"time"

	"github.com/gofiber/fiber/v2"

	"cooptrade/marketplace"
)

// handleHealthz says the process is alive.
func (s *Server) handleHealthz(c *fiber.Ctx) error {
	return c.JSON(fiber.Map{"status": "ok", "version": s.cfg.Version})
}

// handleReadyz says whether every backing service answers.
func (s *Server) handleReadyz(c *fiber.Ctx) error {
	ctx, cancel := context.WithTimeout(c.UserContext(), 3*time.Second)
	defer cancel()
	names := make([]string, 0, len(s.cfg.ReadyChecks))
	for name := range s.cfg.ReadyChecks {
		names = append(names, name)
	}
	sort.Strings(names)
	checks := make(map[string]string, len(names))
	var down []string
	for _, name := range names {
		if err := s.cfg.ReadyChecks[name](ctx); err != nil {
			checks[name] = marketplace.ErrorMessage(err)
			down = append(down, name)
		} else {
			checks[name] = "ok"
		}
	}
	if len(down) > 0 {
		c.Status(fiber.StatusServiceUnavailable)
		return c.JSON(fiber.Map{"status": "unavailable", "checks": checks})
	}
	return c.JSON(fiber.Map{"status": "ready", "checks": checks})
}

// handleCategories serves the taxonomy, the values members may claim and
// the units prices are quoted in.
func (s *Server) handleCategories(c *fiber.Ctx) error {
	return c.JSON(fiber.Map{
		"sectors":     marketplace.Taxonomy.Sectors,
		"values":      marketplace.Values,
		"price_units": marketplace.PriceUnits,
	})
}
