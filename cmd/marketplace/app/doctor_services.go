package app

import (
	"bytes"
	"context"
	"crypto/tls"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/smtp"
	"net/url"
	"os"
	"strings"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"cooptrade/workers"
	"cooptrade/workers/mail"
)

// checkDatabase reaches MongoDB and reads its version and replica set; on
// the embedded default it checks the SQLite file instead of starting
// FerretDB, which the running service may hold.
func (d *doctor) checkDatabase(ctx context.Context) {
	if d.refused("MONGODB_URI", "MONGODB_DATABASE") {
		return
	}
	if d.cfg.MongoURI == "" {
		d.checkEmbeddedDatabase(ctx)
		return
	}
	ctx, cancel := context.WithTimeout(ctx, doctorTimeout)
	defer cancel()
	client, err := mongo.Connect(ctx, options.Client().ApplyURI(d.cfg.MongoURI).SetServerSelectionTimeout(doctorTimeout))
	if err != nil {
		d.add(CheckFailed, "database", "MongoDB: %v", err)
		return
	}
	defer client.Disconnect(context.Background())
	var build struct {
		Version         string `bson:"version"`
		FerretDBVersion string `bson:"ferretdbVersion"`
	}
	if err := client.Database("admin").RunCommand(ctx, bson.D{{Key: "buildInfo", Value: 1}}).Decode(&build); err != nil {
		d.add(CheckFailed, "database", "MongoDB does not answer: %v", err)
		return
	}
	what := "MongoDB " + build.Version
	if build.FerretDBVersion != "" {
		what = "FerretDB " + build.FerretDBVersion + " (MongoDB " + build.Version + ")"
	}
	var hello struct {
		SetName string `bson:"setName"`
		Msg     string `bson:"msg"`
	}
	_ = client.Database("admin").RunCommand(ctx, bson.D{{Key: "hello", Value: 1}}).Decode(&hello)
	switch {
	case hello.SetName != "":
		d.add(CheckOK, "database", "%s, replica set %s, database %s", what, hello.SetName, d.cfg.MongoDatabase)
	case hello.Msg == "isdbgrid":
		d.add(CheckOK, "database", "%s, sharded cluster, database %s", what, d.cfg.MongoDatabase)
	default:
		d.add(CheckWarning, "database", "%s, database %s: a standalone server, not a replica set (no failover, and no oplog for point-in-time backups)", what, d.cfg.MongoDatabase)
	}
}

func (d *doctor) checkEmbeddedDatabase(ctx context.Context) {
	what := "FerretDB embedded"
	if v := moduleVersion("github.com/FerretDB/FerretDB"); v != "" {
		what += " " + v
	}
	path := d.embeddedDatabaseFile()
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		d.add(CheckOK, "database", "%s: no database yet, made at first start in %s", what, d.cfg.EmbeddedDBDir())
		return
	}
	db, err := sql.Open("sqlite", "file:"+(&url.URL{Path: path}).EscapedPath()+"?mode=ro&_pragma=busy_timeout(5000)")
	if err != nil {
		d.add(CheckFailed, "database", "%s: %v", path, err)
		return
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(ctx, 10*doctorTimeout)
	defer cancel()
	var version, verdict string
	if err := db.QueryRowContext(ctx, `SELECT sqlite_version()`).Scan(&version); err != nil {
		d.add(CheckFailed, "database", "%s: %v", path, err)
		return
	}
	if err := db.QueryRowContext(ctx, `PRAGMA quick_check`).Scan(&verdict); err != nil {
		d.add(CheckFailed, "database", "%s: %v", path, err)
		return
	}
	if verdict != "ok" {
		d.add(CheckFailed, "database", "%s: SQLite's quick_check found damage: %s", path, verdict)
		return
	}
	info, _ := os.Stat(path)
	d.add(CheckOK, "database", "%s on SQLite %s: %s (%s), quick_check ok", what, version, path, HumanBytes(info.Size()))
}

