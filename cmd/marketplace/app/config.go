package app

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net"
	netmail "net/mail"
	"net/netip"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"cooptrade/marketplace"
	"cooptrade/mongodb"
	"cooptrade/payments"
)

// Config is the whole configuration of the program, read from the
// environment. .env.example lists every variable with its default.
type Config struct {
	HTTPAddr        string // HTTP_ADDR
	BaseURL         string // BASE_URL
	DataDir         string // DATA_DIR
	MongoURI        string // MONGODB_URI; empty: FerretDB embedded under DATA_DIR
	MongoDatabase   string // MONGODB_DATABASE
	RedisURL        string // REDIS_URL; empty: miniredis in the process
	MeiliURL        string // MEILI_URL; empty: the embedded search engine under DATA_DIR
	MeiliAPIKey     string // MEILI_API_KEY
	StripeSecretKey string // STRIPE_SECRET_KEY; empty: dues endpoints answer 503
	StripeWebhook   string // STRIPE_WEBHOOK_SECRET
	StripeAPIBase   string // STRIPE_API_BASE, to point at stripe-mock
	SMTPURL         string // SMTP_URL; empty: mail goes to the log
	MailFrom        string // MAIL_FROM; the sender of the marketplace's mail
	// PrivacyController (PRIVACY_CONTROLLER) names the data controller on
	// the privacy notice: the federation's legal name, address and contact.
	PrivacyController string
	// ReplyDomain (REPLY_DOMAIN) is the mail domain of threads' reply
	// addresses, whose mail the relay posts to /v1/inbound/mail; default:
	// MAIL_FROM's domain.
	ReplyDomain string
	// InboundMailSecret (INBOUND_MAIL_SECRET) is the bearer token the mail
	// relay sends to /v1/inbound/mail (24+ characters); unset, replies by
	// mail are not taken.
	InboundMailSecret string
	// InboundLMTPAddr (INBOUND_LMTP_ADDR) is where serve takes replies by
	// mail over LMTP from the mail server: host:port, or unix:/path for a
	// socket; empty (the default), no listener.
	InboundLMTPAddr string
	SecretKey       []byte // SECRET_KEY; empty: a key kept in DATA_DIR
	// WebhookAllowPrivate lets members' webhooks reach loopback and
	// private addresses: WEBHOOK_ALLOW_PRIVATE, for development only.
	WebhookAllowPrivate bool
	// TrustedProxies are the reverse proxies whose X-Forwarded-For is
	// believed: TRUSTED_PROXIES, addresses and CIDR ranges, comma-separated.
	TrustedProxies []netip.Prefix
	// PprofAddr, when set, serves Go's profiler (net/http/pprof) on a
	// loopback address of its own: PPROF_ADDR, for diagnosing.
	PprofAddr string
	// MetricsToken is the bearer token that scrapes /metrics: METRICS_TOKEN.
	MetricsToken string
	// WorkerMetricsAddr is where `marketplace worker`, which serves no
	// HTTP otherwise, serves /metrics to the bearer of MetricsToken:
	// METRICS_ADDR (e.g. :9100). serve serves them on HTTP_ADDR.
	WorkerMetricsAddr string
	// DataSync is when the embedded database's writes reach the disk:
	// DATA_SYNC, normal (default) or full.
	DataSync        mongodb.Sync
	LogLevel        slog.Level    // LOG_LEVEL: debug, info, warn, error
	ShutdownTimeout time.Duration // SHUTDOWN_TIMEOUT
	TokenTTL        time.Duration // TOKEN_TTL

	// Dues is the dues policy: DUES_RATE_PERCENT, DUES_MINIMUM_GBP,
	// DUES_VAT_PERCENT, DUES_HARDSHIP_YEARS.
	Dues             payments.DuesPolicy
	DuesGracePeriod  time.Duration // DUES_GRACE_PERIOD
	DuesRemindBefore time.Duration // DUES_REMIND_BEFORE
	// Retention is how long each kind of record is kept, in days
	// (RETAIN_*_DAYS; see marketplace.RetentionTable).
	Retention marketplace.Retention
}

