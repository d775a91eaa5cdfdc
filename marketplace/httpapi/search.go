package httpapi

import (
	"net/url"
	"slices"
	"sort"

	"github.com/gofiber/fiber/v2"

	"cooptrade/marketplace"
	"cooptrade/search"
)

// handleSearch answers GET /v1/search. Offers are public; needs are shown to
// signed-in users. Unknown parameters are refused, so that a misspelt filter
// never silently widens a search.
func (s *Server) handleSearch(c *fiber.Ctx) error {
	if s.cfg.Search == nil {
		return marketplace.Errorf(marketplace.EUNAVAILABLE, "Search is not configured.")
	}
	values := url.Values{}
	c.Context().QueryArgs().VisitAll(func(k, v []byte) {
		values.Add(string(k), string(v))
	})
	var unknown []marketplace.FieldError
	for name := range values {
		if !slices.Contains(search.Parameters, name) {
			unknown = append(unknown, marketplace.FieldError{Field: name, Message: "is not a search parameter"})
		}
	}
	if len(unknown) > 0 {
		sort.Slice(unknown, func(i, j int) bool { return unknown[i].Field < unknown[j].Field })
		return marketplace.Invalid(unknown...)
	}
	me := marketplace.UserFromContext(c.UserContext())
	q, err := search.ParseQuery(values, marketplace.SeesNeeds(me))
	if err != nil {
		return err
	}
	res, err := s.cfg.Search.Search(c.UserContext(), q)
	if err != nil {
		return err
	}
	if me == nil {
		c.Set(fiber.HeaderCacheControl, "public, max-age=10")
	} else {
		c.Set(fiber.HeaderCacheControl, "private, no-store")
	}
	return c.JSON(res)
}
