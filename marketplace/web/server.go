package web

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/limiter"

	"cooptrade/marketplace"
	"cooptrade/payments"
	"cooptrade/search"
)

// Dues is what the pages use of the members' dues: the standing and what
// is owed, the owners' applications (a declaration of labour costs or a
// request for hardship dues), and the Stripe Checkout and Billing Portal
// sessions. payments.Service satisfies it.
type Dues interface {
	FindStatus(ctx context.Context, memberID string) (*payments.Status, error)
	Apply(ctx context.Context, in payments.ApplicationInput) (*payments.Application, error)
	Checkout(ctx context.Context) (*payments.Session, error)
	Portal(ctx context.Context) (*payments.Session, error)
}

var _ Dues = (*payments.Service)(nil)

// Config configures the pages. Zero values are the defaults.
type Config struct {
	Service *marketplace.Service
	// Search answers the search pages (nil: they say search is
	// unavailable).
	Search search.Engine
	// Dues shows members their dues and takes them to Stripe (nil: the
	// dashboard says dues are not set up here).
	Dues Dues
	// BaseURL is where people reach the service: links shared on other
	// sites (Open Graph) are made with it, and cookies are Secure when
	// it is https (default http://localhost:8080).
	BaseURL string
	Logger  *slog.Logger
	// LoginsPerMinute limits sign-in attempts per client address
	// (default 10).
	LoginsPerMinute int
	// WritesPerMinute limits the forms posted per client address
	// (default 300).
	WritesPerMinute int
	// Controller names the data controller on the privacy notice: the
	// federation that runs the marketplace, and how to reach it.
	Controller string
}

// Server serves the pages.
type Server struct {
	cfg     Config
	service *marketplace.Service
	logger  *slog.Logger
	base    *url.URL
	secure  bool
	pages   *templates
	cat     *catalogue
	static  *staticFiles
}

// New returns the pages, their templates parsed and catalogues loaded.
func New(cfg Config) (*Server, error) {
	if cfg.Service == nil {
		return nil, fmt.Errorf("web: a service is required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = "http://localhost:8080"
	}
	if cfg.LoginsPerMinute <= 0 {
		cfg.LoginsPerMinute = 10
	}
	if cfg.WritesPerMinute <= 0 {
		cfg.WritesPerMinute = 300
	}
	base, err := url.Parse(strings.TrimRight(cfg.BaseURL, "/"))
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return nil, fmt.Errorf("web: base URL %q is not an http:// or https:// address", cfg.BaseURL)
	}
	cat, err := loadCatalogue()
	if err != nil {
		return nil, err
	}
	pages, err := parseTemplates()
	if err != nil {
		return nil, err
	}
	static, err := loadStatic()
	if err != nil {
		return nil, err
	}
	return &Server{
		cfg: cfg, service: cfg.Service, logger: cfg.Logger.With("component", "web"),
		base: base, secure: base.Scheme == "https", pages: pages, cat: cat, static: static,
	}, nil
}

// Mount registers the pages on app, after the API's routes. It also
// answers, as a page, requests for addresses nothing else serves when a
// browser asks for HTML.
func (s *Server) Mount(app *fiber.App) {
	s.routes(app)
	app.Use(s.notFound)
}

