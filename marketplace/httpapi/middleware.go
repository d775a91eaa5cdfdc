package httpapi

import (
	"crypto/subtle"
	"log/slog"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/limiter"

	"cooptrade/marketplace"
)

// The middleware every request passes through: who is asking, limits, security headers, logs and metrics.

// authenticate reads a bearer token, when there is one, and puts its user in
// the request's context. A request without one is public; a request with a
// bad one is refused, so that a client never mistakes itself for signed in.
func (s *Server) authenticate(c *fiber.Ctx) error {
	h := c.Get(fiber.HeaderAuthorization)
	if h == "" {
		return c.Next()
	}
	scheme, token, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return marketplace.Errorf(marketplace.EUNAUTHORIZED, "Send the API token as \"Authorization: Bearer <token>\".")
	}
	u, err := s.service.Authenticate(c.UserContext(), strings.TrimSpace(token))
	if err != nil {
		return err
	}
	c.SetUserContext(marketplace.NewContextWithUser(c.UserContext(), u))
	err = c.Next()
	// What a signed-in user is shown is theirs: no cache keeps it, unless
	// the handler said otherwise.
	if len(c.Response().Header.Peek(fiber.HeaderCacheControl)) == 0 {
		c.Set(fiber.HeaderCacheControl, "private, no-store")
	}
	return err
}

// metricsScraper lets through the bearer of MetricsToken, and staff.
func (s *Server) metricsScraper(c *fiber.Ctx) error {
	_, token, _ := strings.Cut(c.Get(fiber.HeaderAuthorization), " ")
	token = strings.TrimSpace(token)
	if s.cfg.MetricsToken != "" && subtle.ConstantTimeCompare([]byte(token), []byte(s.cfg.MetricsToken)) == 1 {
		return c.Next()
	}
	if token == "" {
		return marketplace.Errorf(marketplace.EUNAUTHORIZED, "Send the metrics token as \"Authorization: Bearer <token>\".")
	}
	u, err := s.service.Authenticate(c.UserContext(), token)
	if err != nil {
		return err
	}
	if !u.IsStaff() {
		return marketplace.Errorf(marketplace.EFORBIDDEN, "Only federation staff and the metrics token see the metrics.")
	}
	return c.Next()
}

// securityHeaders gives every answer that has none of its own (the pages
// and the queue monitor set theirs) a policy that loads nothing but the
// service's own styles, sends forms only to the service, and may not be
// framed; and tells browsers not to guess content types.
func securityHeaders(c *fiber.Ctx) error {
	err := c.Next()
	h := &c.Response().Header
	if len(h.Peek(fiber.HeaderContentSecurityPolicy)) == 0 {
		h.Set(fiber.HeaderContentSecurityPolicy, "default-src 'none'; style-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	}
	if len(h.Peek(fiber.HeaderXFrameOptions)) == 0 {
		h.Set(fiber.HeaderXFrameOptions, "DENY")
	}
	h.Set(fiber.HeaderXContentTypeOptions, "nosniff")
	if len(h.Peek(fiber.HeaderReferrerPolicy)) == 0 {
		h.Set(fiber.HeaderReferrerPolicy, "same-origin")
	}
	return err
}

// webhookBodyLimit bounds the bodies of webhooks from Stripe, whose
// events can be larger than anything a person sends.
const webhookBodyLimit = 1 << 20

// bodyLimit refuses bodies over max bytes with a 413 problem.
func (s *Server) bodyLimit(max int) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if len(c.Body()) > max {
			return &httpError{code: codeTooLarge, detail: "The request body is larger than this service accepts."}
		}
		return c.Next()
	}
}

// staffOnly lets federation staff through.
func (s *Server) staffOnly(c *fiber.Ctx) error {
	me := marketplace.UserFromContext(c.UserContext())
	if me == nil {
		return marketplace.Errorf(marketplace.EUNAUTHORIZED, "Sign in first.")
	}
	if !me.IsStaff() {
		return marketplace.Errorf(marketplace.EFORBIDDEN, "Only federation staff can see the queues.")
	}
	return c.Next()
}

// signInFirst sends a browser that is not signed in (a GET whose Accept
// prefers HTML to JSON) to the pages' sign-in form, and to next after it;
// API clients, and browsers' other requests, go on to the 401 problem.
func signInFirst(next string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if marketplace.UserFromContext(c.UserContext()) != nil {
			return c.Next()
		}
		switch c.Method() {
		case fiber.MethodGet, fiber.MethodHead:
		default:
			return c.Next()
		}
		// JSON first: no Accept, or */*, is an API client.
		c.Vary(fiber.HeaderAccept)
		if c.Accepts(fiber.MIMEApplicationJSON, fiber.MIMETextHTML) != fiber.MIMETextHTML {
			return c.Next()
		}
		return c.Redirect("/login?next="+next, fiber.StatusSeeOther)
	}
}

// limit allows max requests a minute per client address.
func (s *Server) limit(max int, name string) fiber.Handler {
	return limiter.New(limiter.Config{
		Max:        max,
		Expiration: time.Minute,
		KeyGenerator: func(c *fiber.Ctx) string {
			return name + ":" + marketplace.ClientFromContext(c.UserContext())
		},
		LimitReached: func(c *fiber.Ctx) error {
			return fiber.ErrTooManyRequests
		},
	})
}

// observe logs each request and records its metrics.
func (s *Server) observe(c *fiber.Ctx) error {
	start := time.Now()
	err := c.Next()
	if err != nil {
		if herr := s.App.ErrorHandler(c, err); herr != nil {
			_ = c.SendStatus(fiber.StatusInternalServerError)
		}
	}
	status := c.Response().StatusCode()
	// The pages mount their routes on the app after New: the routes are
	// known once requests come.
	s.metrics.once.Do(func() {
		s.metrics.routes = map[string]bool{}
		for _, r := range s.App.GetRoutes(true) {
			s.metrics.routes[r.Path] = true
		}
	})
	s.metrics.observe(c.Method(), c.Route().Path, status, time.Since(start))
	level := slog.LevelInfo
	if status >= 500 {
		level = slog.LevelError
	}
	s.logger.LogAttrs(c.UserContext(), level, "request",
		slog.String("request_id", requestID(c)),
		slog.String("method", c.Method()),
		slog.String("path", c.Path()),
		slog.Int("status", status),
		slog.Duration("duration", time.Since(start)),
	)
	return nil
}
