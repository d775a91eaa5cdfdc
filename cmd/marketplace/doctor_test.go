package main_test

import (
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"cooptrade/mongodb/mongodbtest"
	"cooptrade/payments/stripetest"
	"cooptrade/workers/mail/mailtest"
	"cooptrade/workers/redistest"
)

// doctorLines runs `marketplace doctor` with env and returns its report,
// each line by the name of its check, and its error.
func doctorLines(t *testing.T, env map[string]string) (map[string][]string, string, error) {
	t.Helper()
	out, err := runCommand(t, env, "", "doctor")
	lines := map[string][]string{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		f := strings.Fields(line)
		if len(f) >= 2 {
			lines[f[1]] = append(lines[f[1]], line)
		}
	}
	return lines, out, err
}

// wantCheck fails unless the check's first line has one of the statuses
// and holds every fragment.
func wantCheck(t *testing.T, lines map[string][]string, out, name string, statuses []string, fragments ...string) {
	t.Helper()
	got := lines[name]
	if len(got) == 0 {
		t.Errorf("no %s check in:\n%s", name, out)
		return
	}
	status := strings.Fields(got[0])[0]
	ok := false
	for _, s := range statuses {
		ok = ok || status == s
	}
	for _, f := range fragments {
		ok = ok && strings.Contains(got[0], f)
	}
	if !ok {
		t.Errorf("%s: %q; want %v with %q\n%s", name, got[0], statuses, fragments, out)
	}
}

var (
	okOnly    = []string{"ok"}
	okOrWarn  = []string{"ok", "warning"}
	failedOne = []string{"failed"}
)

func TestDoctor_EmbeddedDefaults(t *testing.T) {
	dataDir := t.TempDir()
	lines, out, err := doctorLines(t, map[string]string{"DATA_DIR": dataDir})
	if err != nil {
		t.Fatalf("doctor on the embedded defaults: %v\n%s", err, out)
	}
	wantCheck(t, lines, out, "config", okOnly)
	wantCheck(t, lines, out, "data", okOnly, dataDir)
	wantCheck(t, lines, out, "database", okOnly, "FerretDB embedded")
	wantCheck(t, lines, out, "schema", okOnly, "no database yet")
	wantCheck(t, lines, out, "backup", []string{"warning"}, "no backup is recorded", "marketplace backup")
	wantCheck(t, lines, out, "queue", okOnly, "miniredis")
	wantCheck(t, lines, out, "search", okOnly, "Bleve")
	wantCheck(t, lines, out, "payments", []string{"warning"}, "STRIPE_SECRET_KEY")
	wantCheck(t, lines, out, "mail", []string{"warning"}, "SMTP_URL")
	if strings.Contains(out, "failed ") && !strings.Contains(out, "0 failed") {
		t.Errorf("a check failed:\n%s", out)
	}

	// Once the service has run, the doctor reads its database file and
	// finds its key, while it serves.
	m := MustRunMain(t, map[string]string{"DATA_DIR": dataDir, "REDIS_URL": redistest.New(t).URL, "LOG_LEVEL": "warn"})
	defer m.Close()
	lines, out, err = doctorLines(t, map[string]string{"DATA_DIR": dataDir})
	if err != nil {
		t.Fatalf("doctor beside a running service: %v\n%s", err, out)
	}
	wantCheck(t, lines, out, "database", okOnly, "SQLite", "quick_check ok")
	wantCheck(t, lines, out, "secret", okOnly, "secret.key")
	wantCheck(t, lines, out, "schema", okOnly, "version 2, this program's")

	// A backup is taken: the doctor sees when.
	if out, err := runCommand(t, map[string]string{"DATA_DIR": dataDir}, "", "backup", filepath.Join(t.TempDir(), "b.tar.gz")); err != nil {
		t.Fatalf("backup: %v\n%s", err, out)
	}
	lines, out, _ = doctorLines(t, map[string]string{"DATA_DIR": dataDir})
	wantCheck(t, lines, out, "backup", okOnly, "the last backup finished")
}

func TestDoctor_RealServices(t *testing.T) {
	smtpServer := mailtest.NewServer(t)
	stripe := stripetest.NewServer(t)
	lines, out, err := doctorLines(t, map[string]string{
		"DATA_DIR":              t.TempDir(),
		"MONGODB_URI":           mongodbtest.URI(t),
		"SECRET_KEY":            strings.Repeat("ab", 32),
		"REDIS_URL":             redistest.New(t).URL,
		"SMTP_URL":              smtpServer.URL,
		"STRIPE_SECRET_KEY":     stripetest.TestSecretKey,
		"STRIPE_WEBHOOK_SECRET": stripetest.WebhookSecret,
		"STRIPE_API_BASE":       stripe.URL,
	})
	if err != nil {
		t.Fatalf("doctor: %v\n%s", err, out)
	}
	wantCheck(t, lines, out, "database", okOrWarn, "FerretDB")
	wantCheck(t, lines, out, "queue", okOrWarn, "Redis ")
	wantCheck(t, lines, out, "payments", okOnly, "accepts the key (test mode)")
	wantCheck(t, lines, out, "mail", okOrWarn, smtpServer.Addr)
	wantCheck(t, lines, out, "secret", okOnly, "SECRET_KEY is set")
	wantCheck(t, lines, out, "schema", okOrWarn, "version")
	wantCheck(t, lines, out, "backup", okOrWarn, "backup")
}

func TestDoctor_BrokenSettings(t *testing.T) {
	// A Meilisearch that is up but refuses the key, as Meilisearch does.
	meili := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path == "/health" {
			_, _ = w.Write([]byte(`{"status":"available"}`))
			return
		}
		w.WriteHeader(http.StatusForbidden)
		_, _ = w.Write([]byte(`{"message":"The provided API key is invalid.","code":"invalid_api_key","type":"auth"}`))
	}))
	defer meili.Close()
	lines, out, err := doctorLines(t, map[string]string{
		"DATA_DIR":      t.TempDir(),
		"MONGODB_URI":   "postgres://localhost/marketplace",
		"REDIS_URL":     "redis://" + closedAddr(t),
		"MEILI_URL":     meili.URL,
		"MEILI_API_KEY": "not the key",
	})
	if err == nil || !strings.Contains(err.Error(), "failed") {
		t.Fatalf("doctor with broken settings: %v; want an error\n%s", err, out)
	}
	wantCheck(t, lines, out, "config", failedOne, "MONGODB_URI")
	if len(lines["database"]) > 0 {
		t.Errorf("the database was checked with a refused MONGODB_URI:\n%s", out)
	}
	wantCheck(t, lines, out, "queue", failedOne, "Redis")
	wantCheck(t, lines, out, "search", failedOne, "refuses MEILI_API_KEY")
}

// closedAddr returns a loopback address nothing listens on.
func closedAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}