// checkQueue reaches Redis, reads its version, and warns when it would
// lose queued jobs: no persistence, or an eviction policy other than
// noeviction.
func (d *doctor) checkQueue(ctx context.Context) {
	if d.refused("REDIS_URL") {
		return
	}
	if d.cfg.RedisURL == "" {
		d.add(CheckOK, "queue", "miniredis in the process: queued jobs are kept in memory, and the reconciler enqueues pending work again at start")
		return
	}
	opt, err := workers.ParseRedisURL(d.cfg.RedisURL)
	if err != nil {
		d.add(CheckFailed, "queue", "%v", err)
		return
	}
	client := workers.NewRedisClient(opt)
	defer client.Close()
	ctx, cancel := context.WithTimeout(ctx, doctorTimeout)
	defer cancel()
	raw, err := client.Info(ctx, "server", "persistence", "memory").Result()
	if err != nil {
		d.add(CheckFailed, "queue", "Redis: %v", err)
		return
	}
	info := map[string]string{}
	for _, line := range strings.Split(raw, "\n") {
		if k, v, ok := strings.Cut(strings.TrimSpace(line), ":"); ok {
			info[k] = v
		}
	}
	what := "Redis " + info["redis_version"]
	var worries []string
	if info["aof_enabled"] != "1" {
		if save, err := client.ConfigGet(ctx, "save").Result(); err == nil && strings.TrimSpace(save["save"]) == "" {
			worries = append(worries, "no persistence (appendonly no, no save points): queued jobs are lost at a restart")
		}
	}
	if p := info["maxmemory_policy"]; p != "" && p != "noeviction" {
		worries = append(worries, "maxmemory-policy is "+p+": Redis may evict queued jobs (use noeviction)")
	}
	if len(worries) > 0 {
		d.add(CheckWarning, "queue", "%s: %s", what, strings.Join(worries, "; "))
		return
	}
	d.add(CheckOK, "queue", "%s reached", what)
}

// checkSearch reaches Meilisearch (its health, then its version with the
// key, which proves the key), or looks at the embedded index's directory.
func (d *doctor) checkSearch(ctx context.Context) {
	if d.refused("MEILI_URL", "MEILI_API_KEY") {
		return
	}
	if d.cfg.MeiliURL == "" {
		what := "embedded engine (Bleve"
		if v := moduleVersion("github.com/blevesearch/bleve/v2"); v != "" {
			what += " " + v
		}
		what += ")"
		if _, err := os.Stat(d.cfg.SearchDir()); errors.Is(err, os.ErrNotExist) {
			d.add(CheckOK, "search", "%s: no index yet, made at first start in %s", what, d.cfg.SearchDir())
		} else {
			d.add(CheckOK, "search", "%s in %s", what, d.cfg.SearchDir())
		}
		return
	}
	base := strings.TrimRight(d.cfg.MeiliURL, "/")
	var health struct{ Status string }
	if code, err := getJSON(ctx, base+"/health", "", &health); err != nil || code != http.StatusOK {
		d.add(CheckFailed, "search", "Meilisearch at %s: %s", base, httpTrouble(code, err))
		return
	}
	var version struct {
		PkgVersion string `json:"pkgVersion"`
	}
	code, err := getJSON(ctx, base+"/version", d.cfg.MeiliAPIKey, &version)
	switch {
	case err != nil:
		d.add(CheckFailed, "search", "Meilisearch at %s: %v", base, err)
	case code == http.StatusUnauthorized || code == http.StatusForbidden:
		d.add(CheckFailed, "search", "Meilisearch at %s refuses MEILI_API_KEY (%d)", base, code)
	case code != http.StatusOK:
		d.add(CheckFailed, "search", "Meilisearch at %s: %s", base, httpTrouble(code, nil))
	case d.cfg.MeiliAPIKey == "":
		d.add(CheckWarning, "search", "Meilisearch %s at %s answers without a key: start it with a master key and set MEILI_API_KEY", version.PkgVersion, base)
	default:
		d.add(CheckOK, "search", "Meilisearch %s at %s, %s", version.PkgVersion, base, health.Status)
	}
}

// checkPayments looks at the shape of the Stripe keys and makes one read
// with the secret key (the balance), which proves it.
func (d *doctor) checkPayments(ctx context.Context) {
	if d.refused("STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET", "STRIPE_API_BASE") {
		return
	}
	key := d.cfg.StripeSecretKey
	if key == "" {
		d.add(CheckWarning, "payments", "STRIPE_SECRET_KEY is not set: dues are off, and the dues endpoints answer 503")
		return
	}
	mode := "test mode"
	if strings.HasPrefix(key, "sk_live_") || strings.HasPrefix(key, "rk_live_") {
		mode = "live mode"
	} else if !strings.HasPrefix(key, "sk_test_") && !strings.HasPrefix(key, "rk_test_") {
		d.add(CheckWarning, "payments", "STRIPE_SECRET_KEY starts neither sk_live_/rk_live_ nor sk_test_/rk_test_")
	}
	if !strings.HasPrefix(d.cfg.StripeWebhook, "whsec_") {
		d.add(CheckWarning, "payments", "STRIPE_WEBHOOK_SECRET does not start whsec_: is it the endpoint's signing secret?")
	}
	base := "https://api.stripe.com"
	if d.cfg.StripeAPIBase != "" {
		base = strings.TrimRight(d.cfg.StripeAPIBase, "/")
	}
	code, err := getJSON(ctx, base+"/v1/balance", key, nil)
	switch {
	case err != nil:
		d.add(CheckFailed, "payments", "Stripe API at %s: %v", base, err)
	case code == http.StatusUnauthorized:
		d.add(CheckFailed, "payments", "Stripe API at %s refuses STRIPE_SECRET_KEY (401)", base)
	case code == http.StatusForbidden:
		d.add(CheckWarning, "payments", "Stripe API at %s: the key (%s) may not read the balance: check a restricted key's permissions", base, mode)
	case code != http.StatusOK:
		d.add(CheckFailed, "payments", "Stripe API at %s: %s", base, httpTrouble(code, nil))
	default:
		d.add(CheckOK, "payments", "Stripe API at %s accepts the key (%s)", base, mode)
	}
}

