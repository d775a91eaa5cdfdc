package httpapi

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"
	"github.com/gofiber/fiber/v2/middleware/recover"
	"github.com/gofiber/fiber/v2/middleware/requestid"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"cooptrade/marketplace"
	"cooptrade/payments"
	"cooptrade/search"
)

// Config configures the API. Zero values are the defaults.
type Config struct {
	Service *marketplace.Service
	Logger  *slog.Logger
	// UnsubscribePage renders the page of an unsubscribe link, in the
	// visitor's language: the form that asks (done is nil) or what was
	// stopped. Without it, /unsubscribe answers JSON only.
	UnsubscribePage func(c *fiber.Ctx, token string, done *marketplace.Unsubscribed) error
	// Registry holds the metrics served at /metrics; the API registers
	// its own there (default: a new registry).
	Registry *prometheus.Registry
	// ReadyChecks are what /readyz checks, by name (MongoDB, Redis…).
	ReadyChecks map[string]func(context.Context) error
	// BodyLimit is the largest request body accepted (default 64 KiB).
	BodyLimit int
	// LoginsPerMinute limits sign-in attempts per client address
	// (default 10).
	LoginsPerMinute int
	// WritesPerMinute limits writes per client address (default 300).
	// PUT /v1/me/password takes LoginsPerMinute as well: it checks a
	// password.
	WritesPerMinute int
	// TrustedProxies are the addresses of the reverse proxies in front of
	// the service. A request from one of them comes from the address its
	// X-Forwarded-For names last that is not itself a trusted proxy; any
	// other request comes from its peer, whatever it says. Rate limits and
	// password guesses are counted by that address.
	TrustedProxies []netip.Prefix
	// MetricsToken, when set, is the bearer token that Prometheus sends to
	// scrape /metrics; staff users' tokens are taken too. Nobody else
	// sees the metrics.
	MetricsToken string
	// Version is reported by /healthz.
	Version string
	// Foreground, when set, is told of every request while it is served,
	// so that background work in the process can give way to it (the
	// workers beside the embedded database).
	Foreground Foreground
	// Search answers /v1/search (nil: 503).
	Search search.Engine
	// QueueMonitor is the queues' web UI, served to staff at /staff/queues
	// (nil: not served).
	QueueMonitor http.Handler
	// Dues answers /v1/dues, /v1/stripe/webhook and the staff's dues
	// routes (nil: they are not served).
	Dues Dues
	// InboundMailSecret is the bearer token of the mail relay that posts
	// replies by mail to /v1/inbound/mail (empty: 503).
	InboundMailSecret string
	// PageSession, when set, lets the queue monitor take a signed-in
	// browser's session cookie as well as a bearer token: it puts the
	// session's user in the request's context (web.Server.Authenticate).
	PageSession fiber.Handler
}

// Server is the HTTP API.
type Server struct {
	App     *fiber.App
	cfg     Config
	service *marketplace.Service
	logger  *slog.Logger
	metrics *httpMetrics
}

// New returns the API with every route registered.
func New(cfg Config) *Server {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Registry == nil {
		cfg.Registry = prometheus.NewRegistry()
	}
	if cfg.BodyLimit <= 0 {
		cfg.BodyLimit = 64 << 10
	}
	if cfg.LoginsPerMinute <= 0 {
		cfg.LoginsPerMinute = 10
	}
	if cfg.WritesPerMinute <= 0 {
		cfg.WritesPerMinute = 300
	}
	s := &Server{cfg: cfg, service: cfg.Service, logger: cfg.Logger, metrics: newHTTPMetrics(cfg.Registry)}
	s.App = fiber.New(fiber.Config{
		AppName: "marketplace",
		// The largest body anything takes (Stripe's events); the API's
		// routes take BodyLimit (bodyLimit).
		BodyLimit:             max(cfg.BodyLimit, webhookBodyLimit),
		ErrorHandler:          s.errorHandler,
		DisableStartupMessage: true,
		// Long search addresses fit; longer ones get a 431 problem.
		ReadBufferSize: 16 << 10,
		ReadTimeout:    30 * time.Second,
		WriteTimeout:   30 * time.Second,
		IdleTimeout:    2 * time.Minute,
	})
	s.routes()
	return s
}

// Foreground is told when a request is being served.
type Foreground interface {
	// Serving marks a request begun; the function it returns marks it
	// ended.
	Serving() (done func())
}