// routes is the one table of the pages' routes.
func (s *Server) routes(app fiber.Router) {
	app.Get("/static/:name", s.handleStatic)

	writes := s.limit(s.cfg.WritesPerMinute, "page-write")
	get := func(path string, hs ...fiber.Handler) {
		app.Get(path, append([]fiber.Handler{s.visit}, hs...)...)
	}
	post := func(path string, hs ...fiber.Handler) {
		app.Post(path, append([]fiber.Handler{writes, s.visit, s.checkCSRF}, hs...)...)
	}

	get("/", s.handleHome)
	get("/search", s.handleSearch)
	get("/accessibility", s.handleAccessibility)
	get("/privacy", s.handlePrivacy)
	get("/coops/:slug", s.handleCoop)
	get("/coops/:slug/edit", s.requireUser, s.handleProfile)
	post("/coops/:slug/edit", s.requireUser, s.handleProfileUpdate)

	get("/login", s.handleLoginForm)
	app.Post("/login", s.limit(s.cfg.LoginsPerMinute, "page-login"), s.visit, s.checkCSRF, s.handleLogin)
	get("/logout", s.handleLogoutForm)
	// Asking for a reset link, and using one, are limited as signing in is.
	get("/password/forgot", s.handleForgotForm)
	// A member of the public's data as an enquirer: a link asked for and
	// used as a reset link is, limited the same.
	get("/enquirer/data", s.handleEnquirerForm)
	enquirerLimit := s.limit(s.cfg.LoginsPerMinute, "page-enquirer")
	app.Post("/enquirer/data", enquirerLimit, s.visit, s.checkCSRF, s.handleEnquirerRequest)
	app.Post("/enquirer/data/export", enquirerLimit, s.visit, s.checkCSRF, s.handleEnquirerExport)
	app.Post("/enquirer/data/erase", enquirerLimit, s.visit, s.checkCSRF, s.handleEnquirerErase)
	app.Post("/password/forgot", s.limit(s.cfg.LoginsPerMinute, "page-forgot"), s.visit, s.checkCSRF, s.handleForgot)
	get("/password/reset", s.handleResetForm)
	app.Post("/password/reset", s.limit(s.cfg.LoginsPerMinute, "page-reset"), s.visit, s.checkCSRF, s.handleReset)
	post("/logout", s.handleLogout)
	// Applying to join mails a stranger, and an invitation's page sets a
	// password: both are limited as signing in is.
	get("/join", s.handleJoinForm)
	app.Post("/join", s.limit(s.cfg.LoginsPerMinute, "page-join"), s.visit, s.checkCSRF, s.handleJoin)
	get("/join/confirm", s.handleJoinConfirmForm)
	app.Post("/join/confirm", s.limit(s.cfg.LoginsPerMinute, "page-join-confirm"), s.visit, s.checkCSRF, s.handleJoinConfirm)
	get("/invitation", s.handleInvitationForm)
	app.Post("/invitation", s.limit(s.cfg.LoginsPerMinute, "page-invitation"), s.visit, s.checkCSRF, s.handleInvitation)

	get("/dashboard", s.requireUser, s.handleDashboard)
	get("/listings/new", s.requireUser, s.handleListingNew)
	post("/listings/new", s.requireUser, s.handleListingCreate)
	get("/listings/:id", s.handleListing)
	get("/listings/:id/edit", s.requireUser, s.handleListingEdit)
	post("/listings/:id/edit", s.requireUser, s.handleListingUpdate)
	post("/listings/:id/publish", s.requireUser, s.handleListingAction(actionPublish))
	post("/listings/:id/pause", s.requireUser, s.handleListingAction(actionPause))
	post("/listings/:id/close", s.requireUser, s.handleListingAction(actionClose))
	post("/matches/:id/decline", s.requireUser, s.handleMatchDecline)

	post("/listings/:id/enquiry", s.handleEnquiry)
	get("/enquiries/confirm", s.handleEnquiryConfirmForm)
	post("/enquiries/confirm", s.handleEnquiryConfirm)
	get("/threads", s.requireUser, s.handleThreads)
	get("/threads/:id", s.handleThread)
	post("/threads/:id/messages", s.handleThreadPost)
	post("/threads/:id/deals", s.handleThreadDeal)
	post("/threads/:id/messages/:message/report", s.handleMessageReport)
	post("/deals/:id/confirm", s.handleDealAnswer(true))
	post("/deals/:id/dispute", s.handleDealAnswer(false))
	get("/deals", s.requireUser, s.handleDeals)
	post("/listings/:id/quote", s.requireUser, s.handleQuoteCreate)
	get("/listings/:id/joint-quote", s.requireUser, s.handleJointQuoteForm)
	post("/listings/:id/joint-quote", s.requireUser, s.handleJointQuote)
	post("/quotes/:id/accept", s.requireUser, s.handleQuoteDecision(marketplace.QuoteAccept))
	post("/quotes/:id/decline", s.requireUser, s.handleQuoteDecision(marketplace.QuoteDecline))
	post("/quotes/:id/withdraw", s.requireUser, s.handleQuoteDecision(marketplace.QuoteWithdraw))
	post("/quotes/:id/join", s.requireUser, s.handleQuoteJoin)
	post("/quotes/:id/send", s.requireUser, s.handleQuoteSend)

	get("/inbox", s.requireUser, s.handleInbox)
	post("/inbox/:id/read", s.requireUser, s.handleInboxRead)

	get("/alerts", s.requireUser, s.handleAlerts)
	post("/alerts", s.requireUser, s.handleAlertCreate)
	post("/alerts/:id/pause", s.requireUser, s.handleAlertPause(true))
	post("/alerts/:id/resume", s.requireUser, s.handleAlertPause(false))
	post("/alerts/:id/delete", s.requireUser, s.handleAlertDelete)

	get("/settings/notifications", s.requireUser, s.handlePreferences)
	get("/settings/language", s.requireUser, s.handleLanguage)
	post("/settings/language", s.requireUser, s.handleLanguageSave)
	post("/settings/notifications", s.requireUser, s.handlePreferencesSave)
	get("/settings/webhook", s.requireUser, s.handleWebhook)
	post("/settings/webhook", s.requireUser, s.handleWebhookSave)
	post("/settings/webhook/delete", s.requireUser, s.handleWebhookDelete)
	get("/settings/users", s.requireUser, s.handleUsers)
	post("/settings/users/:id/role", s.requireUser, s.handleUserRole)
	post("/settings/users/:id/remove", s.requireUser, s.handleUserRemove)
	post("/settings/invitations", s.requireUser, s.handleInvite)
	post("/settings/invitations/:id/resend", s.requireUser, s.handleInvitationResend)
	post("/settings/invitations/:id/withdraw", s.requireUser, s.handleInvitationWithdraw)
	get("/settings/tokens", s.requireUser, s.handleTokens)
	post("/settings/tokens", s.requireUser, s.handleTokenCreate)
	post("/settings/tokens/:id/revoke", s.requireUser, s.handleTokenRevoke)
	get("/settings/privacy", s.requireUser, s.handlePrivacySettings)
	for _, whose := range []string{"me", "coop"} {
		get("/settings/privacy/"+whose+".json", s.requireUser, s.handlePrivacyExportFile(whose))
		get("/settings/privacy/"+whose, s.requireUser, s.handlePrivacyExportPage(whose))
	}
	post("/settings/privacy/close", s.requireUser, s.handleCloseAccount)
	post("/settings/privacy/prepare", s.requireUser, s.handlePrivacyPrepare)
	get("/settings/privacy/download/:secret", s.requireUser, s.handlePrivacyDownload)
	get("/settings/password", s.requireUser, s.handlePassword)
	// A wrong current password counts as a failed sign-in.
	post("/settings/password", s.requireUser, s.limit(s.cfg.LoginsPerMinute, "page-password"), s.handlePasswordChange)

	get("/dues", s.requireUser, s.handleDues)
	post("/dues/checkout", s.requireUser, s.handleDuesCheckout)
	post("/dues/portal", s.requireUser, s.handleDuesPortal)
	get("/dues/apply", s.requireUser, s.handleDuesApplication)
	post("/dues/apply", s.requireUser, s.handleDuesApply)

	// The staff's pages (staff*.go), under /staff.
	s.staffRoutes(app.Group("/staff", s.visit, s.requireStaff, s.checkCSRF))
}