// checkMail talks SMTP to the server up to authentication, and quits
// without sending anything: the same dial, STARTTLS and AUTH as the sender.
func (d *doctor) checkMail(ctx context.Context) {
	if d.refused("SMTP_URL") {
		return
	}
	if d.cfg.SMTPURL == "" {
		d.add(CheckWarning, "mail", "SMTP_URL is not set: mail goes to the log and the in-app inbox only")
		return
	}
	s, err := mail.NewSMTPSender(d.cfg.SMTPURL)
	if err != nil {
		d.add(CheckFailed, "mail", "%v", err)
		return
	}
	banner, notes, err := greetSMTP(ctx, s)
	if err != nil {
		d.add(CheckFailed, "mail", "SMTP server %s: %v", s.Addr, err)
		return
	}
	if notes != "" {
		d.add(CheckWarning, "mail", "SMTP server %s (%s): %s", s.Addr, banner, notes)
		return
	}
	d.add(CheckOK, "mail", "SMTP server %s (%s) accepts the connection", s.Addr, banner)
}

// greetSMTP opens a session as SMTPSender does, and returns the server's
// greeting and what deserves a warning.
func greetSMTP(ctx context.Context, s *mail.SMTPSender) (banner, notes string, err error) {
	ctx, cancel := context.WithTimeout(ctx, doctorTimeout)
	defer cancel()
	host, _, err := net.SplitHostPort(s.Addr)
	if err != nil {
		return "", "", err
	}
	tlsConfig := &tls.Config{ServerName: host}
	var conn net.Conn
	if s.ImplicitTLS {
		conn, err = (&tls.Dialer{Config: tlsConfig}).DialContext(ctx, "tcp", s.Addr)
	} else {
		conn, err = (&net.Dialer{}).DialContext(ctx, "tcp", s.Addr)
	}
	if err != nil {
		return "", "", err
	}
	defer conn.Close()
	deadline, _ := ctx.Deadline()
	_ = conn.SetDeadline(deadline)
	rec := &greetingRecorder{Conn: conn}
	c, err := smtp.NewClient(rec, host)
	if err != nil {
		return "", "", err
	}
	defer c.Close()
	banner = rec.greeting()
	if err := c.Hello("localhost"); err != nil {
		return banner, "", err
	}
	tlsOn := s.ImplicitTLS
	if ok, _ := c.Extension("STARTTLS"); ok && !tlsOn {
		if err := c.StartTLS(tlsConfig); err != nil {
			return banner, "", fmt.Errorf("starttls: %w", err)
		}
		tlsOn = true
	}
	if !tlsOn {
		notes = "no TLS: mail crosses the network in clear"
	}
	if s.Username != "" {
		if ok, _ := c.Extension("AUTH"); !ok {
			return banner, "", errors.New("the server offers no AUTH (on a connection without TLS, the password is not sent)")
		}
		if err := c.Auth(smtp.PlainAuth("", s.Username, s.Password, host)); err != nil {
			return banner, "", fmt.Errorf("auth: %w", err)
		}
	}
	_ = c.Quit()
	return banner, notes, nil
}

// greetingRecorder keeps the first bytes a server sends: its greeting,
// which net/smtp reads but does not return.
type greetingRecorder struct {
	net.Conn
	first bytes.Buffer
}

func (g *greetingRecorder) Read(p []byte) (int, error) {
	n, err := g.Conn.Read(p)
	if g.first.Len() < 512 {
		g.first.Write(p[:n])
	}
	return n, err
}

func (g *greetingRecorder) greeting() string {
	line, _, _ := strings.Cut(g.first.String(), "\n")
	return strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(line), "220"))
}

// getJSON GETs url with a bearer key (none when empty) and decodes a 200's
// JSON body into out (unless nil); it returns the status.
func getJSON(ctx context.Context, url, key string, out any) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, doctorTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, err
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	if err != nil {
		return res.StatusCode, err
	}
	if res.StatusCode == http.StatusOK && out != nil {
		if err := json.Unmarshal(body, out); err != nil {
			return res.StatusCode, fmt.Errorf("an answer that is not the JSON expected: %w", err)
		}
	}
	return res.StatusCode, nil
}

func httpTrouble(code int, err error) string {
	if err != nil {
		return err.Error()
	}
	return fmt.Sprintf("answered %d %s", code, http.StatusText(code))
}