// ParseConfig reads the configuration through getenv (os.Getenv in main,
// a map in tests) and reports every bad value at once.
func ParseConfig(getenv func(string) string) (Config, error) {
	env := func(name, def string) string {
		if v := strings.TrimSpace(getenv(name)); v != "" {
			return v
		}
		return def
	}
	c := Config{
		HTTPAddr:          env("HTTP_ADDR", ":8080"),
		BaseURL:           strings.TrimRight(env("BASE_URL", "http://localhost:8080"), "/"),
		DataDir:           env("DATA_DIR", "./data"),
		MongoURI:          env("MONGODB_URI", ""),
		MongoDatabase:     env("MONGODB_DATABASE", "marketplace"),
		RedisURL:          env("REDIS_URL", ""),
		MeiliURL:          env("MEILI_URL", ""),
		MeiliAPIKey:       env("MEILI_API_KEY", ""),
		StripeSecretKey:   env("STRIPE_SECRET_KEY", ""),
		StripeWebhook:     env("STRIPE_WEBHOOK_SECRET", ""),
		StripeAPIBase:     env("STRIPE_API_BASE", ""),
		SMTPURL:           env("SMTP_URL", ""),
		MailFrom:          env("MAIL_FROM", ""),
		PrivacyController: env("PRIVACY_CONTROLLER", ""),
		ReplyDomain:       strings.ToLower(env("REPLY_DOMAIN", "")),
		InboundMailSecret: env("INBOUND_MAIL_SECRET", ""),
		InboundLMTPAddr:   env("INBOUND_LMTP_ADDR", ""),
	}
	var errs []string
	bad := func(name, format string, args ...any) {
		errs = append(errs, name+": "+fmt.Sprintf(format, args...))
	}
	if _, port, err := net.SplitHostPort(c.HTTPAddr); err != nil || port == "" {
		bad("HTTP_ADDR", "%q is not host:port (e.g. :8080 or 127.0.0.1:8080)", c.HTTPAddr)
	}
	if u, err := url.Parse(c.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		bad("BASE_URL", "%q is not an http:// or https:// address", c.BaseURL)
	}
	if c.DataDir != "" {
		c.DataDir = filepath.Clean(c.DataDir)
	}
	if c.MongoURI != "" && !strings.HasPrefix(c.MongoURI, "mongodb://") && !strings.HasPrefix(c.MongoURI, "mongodb+srv://") {
		bad("MONGODB_URI", "must start with mongodb:// or mongodb+srv://")
	}
	if !validDatabaseName(c.MongoDatabase) {
		bad("MONGODB_DATABASE", "%q is not a database name (letters, digits, _ and -, at most 63)", c.MongoDatabase)
	}
	if c.RedisURL != "" {
		if u, err := url.Parse(c.RedisURL); err != nil || !oneOf(u.Scheme, "redis", "rediss", "redis-socket", "redis-sentinel") {
			bad("REDIS_URL", "must be a redis://, rediss://, redis-socket:// or redis-sentinel:// address")
		}
	}
	if c.MeiliURL != "" {
		if u, err := url.Parse(c.MeiliURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			bad("MEILI_URL", "%q is not an http:// or https:// address", c.MeiliURL)
		}
	} else if c.MeiliAPIKey != "" {
		bad("MEILI_API_KEY", "is set but MEILI_URL is not")
	}
	if c.StripeSecretKey != "" && !strings.HasPrefix(c.StripeSecretKey, "sk_") && !strings.HasPrefix(c.StripeSecretKey, "rk_") {
		bad("STRIPE_SECRET_KEY", "must be a Stripe secret or restricted key (sk_… or rk_…)")
	}
	if c.StripeSecretKey != "" && c.StripeWebhook == "" {
		bad("STRIPE_WEBHOOK_SECRET", "is required with STRIPE_SECRET_KEY (whsec_… from the webhook endpoint)")
	}
	if c.StripeAPIBase != "" {
		if u, err := url.Parse(c.StripeAPIBase); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			bad("STRIPE_API_BASE", "%q is not an http:// or https:// address", c.StripeAPIBase)
		}
	}
	if c.MailFrom == "" {
		host := "localhost"
		if u, err := url.Parse(c.BaseURL); err == nil && u.Hostname() != "" {
			host = u.Hostname()
		}
		c.MailFrom = "Co-operative marketplace <noreply@" + host + ">"
	}
	if from, err := netmail.ParseAddress(c.MailFrom); err != nil {
		bad("MAIL_FROM", "%q is not an e-mail address (e.g. \"Marketplace <hello@example.coop>\")", c.MailFrom)
	} else if c.ReplyDomain == "" {
		_, c.ReplyDomain, _ = strings.Cut(strings.ToLower(from.Address), "@")
	}
	if _, err := netmail.ParseAddress("reply@" + c.ReplyDomain); err != nil || strings.ContainsAny(c.ReplyDomain, "@ <>") {
		bad("REPLY_DOMAIN", "%q is not a mail domain (e.g. replies.example.coop)", c.ReplyDomain)
	}
	if c.InboundMailSecret != "" && len(c.InboundMailSecret) < 24 {
		bad("INBOUND_MAIL_SECRET", "must be at least 24 characters long")
	}
	if c.InboundLMTPAddr != "" {
		if _, _, err := LMTPNetwork(c.InboundLMTPAddr); err != nil {
			bad("INBOUND_LMTP_ADDR", "%q is not host:port or unix:/path/to/socket (e.g. 127.0.0.1:2424)", c.InboundLMTPAddr)
		}
	}
	switch v := strings.ToLower(env("WEBHOOK_ALLOW_PRIVATE", "false")); v {
	case "true", "1", "yes":
		c.WebhookAllowPrivate = true
	case "false", "0", "no":
	default:
		bad("WEBHOOK_ALLOW_PRIVATE", "%q is not true or false", v)
	}
	for _, item := range strings.Split(env("TRUSTED_PROXIES", ""), ",") {
		if item = strings.TrimSpace(item); item == "" {
			continue
		}
		p, err := netip.ParsePrefix(item)
		if err != nil {
			var a netip.Addr
			if a, err = netip.ParseAddr(item); err == nil {
				p = netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen())
			}
		}
		if err != nil {
			bad("TRUSTED_PROXIES", "%q is not an IP address or CIDR range (e.g. 127.0.0.1, 10.0.0.0/8, ::1)", item)
			continue
		}
		c.TrustedProxies = append(c.TrustedProxies, p.Masked())
	}
	if c.PprofAddr = env("PPROF_ADDR", ""); c.PprofAddr != "" {
		if host, _, err := net.SplitHostPort(c.PprofAddr); err != nil || !(host == "localhost" || net.ParseIP(host) != nil && net.ParseIP(host).IsLoopback()) {
			bad("PPROF_ADDR", "%q is not a loopback host:port (e.g. 127.0.0.1:6060): the profiler is for this machine only", c.PprofAddr)
		}
	}
	if c.MetricsToken = env("METRICS_TOKEN", ""); c.MetricsToken != "" && len(c.MetricsToken) < 24 {
		bad("METRICS_TOKEN", "must be at least 24 characters (e.g. the output of: openssl rand -hex 24)")
	}
	if c.WorkerMetricsAddr = env("METRICS_ADDR", ""); c.WorkerMetricsAddr != "" {
		if _, _, err := net.SplitHostPort(c.WorkerMetricsAddr); err != nil {
			bad("METRICS_ADDR", "%q is not a host:port (e.g. :9100)", c.WorkerMetricsAddr)
		}
	}
	if key := env("SECRET_KEY", ""); key != "" {
		raw, err := hex.DecodeString(key)
		if err != nil {
			raw, err = base64.StdEncoding.DecodeString(key)
		}
		if err != nil || len(raw) < 32 {
			bad("SECRET_KEY", "must be at least 32 random bytes, in hex or base64 (e.g. the output of: openssl rand -hex 32)")
		}
		c.SecretKey = raw
	}
	if c.SMTPURL != "" {
		if u, err := url.Parse(c.SMTPURL); err != nil || (u.Scheme != "smtp" && u.Scheme != "smtps") || u.Host == "" {
			bad("SMTP_URL", "must be smtp://user:password@host:port or smtps://…")
		}
	}
	switch c.DataSync = mongodb.Sync(strings.ToLower(env("DATA_SYNC", string(mongodb.SyncNormal)))); c.DataSync {
	case mongodb.SyncNormal, mongodb.SyncFull:
	default:
		bad("DATA_SYNC", "%q is not normal or full", c.DataSync)
	}
	if err := c.LogLevel.UnmarshalText([]byte(env("LOG_LEVEL", "info"))); err != nil {
		bad("LOG_LEVEL", "%q is not one of debug, info, warn, error", getenv("LOG_LEVEL"))
	}
	var err error
	if c.ShutdownTimeout, err = time.ParseDuration(env("SHUTDOWN_TIMEOUT", "25s")); err != nil || c.ShutdownTimeout <= 0 {
		bad("SHUTDOWN_TIMEOUT", "%q is not a positive duration (e.g. 25s)", getenv("SHUTDOWN_TIMEOUT"))
	}
	if c.TokenTTL, err = time.ParseDuration(env("TOKEN_TTL", "720h")); err != nil || c.TokenTTL < time.Minute {
		bad("TOKEN_TTL", "%q is not a duration of at least a minute (e.g. 720h)", getenv("TOKEN_TTL"))
	}
	c.Dues, c.DuesGracePeriod, c.DuesRemindBefore = parseDues(env, bad)
	c.Retention = marketplace.Retention{}
	for _, rule := range marketplace.RetentionTable {
		if rule.Setting == "" {
			continue
		}
		days, err := strconv.Atoi(env(rule.Setting, strconv.Itoa(int(rule.Default/marketplace.Day))))
		if err != nil || days < 1 || days > 100*365 {
			bad(rule.Setting, "%q is not a whole number of days from 1 to 36500", getenv(rule.Setting))
			continue
		}
		c.Retention[rule.Kind] = time.Duration(days) * marketplace.Day
	}
	if len(errs) > 0 {
		return c, fmt.Errorf("configuration:\n  %s", strings.Join(errs, "\n  "))
	}
	return c, nil
}

// LMTPNetwork splits INBOUND_LMTP_ADDR into what net.Listen takes:
// unix:/path is a socket, anything else host:port.
func LMTPNetwork(addr string) (network, address string, err error) {
	if path, ok := strings.CutPrefix(addr, "unix:"); ok {
		if path == "" || !filepath.IsAbs(path) {
			return "", "", fmt.Errorf("a socket's path must be absolute: %q", path)
		}
		return "unix", path, nil
	}
	if _, port, err := net.SplitHostPort(addr); err != nil || port == "" {
		return "", "", fmt.Errorf("not host:port: %q", addr)
	}
	return "tcp", addr, nil
}

func validDatabaseName(s string) bool {
	if s == "" || len(s) > 63 {
		return false
	}
	for _, r := range s {
		if !(r == '_' || r == '-' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return false
		}
	}
	return true
}

func oneOf(s string, list ...string) bool {
	for _, v := range list {
		if s == v {
			return true
		}
	}
	return false
}
