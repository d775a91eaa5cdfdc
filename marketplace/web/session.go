package web

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"net/url"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"cooptrade/marketplace"
)

// Cookies of the pages.
const (
	// sessionCookie holds the secret of a signed-in session.
	sessionCookie = "cms"
	// csrfCookie holds the CSRF token of a visitor not signed in, for the
	// sign-in form.
	csrfCookie = "cmc"
	// langCookie remembers the language chosen with ?lang=.
	langCookie = "lang"
)

// visitKey is where a request's visit is kept in its Locals.
type visitKey struct{}

// visit is what the pages know of the person asking: their language,
// their session and user (nil for the public) and the CSRF token their
// forms carry.
type visit struct {
	Lang    string
	User    *marketplace.User
	Session *marketplace.Session
	secret  string
	csrf    string
	c       *fiber.Ctx
	s       *Server
}

// visitOf returns the visit of a request that passed s.visit.
func visitOf(c *fiber.Ctx) *visit {
	v, _ := c.Locals(visitKey{}).(*visit)
	return v
}

// startVisit settles the language of a request and the headers every page
// carries; it does not look up the session (visit does).
func (s *Server) startVisit(c *fiber.Ctx) *visit {
	if v := visitOf(c); v != nil {
		return v
	}
	v := &visit{Lang: s.language(c), c: c, s: s}
	c.Locals(visitKey{}, v)
	h := &c.Response().Header
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'")
	h.Set(fiber.HeaderXContentTypeOptions, "nosniff")
	h.Set(fiber.HeaderReferrerPolicy, "same-origin")
	h.Set(fiber.HeaderXFrameOptions, "DENY")
	c.Vary(fiber.HeaderCookie, fiber.HeaderAcceptLanguage)
	return v
}

// visit is the middleware of every page: it settles the language and, when
// the browser has a session cookie, the signed-in user, who is then in the
// request's context for the use cases.
func (s *Server) visit(c *fiber.Ctx) error {
	v := s.startVisit(c)
	if secret := c.Cookies(sessionCookie); secret != "" {
		secret = strings.Clone(secret)
		sess, u, err := s.service.ResumeSession(c.UserContext(), secret)
		switch marketplace.ErrorCode(err) {
		case "":
			v.User, v.Session, v.secret = u, sess, secret
			c.SetUserContext(marketplace.NewContextWithUser(c.UserContext(), u))
			// The session was extended on use; so is the cookie.
			s.setCookie(c, sessionCookie, secret, sess.ExpiresAt)
		case marketplace.EUNAUTHORIZED:
			s.clearCookie(c, sessionCookie)
		default:
			return s.renderError(c, err)
		}
	}
	return c.Next()
}

// Authenticate is a middleware for routes outside the pages that browsers
// reach signed in, such as the queue monitor: it puts the user of a
// session cookie in the request's context. A request that changes
// something must come from the service's own pages (same origin), since
// such routes carry no CSRF token.
func (s *Server) Authenticate(c *fiber.Ctx) error {
	if marketplace.UserFromContext(c.UserContext()) != nil {
		return c.Next() // a bearer token said who it is
	}
	secret := c.Cookies(sessionCookie)
	if secret == "" {
		return c.Next()
	}
	_, u, err := s.service.ResumeSession(c.UserContext(), strings.Clone(secret))
	if marketplace.ErrorCode(err) == marketplace.EUNAUTHORIZED {
		return c.Next()
	} else if err != nil {
		return err
	}
	switch c.Method() {
	case fiber.MethodGet, fiber.MethodHead, fiber.MethodOptions:
	default:
		if !s.sameOrigin(c) {
			return marketplace.Errorf(marketplace.EFORBIDDEN, "A change made with a session cookie must come from the service's own pages.")
		}
	}
	c.SetUserContext(marketplace.NewContextWithUser(c.UserContext(), u))
	return c.Next()
}

// sameOrigin reports whether a request says it comes from the service's
// own pages (Sec-Fetch-Site, or else Origin).
func (s *Server) sameOrigin(c *fiber.Ctx) bool {
	if site := c.Get("Sec-Fetch-Site"); site != "" {
		return site == "same-origin"
	}
	origin := c.Get(fiber.HeaderOrigin)
	if origin == "" {
		return false
	}
	u, err := url.Parse(origin)
	return err == nil && u.Host == string(c.Request().Host())
}

// csrfToken returns the token the forms of this visit carry: the
// session's, or before signing in the one of the csrf cookie, made (and
// the cookie set) the first time a form needs it.
func (v *visit) csrfToken() string {
	if v.Session != nil {
		return v.Session.CSRF
	}
	if v.csrf != "" {
		return v.csrf
	}
	if t := v.c.Cookies(csrfCookie); validToken(t) {
		v.csrf = strings.Clone(t)
		return v.csrf
	}
	v.csrf = randomToken()
	v.s.setCookie(v.c, csrfCookie, v.csrf, time.Time{})
	return v.csrf
}

