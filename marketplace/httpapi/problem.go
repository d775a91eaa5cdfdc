package httpapi

import (
	"errors"

	"github.com/gofiber/fiber/v2"

	"cooptrade/marketplace"
)

// Problem is an RFC 9457 problem document.
type Problem struct {
	Type      string                   `json:"type"`
	Title     string                   `json:"title"`
	Status    int                      `json:"status"`
	Detail    string                   `json:"detail"`
	Instance  string                   `json:"instance,omitempty"`
	RequestID string                   `json:"request_id,omitempty"`
	Errors    []marketplace.FieldError `json:"errors,omitempty"`
}

// problemKind is what a code means over HTTP.
type problemKind struct {
	status int
	title  string
}

// Codes of problems that arise in HTTP itself rather than in the domain.
const (
	codeTooLarge         = "too_large"
	codeHeadersTooLarge  = "headers_too_large"
	codeMethodNotAllowed = "method_not_allowed"
	codeUnsupportedMedia = "unsupported_media_type"
)

// problemKinds is the one table that maps error codes to HTTP statuses. The
// type of a problem is "/problems/<code>", stable across deployments.
var problemKinds = map[string]problemKind{
	marketplace.EINVALID:              {fiber.StatusBadRequest, "Your request is not valid."},
	marketplace.EUNAUTHORIZED:         {fiber.StatusUnauthorized, "You need to sign in."},
	marketplace.EPAYMENTREQUIRED:      {fiber.StatusPaymentRequired, "Membership dues are unpaid."},
	marketplace.EFORBIDDEN:            {fiber.StatusForbidden, "You may not do that."},
	marketplace.ENOTFOUND:             {fiber.StatusNotFound, "Not found."},
	marketplace.ECONFLICT:             {fiber.StatusConflict, "That conflicts with the current state."},
	marketplace.EPRECONDITION:         {fiber.StatusPreconditionFailed, "Someone changed it first."},
	marketplace.EPRECONDITIONREQUIRED: {fiber.StatusPreconditionRequired, "Say which version you are changing."},
	marketplace.EUNAVAILABLE:          {fiber.StatusServiceUnavailable, "Temporarily unavailable."},
	marketplace.EINTERNAL:             {fiber.StatusInternalServerError, "Internal error."},
	codeTooLarge:                      {fiber.StatusRequestEntityTooLarge, "The request body is too large."},
	codeHeadersTooLarge:               {fiber.StatusRequestHeaderFieldsTooLarge, "The request's address or headers are too long."},
	marketplace.ERATELIMITED:          {fiber.StatusTooManyRequests, "Too many requests."},
	codeMethodNotAllowed:              {fiber.StatusMethodNotAllowed, "Method not allowed."},
	codeUnsupportedMedia:              {fiber.StatusUnsupportedMediaType, "Send JSON."},
}

// ProblemTypes returns the code and status of every problem the API
// answers with, for documentation.
func ProblemTypes() map[string]int {
	m := make(map[string]int, len(problemKinds))
	for code, k := range problemKinds {
		m[code] = k.status
	}
	return m
}

// httpError is an error that arises in HTTP itself (a body too large).
type httpError struct {
	code   string
	detail string
}

func (e *httpError) Error() string { return e.code + ": " + e.detail }

// errorHandler is the Fiber ErrorHandler: every error any handler or
// middleware returns is answered here.
func (s *Server) errorHandler(c *fiber.Ctx, err error) error {
	code, detail := marketplace.ErrorCode(err), marketplace.ErrorMessage(err)
	var fe *fiber.Error
	var he *httpError
	switch {
	case errors.As(err, &he):
		code, detail = he.code, he.detail
	case errors.As(err, &fe):
		code, detail = fiberCode(fe)
	}
	kind, ok := problemKinds[code]
	if !ok {
		kind = problemKinds[marketplace.EINTERNAL]
	}
	p := Problem{
		Type:      "/problems/" + code,
		Title:     kind.title,
		Status:    kind.status,
		Detail:    detail,
		Instance:  c.Path(),
		RequestID: requestID(c),
		Errors:    marketplace.ErrorFields(err),
	}
	if p.RequestID == "" {
		// Refused before any middleware ran (a body over the limit).
		s.logger.WarnContext(c.UserContext(), "request refused", "method", c.Method(), "path", c.Path(), "status", kind.status)
	}
	if code == marketplace.EINTERNAL {
		s.logger.ErrorContext(c.UserContext(), "internal error",
			"request_id", p.RequestID, "method", c.Method(), "path", c.Path(), "error", err)
	}
	if code == marketplace.EUNAUTHORIZED {
		c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="marketplace"`)
	}
	if code == marketplace.ERATELIMITED && len(c.Response().Header.Peek(fiber.HeaderRetryAfter)) == 0 {
		// The domain's limits (guessing, inviting) say how long in
		// words; a minute is the least a client should wait.
		c.Set(fiber.HeaderRetryAfter, "60")
	}
	c.Status(kind.status)
	c.Set(fiber.HeaderContentType, "application/problem+json")
	return c.JSON(p, "application/problem+json")
}

// fiberCode turns Fiber's own errors (no route, body too large…) into codes.
func fiberCode(e *fiber.Error) (string, string) {
	switch e.Code {
	case fiber.StatusNotFound:
		return marketplace.ENOTFOUND, "There is nothing at this address."
	case fiber.StatusMethodNotAllowed:
		return codeMethodNotAllowed, "This address does not take that method."
	case fiber.StatusRequestEntityTooLarge:
		return codeTooLarge, "The request body is larger than this service accepts."
	case fiber.StatusRequestHeaderFieldsTooLarge, fiber.StatusRequestURITooLong:
		return codeHeadersTooLarge, "The address and headers of a request may be 16 KiB at most."
	case fiber.StatusTooManyRequests:
		return marketplace.ERATELIMITED, "Too many requests; wait a minute and try again."
	case fiber.StatusBadRequest:
		return marketplace.EINVALID, e.Message
	case fiber.StatusUnsupportedMediaType:
		return codeUnsupportedMedia, "Send the body as application/json."
	}
	if e.Code >= 500 {
		return marketplace.EINTERNAL, "Internal error."
	}
	return marketplace.EINVALID, e.Message
}