func (s *Server) routes() {
	app := s.App
	if s.cfg.Foreground != nil {
		app.Use(func(c *fiber.Ctx) error {
			defer s.cfg.Foreground.Serving()()
			return c.Next()
		})
	}
	app.Use(recover.New())
	app.Use(requestid.New(requestid.Config{Header: fiber.HeaderXRequestID}))
	app.Use(s.clientAddress)
	app.Use(securityHeaders)
	app.Use(s.observe)

	app.Get("/healthz", s.handleHealthz)
	app.Get("/readyz", s.handleReadyz)
	app.Get("/metrics", s.metricsScraper, adaptor.HTTPHandler(promhttp.HandlerFor(s.cfg.Registry, promhttp.HandlerOpts{})))
	app.Get("/openapi.json", s.handleOpenAPI)

	if s.cfg.QueueMonitor != nil {
		monitor := adaptor.HTTPHandler(s.cfg.QueueMonitor)
		pageSession := s.cfg.PageSession
		// With the pages, a browser not signed in is sent to sign in.
		signIn := signInFirst("/staff/queues/")
		if pageSession == nil {
			pageSession = func(c *fiber.Ctx) error { return c.Next() }
			signIn = pageSession
		}
		app.All("/staff/queues*", s.authenticate, pageSession, signIn, s.staffOnly, func(c *fiber.Ctx) error {
			if c.Path() == "/staff/queues" {
				return c.Redirect("/staff/queues/", fiber.StatusMovedPermanently)
			}
			return monitor(c)
		})
	}

	// Stripe signs its webhook; it carries no bearer token, may be larger
	// than the API's bodies, and must be answered whatever Authorization
	// header a proxy adds. So it comes before the /v1 group's middleware.
	if s.cfg.Dues != nil {
		app.Post("/v1/stripe/webhook", s.handleStripeWebhook)
	}

	// The mail relay's replies: raw mail, and a secret of its own.
	app.Post("/v1/inbound/mail", s.handleInboundMail)

	v1 := app.Group("/v1", s.bodyLimit(s.cfg.BodyLimit), s.authenticate)
	writes := s.limit(s.cfg.WritesPerMinute, "write")
	v1.Post("/auth/login", s.limit(s.cfg.LoginsPerMinute, "login"), s.handleLogin)
	v1.Delete("/auth/token", s.handleLogout)
	// Asking for a reset link counts as a sign-in: it is limited the same.
	v1.Post("/auth/password-reset", s.limit(s.cfg.LoginsPerMinute, "reset"), s.handlePasswordResetRequest)
	v1.Post("/auth/password-reset/confirm", s.limit(s.cfg.LoginsPerMinute, "reset-confirm"), s.handlePasswordResetConfirm)
	// A member of the public's data as an enquirer: asked for and used
	// like a reset link, and limited the same.
	v1.Post("/enquirer/data/link", s.limit(s.cfg.LoginsPerMinute, "enquirer"), s.handleEnquirerLinkRequest)
	v1.Post("/enquirer/data/export", s.limit(s.cfg.LoginsPerMinute, "enquirer-use"), s.handleEnquirerExport)
	v1.Post("/enquirer/data/erase", s.limit(s.cfg.LoginsPerMinute, "enquirer-use"), s.handleEnquirerErase)
	v1.Get("/me", s.handleMe)
	v1.Patch("/me", writes, s.handleMeChange)
	v1.Put("/me/password", s.limit(s.cfg.LoginsPerMinute, "password"), writes, s.handleChangePassword)

	v1.Get("/me/tokens", s.handleTokenList)
	v1.Post("/me/tokens", writes, s.handleTokenCreate)
	v1.Delete("/me/tokens/:id", writes, s.handleTokenRevoke)
	v1.Get("/me/data", s.handleMyDataExport)
	v1.Delete("/me", writes, s.handleCloseAccount)
	v1.Get("/users/:id/data", s.handleUserDataExport)
	v1.Get("/members/:id/data", s.handleMemberDataExport)
	v1.Post("/exports", writes, s.handleExportRequest)
	v1.Get("/exports/:secret", s.handleExportFetch)
	v1.Post("/staff/users/:id/erase", writes, s.handleUserErase)
	v1.Post("/staff/members/:id/erase", writes, s.handleMemberErase)
	v1.Get("/me/preferences", s.handlePreferencesView)
	v1.Put("/me/preferences", writes, s.handlePreferencesUpdate)
	v1.Get("/inbox", s.handleInbox)
	v1.Post("/inbox/:id/read", writes, s.handleInboxRead)
	app.Get("/unsubscribe", s.handleUnsubscribeForm)
	app.Post("/unsubscribe", s.limit(s.cfg.WritesPerMinute, "unsubscribe"), s.handleUnsubscribe)

	v1.Get("/matches", s.handleMyMatches)
	v1.Get("/matches/:id", s.handleMatchView)
	v1.Post("/matches/:id/decline", writes, s.handleMatchDecline)
	v1.Get("/staff/matches", s.handleStaffMatches)
	v1.Post("/staff/matches/:id/introduce", writes, s.handleMatchIntroduce)
	v1.Post("/staff/matches/:id/dismiss", writes, s.handleMatchDismiss)
	v1.Post("/staff/matches/:id/outcome", writes, s.handleMatchOutcome)
	v1.Get("/staff/stats", s.handleStats)
	v1.Get("/staff/audit", s.handleAudit)

	v1.Get("/categories", s.handleCategories)
	v1.Get("/search", s.handleSearch)

	v1.Post("/members", writes, s.handleMemberCreate)
	v1.Get("/members", s.handleMemberList)
	v1.Get("/members/:id", s.handleMemberView)
	v1.Patch("/members/:id", writes, s.handleMemberUpdate)
	v1.Get("/members/:id/users", s.handleMemberUsers)
	v1.Patch("/users/:id", writes, s.handleUserChange)
	v1.Delete("/users/:id", writes, s.handleUserRemove)
	v1.Post("/members/:id/invitations", writes, s.handleInvitationCreate)
	v1.Get("/members/:id/invitations", s.handleInvitationList)
	v1.Delete("/members/:id/invitations/:inv", writes, s.handleInvitationWithdraw)
	v1.Post("/members/:id/invitations/:inv/resend", writes, s.handleInvitationResend)
	// Accepting an invitation sets a password, and applying to join
	// mails a stranger: both are limited as signing in is.
	v1.Post("/invitations/accept", s.limit(s.cfg.LoginsPerMinute, "invitation-accept"), s.handleInvitationAccept)
	v1.Post("/applications", s.limit(s.cfg.LoginsPerMinute, "apply"), s.handleApplicationCreate)
	v1.Post("/applications/confirm", s.limit(s.cfg.LoginsPerMinute, "apply-confirm"), s.handleApplicationConfirm)
	v1.Get("/staff/join-applications", s.handleJoinApplicationList)
	v1.Post("/staff/join-applications/:id/admit", writes, s.handleJoinApplicationAdmit)
	v1.Post("/staff/join-applications/:id/refuse", writes, s.handleJoinApplicationRefuse)
	v1.Put("/members/:id/webhook", writes, s.handleWebhookSet)
	v1.Get("/members/:id/webhook", s.handleWebhookView)
	v1.Delete("/members/:id/webhook", writes, s.handleWebhookDelete)

	v1.Post("/alerts", writes, s.handleAlertCreate)
	v1.Get("/alerts", s.handleAlertList)
	v1.Post("/alerts/from-listings", writes, s.handleAlertSeed)
	v1.Get("/alerts/:id", s.handleAlertView)
	v1.Patch("/alerts/:id", writes, s.handleAlertUpdate)
	v1.Delete("/alerts/:id", writes, s.handleAlertDelete)

	v1.Post("/listings", writes, s.handleListingCreate)
	v1.Get("/listings", s.handleListingList)
	v1.Get("/listings/:id", s.handleListingView)
	v1.Patch("/listings/:id", writes, s.handleListingUpdate)
	v1.Post("/listings/:id/publish", writes, s.handleListingPublish)
	v1.Post("/listings/:id/pause", writes, s.handleListingPause)
	v1.Post("/listings/:id/close", writes, s.handleListingClose)
	v1.Post("/listings/:id/enquiries", writes, s.handleEnquiryCreate)
	v1.Post("/enquiries/:id/confirm", writes, s.handleEnquiryConfirm)
	v1.Get("/threads", s.handleThreadList)
	v1.Get("/threads/:id", s.handleThreadView)
	v1.Post("/threads/:id/messages", writes, s.handleThreadPost)
	v1.Get("/threads/:id/deals", s.handleThreadDeals)
	v1.Post("/threads/:id/messages/:message/report", writes, s.handleMessageReport)
	v1.Get("/staff/threads", s.handleStaffThreads)
	v1.Get("/staff/threads/:id", s.handleStaffThread)
	v1.Post("/staff/threads/:id/messages/:message/hide", writes, s.handleMessageHide)
	v1.Post("/threads/:id/deals", writes, s.handleThreadDeal)
	v1.Post("/matches/:id/deals", writes, s.handleMatchDeal)
	v1.Get("/deals", s.handleDealList)
	v1.Get("/deals/:id", s.handleDealView)
	v1.Post("/deals/:id/confirm", writes, s.handleDealAnswer(true))
	v1.Post("/deals/:id/dispute", writes, s.handleDealAnswer(false))
	v1.Get("/staff/trade", s.handleTrade)
	v1.Post("/listings/:id/quotes", writes, s.handleQuoteCreate)
	v1.Get("/listings/:id/quotes", s.handleNeedQuotes)
	v1.Post("/listings/:id/joint-quotes", writes, s.handleJointQuoteCreate)
	v1.Get("/listings/:id/partners", s.handlePartnerSuggestions)
	v1.Post("/quotes/:id/join", writes, s.handleQuoteJoin)
	v1.Post("/quotes/:id/send", writes, s.handleQuoteSend)
	v1.Get("/quotes", s.handleQuoteList)
	v1.Get("/quotes/:id", s.handleQuoteView)
	v1.Post("/quotes/:id/accept", writes, s.handleQuoteDecision(marketplace.QuoteAccept))
	v1.Post("/quotes/:id/decline", writes, s.handleQuoteDecision(marketplace.QuoteDecline))
	v1.Post("/quotes/:id/withdraw", writes, s.handleQuoteDecision(marketplace.QuoteWithdraw))
	v1.Post("/staff/listings/:id/remove", writes, s.handleListingRemove)
	v1.Post("/staff/users/:id/password-reset", writes, s.handleStaffPasswordReset)

	// Dues and payments
	if s.cfg.Dues != nil {
		v1.Post("/dues/application", writes, s.handleDuesApply)
		v1.Get("/dues", s.handleDuesView)
		v1.Post("/dues/checkout", writes, s.handleDuesCheckout)
		v1.Post("/dues/portal", writes, s.handleDuesPortal)
		v1.Get("/staff/members", s.handleStaffMembers)
		v1.Get("/staff/applications", s.handleStaffApplications)
		v1.Post("/staff/applications/:id/approve", writes, s.handleApplicationDecision(payments.ApplicationApproved))
		v1.Post("/staff/applications/:id/adjust", writes, s.handleApplicationDecision(payments.ApplicationAdjusted))
		v1.Post("/staff/applications/:id/refuse", writes, s.handleApplicationDecision(payments.ApplicationRefused))
		v1.Post("/staff/members/:id/waiver", writes, s.handleStaffWaiver)
		v1.Post("/staff/members/:id/offline-payment", writes, s.handleStaffOfflinePayment)
	}

}