// checkCSRF refuses, with a 403 page, a form posted without the token of
// the visit.
func (s *Server) checkCSRF(c *fiber.Ctx) error {
	switch c.Method() {
	case fiber.MethodGet, fiber.MethodHead, fiber.MethodOptions:
		return c.Next()
	}
	v := visitOf(c)
	var want string
	if v.Session != nil {
		want = v.Session.CSRF
	} else if t := c.Cookies(csrfCookie); validToken(t) {
		want = t
	}
	got := c.FormValue("csrf")
	if got == "" {
		got = c.Get("X-CSRF-Token")
	}
	if want == "" || subtle.ConstantTimeCompare([]byte(want), []byte(got)) != 1 {
		s.logger.InfoContext(c.UserContext(), "form refused: missing or wrong CSRF token", "path", c.Path())
		return s.renderProblem(c, v, fiber.StatusForbidden, "error.csrf.title", "error.csrf.text")
	}
	return c.Next()
}

// requireUser sends a visitor who is not signed in to the sign-in page,
// and back here afterwards.
func (s *Server) requireUser(c *fiber.Ctx) error {
	if visitOf(c).User != nil {
		return c.Next()
	}
	next := "/dashboard"
	if c.Method() == fiber.MethodGet {
		next = string(c.Request().URI().RequestURI())
	}
	return seeOther(c, "/login?next="+url.QueryEscape(next))
}

// requireStaff lets federation staff through; others are asked to sign in
// or shown a 403 page.
func (s *Server) requireStaff(c *fiber.Ctx) error {
	v := visitOf(c)
	if v.User == nil {
		return s.requireUser(c)
	}
	if !v.User.IsStaff() {
		return s.renderProblem(c, v, fiber.StatusForbidden, "error.forbidden.title", "error.staff_only.text")
	}
	return c.Next()
}

// setCookie sets one of the pages' cookies: HttpOnly, SameSite=Lax, Secure
// whenever the service is reached over https. A zero expiry makes it last
// as long as the browser session.
func (s *Server) setCookie(c *fiber.Ctx, name, value string, expires time.Time) {
	c.Cookie(&fiber.Cookie{
		Name: name, Value: value, Path: "/", Expires: expires, SessionOnly: expires.IsZero(),
		HTTPOnly: true, Secure: s.secure, SameSite: fiber.CookieSameSiteLaxMode,
	})
}

func (s *Server) clearCookie(c *fiber.Ctx, name string) {
	c.Cookie(&fiber.Cookie{
		Name: name, Value: "", Path: "/", Expires: time.Unix(0, 0), MaxAge: -1,
		HTTPOnly: true, Secure: s.secure, SameSite: fiber.CookieSameSiteLaxMode,
	})
}

func randomToken() string {
	var b [32]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

func validToken(t string) bool {
	if len(t) != 43 {
		return false
	}
	_, err := base64.RawURLEncoding.DecodeString(t)
	return err == nil
}

// localPath returns next when it is a path of this service ("/dashboard"),
// else def, so that the sign-in page cannot send people elsewhere.
func localPath(next, def string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n") {
		return def
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" {
		return def
	}
	return next
}

// handleLoginForm shows the sign-in form.
func (s *Server) handleLoginForm(c *fiber.Ctx) error {
	v := visitOf(c)
	next := localPath(query(c, "next"), "/dashboard")
	if v.User != nil {
		return seeOther(c, next)
	}
	p := s.page(c, "login.title", "login.desc")
	p.Form = newForm()
	p.Form.Values["next"] = next
	return s.render(c, fiber.StatusOK, "login", p)
}

// handleLogin signs in and sends the person where they were going.
func (s *Server) handleLogin(c *fiber.Ctx) error {
	email, password := form(c, "email"), strings.Clone(c.FormValue("password"))
	next := localPath(form(c, "next"), "/dashboard")
	f := newForm()
	f.Labels = map[string]string{"email": "login.email", "password": "login.password"}
	f.Values["email"], f.Values["next"] = email, next
	if email == "" {
		f.add("email", "login.error.email_required")
	}
	if password == "" {
		f.add("password", "login.error.password_required")
	}
	if f.ok() {
		secret, sess, _, err := s.service.StartSession(c.UserContext(), email, password)
		switch marketplace.ErrorCode(err) {
		case "":
			s.setCookie(c, sessionCookie, secret, sess.ExpiresAt)
			return seeOther(c, next)
		case marketplace.EUNAUTHORIZED:
			f.add("email", "login.error.wrong")
		default:
			return s.renderError(c, err)
		}
	}
	p := s.page(c, "login.title", "login.desc")
	p.Form = f
	return s.render(c, fiber.StatusUnprocessableEntity, "login", p)
}

// handleLogoutForm asks before signing out: a link may not change anything.
func (s *Server) handleLogoutForm(c *fiber.Ctx) error {
	if visitOf(c).User == nil {
		return seeOther(c, "/")
	}
	return s.render(c, fiber.StatusOK, "logout", s.page(c, "logout.title", "logout.desc"))
}

// handleLogout ends the session.
func (s *Server) handleLogout(c *fiber.Ctx) error {
	v := visitOf(c)
	if v.secret != "" {
		if err := s.service.EndSession(c.UserContext(), v.secret); err != nil {
			return s.renderError(c, err)
		}
	}
	s.clearCookie(c, sessionCookie)
	return seeOther(c, "/?done=signed_out")
}
