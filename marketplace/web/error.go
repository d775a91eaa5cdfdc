package web

import (
	"github.com/gofiber/fiber/v2"

	"cooptrade/marketplace"
)

// problemPage is what a page says when something goes wrong: a status and
// the catalogue keys of its title and text.
type problemPage struct {
	status      int
	title, text string
}

// problemPages maps the domain's error codes to pages, as problem.go maps
// them to statuses for the API.
var problemPages = map[string]problemPage{
	marketplace.EINVALID:              {fiber.StatusBadRequest, "error.invalid.title", "error.invalid.text"},
	marketplace.EFORBIDDEN:            {fiber.StatusForbidden, "error.forbidden.title", "error.forbidden.text"},
	marketplace.ENOTFOUND:             {fiber.StatusNotFound, "error.not_found.title", "error.not_found.text"},
	marketplace.ECONFLICT:             {fiber.StatusConflict, "error.conflict.title", "error.conflict.text"},
	marketplace.EPRECONDITION:         {fiber.StatusPreconditionFailed, "error.changed.title", "error.changed.text"},
	marketplace.EPRECONDITIONREQUIRED: {fiber.StatusPreconditionRequired, "error.changed.title", "error.changed.text"},
	marketplace.EPAYMENTREQUIRED:      {fiber.StatusPaymentRequired, "error.payment_required.title", "error.payment_required.text"},
	marketplace.ERATELIMITED:          {fiber.StatusTooManyRequests, "error.guesses.title", "error.guesses.text"},
	marketplace.EUNAVAILABLE:          {fiber.StatusServiceUnavailable, "error.unavailable.title", "error.unavailable.text"},
	marketplace.EINTERNAL:             {fiber.StatusInternalServerError, "error.internal.title", "error.internal.text"},
}

// renderError answers a request with the page for err: the sign-in page
// when it needs a user, otherwise a page saying what went wrong in the
// visitor's language. Internal errors are logged, never shown.
func (s *Server) renderError(c *fiber.Ctx, err error) error {
	v := s.startVisit(c)
	code := marketplace.ErrorCode(err)
	if code == marketplace.EUNAUTHORIZED {
		if v.User == nil {
			return s.requireUser(c)
		}
		code = marketplace.EFORBIDDEN
	}
	pp, ok := problemPages[code]
	if !ok {
		pp = problemPages[marketplace.EINTERNAL]
	}
	if pp.status >= 500 {
		s.logger.ErrorContext(c.UserContext(), "page failed", "method", c.Method(), "path", c.Path(), "error", err)
	}
	return s.renderProblem(c, v, pp.status, pp.title, pp.text)
}

// renderProblem shows the problem page with a title and text from the
// catalogue.
func (s *Server) renderProblem(c *fiber.Ctx, v *visit, status int, titleKey, textKey string) error {
	p := s.page(c, titleKey, textKey)
	p.Private = true
	return s.render(c, status, "problem", p)
}

// renderForbidden answers a request the domain refused with EFORBIDDEN
// with a 403 page whose text (the catalogue key textKey) says who may do
// it; any other error is answered as renderError does.
func (s *Server) renderForbidden(c *fiber.Ctx, err error, textKey string) error {
	if marketplace.ErrorCode(err) != marketplace.EFORBIDDEN {
		return s.renderError(c, err)
	}
	return s.renderProblem(c, s.startVisit(c), fiber.StatusForbidden, "error.forbidden.title", textKey)
}