// Serve answers requests on ln until Shutdown.
func (s *Server) Serve(ln net.Listener) error {
	return s.App.Listener(ln)
}

// Shutdown stops accepting connections and waits for requests in flight,
// until ctx ends.
func (s *Server) Shutdown(ctx context.Context) error {
	return s.App.ShutdownWithContext(ctx)
}

func requestID(c *fiber.Ctx) string {
	if id, ok := c.Locals(requestid.ConfigDefault.ContextKey).(string); ok {
		return id
	}
	return ""
}

// etag writes the version of a resource as its ETag.
func etag(c *fiber.Ctx, version int64) {
	c.Set(fiber.HeaderETag, `"`+strconv.FormatInt(version, 10)+`"`)
}

// ifMatch reads the version a write is meant for from If-Match. It
// returns 0 when the header is absent and required is false.
func ifMatch(c *fiber.Ctx, required bool) (int64, error) {
	h := strings.TrimSpace(c.Get(fiber.HeaderIfMatch))
	if h == "" {
		if required {
			return 0, marketplace.Errorf(marketplace.EPRECONDITIONREQUIRED,
				"Send If-Match with the ETag of the version you are changing, e.g. If-Match: \"3\".")
		}
		return 0, nil
	}
	if h == "*" {
		return 0, nil // any current version
	}
	// If-Match compares strongly: a weak tag (W/"3") never matches; an
	// entity tag is quoted at both ends (RFC 9110 8.8.3).
	inner, quoted := strings.CutPrefix(h, `"`)
	inner, closed := strings.CutSuffix(inner, `"`)
	v, err := strconv.ParseInt(inner, 10, 64)
	if err != nil || v < 1 || !quoted || !closed || strings.Trim(inner, "0123456789") != "" {
		return 0, marketplace.Errorf(marketplace.EPRECONDITION, "If-Match %s names no version of this resource; send the ETag, e.g. \"3\".", h)
	}
	return v, nil
}

// param returns a copy of a route parameter (Fiber reuses its buffers).
func param(c *fiber.Ctx, name string) string {
	return strings.Clone(c.Params(name))
}

// query returns a copy of a query parameter.
func query(c *fiber.Ctx, name string) string {
	return strings.Clone(c.Query(name))
}