// limit allows max requests a minute per client address; more get a page
// saying to wait.
func (s *Server) limit(max int, name string) fiber.Handler {
	return limiter.New(limiter.Config{
		Max:        max,
		Expiration: time.Minute,
		KeyGenerator: func(c *fiber.Ctx) string {
			// The API's middleware, in front of every route, has put the
			// client's address (behind trusted proxies) in the context.
			addr := marketplace.ClientFromContext(c.UserContext())
			if addr == "" {
				addr = c.IP()
			}
			return name + ":" + addr
		},
		LimitReached: func(c *fiber.Ctx) error {
			v := s.startVisit(c)
			c.Set(fiber.HeaderRetryAfter, "60")
			return s.renderProblem(c, v, fiber.StatusTooManyRequests, "error.rate_limited.title", "error.rate_limited.text")
		},
	})
}

// notFound answers, with a page, the requests of browsers for addresses
// nothing serves; API clients get the API's problem document.
func (s *Server) notFound(c *fiber.Ctx) error {
	if strings.HasPrefix(c.Path(), "/v1/") || c.Accepts(fiber.MIMETextHTML, fiber.MIMEApplicationJSON) != fiber.MIMETextHTML {
		return c.Next()
	}
	v := s.startVisit(c)
	return s.renderProblem(c, v, fiber.StatusNotFound, "error.not_found.title", "error.not_found.text")
}

// param returns a copy of a route parameter (Fiber reuses its buffers).
func param(c *fiber.Ctx, name string) string {
	return strings.Clone(c.Params(name))
}

// form returns a copy of a form field, trimmed of surrounding spaces.
func form(c *fiber.Ctx, name string) string {
	return strings.TrimSpace(strings.Clone(c.FormValue(name)))
}

// query returns a copy of a query parameter.
func query(c *fiber.Ctx, name string) string {
	return strings.Clone(c.Query(name))
}

// seeOther redirects after a form, so that reloading does not post again.
func seeOther(c *fiber.Ctx, location string) error {
	return c.Redirect(location, fiber.StatusSeeOther)
}

// absolute returns the address of a path of the service, for links that
// leave it (Open Graph, canonical links).
func (s *Server) absolute(path string) string {
	return s.base.String() + path
}
