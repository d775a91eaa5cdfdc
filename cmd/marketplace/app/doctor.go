package app

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"
)

// CheckStatus is the verdict of one check of the doctor.
type CheckStatus string

// The verdicts: a warning is something to look at that the service runs
// with.
const (
	CheckOK      CheckStatus = "ok"
	CheckWarning CheckStatus = "warning"
	CheckFailed  CheckStatus = "failed"
)

// Check is one line of the doctor's report.
type Check struct {
	Status CheckStatus
	Name   string // what was checked: config, database, queue…
	Detail string
}

// doctorTimeout bounds each check that reaches a server.
const doctorTimeout = 5 * time.Second

// doctor checks a configuration and the services it names.
type doctor struct {
	cfg Config
	// bad holds the variables the configuration refused: checks that
	// depend on one are left out (the refusal is reported once).
	bad     map[string]bool
	results []Check
}

func (d *doctor) add(status CheckStatus, name, format string, args ...any) {
	d.results = append(d.results, Check{Status: status, Name: name, Detail: fmt.Sprintf(format, args...)})
}

// refused says whether the configuration refused any of the variables.
func (d *doctor) refused(names ...string) bool {
	for _, n := range names {
		if d.bad[n] {
			return true
		}
	}
	return false
}

// Doctor reads the configuration the service would read from getenv,
// reaches every backing service it names (or looks at the embedded ones'
// files), and returns one result per check, in order. It reports a
// configuration it refuses instead of stopping at it. It never writes to
// a service, and opens no embedded engine, so it is safe beside a running
// service.
func Doctor(ctx context.Context, getenv func(string) string) []Check {
	d := &doctor{bad: map[string]bool{}}
	d.checkConfig(getenv)
	d.checkDataDir()
	d.checkSecretKey()
	d.checkDatabase(ctx)
	d.checkSchema(ctx)
	d.checkBackup(ctx)
	d.checkQueue(ctx)
	d.checkSearch(ctx)
	d.checkPayments(ctx)
	d.checkMail(ctx)
	return d.results
}

// checkConfig parses the configuration as the service does: each refused
// variable is a failure; settings that run but deserve a look are warnings.
func (d *doctor) checkConfig(getenv func(string) string) {
	cfg, err := ParseConfig(getenv)
	d.cfg = cfg
	if err != nil {
		lines := strings.Split(err.Error(), "\n")
		for _, line := range lines[1:] {
			line = strings.TrimSpace(line)
			if name, _, ok := strings.Cut(line, ":"); ok {
				d.bad[name] = true
			}
			d.add(CheckFailed, "config", "%s", line)
		}
		return
	}
	d.add(CheckOK, "config", "every variable is valid")
	if u, err := url.Parse(cfg.BaseURL); err == nil && u.Scheme != "https" && u.Hostname() != "localhost" && u.Hostname() != "127.0.0.1" {
		d.add(CheckWarning, "config", "BASE_URL %s is not https://: session cookies are sent without Secure, and links in mail are in clear", cfg.BaseURL)
	}
	if cfg.WebhookAllowPrivate {
		d.add(CheckWarning, "config", "WEBHOOK_ALLOW_PRIVATE is true: members' webhooks may reach this network (development only)")
	}
	if cfg.PprofAddr != "" {
		d.add(CheckWarning, "config", "PPROF_ADDR is set: the profiler is served on %s", cfg.PprofAddr)
	}
	if cfg.MongoURI != "" && len(cfg.SecretKey) == 0 {
		d.add(CheckWarning, "config", "MONGODB_URI is set but SECRET_KEY is not: every process of a shared install must have the same SECRET_KEY")
	}
}

// checkDataDir checks that DATA_DIR can be written, when anything keeps
// files there: the embedded database or search index, or the secret key.
func (d *doctor) checkDataDir() {
	if d.refused("DATA_DIR") || d.cfg.MongoURI != "" && d.cfg.MeiliURL != "" && len(d.cfg.SecretKey) > 0 {
		return
	}
	dir := d.cfg.DataDir
	info, err := os.Stat(dir)
	if errors.Is(err, os.ErrNotExist) {
		d.add(CheckOK, "data dir", "%s does not exist yet: the service makes it at start", dir)
		return
	}
	if err != nil {
		d.add(CheckFailed, "data dir", "%v", err)
		return
	}
	if !info.IsDir() {
		d.add(CheckFailed, "data dir", "%s is not a directory", dir)
		return
	}
	probe, err := os.CreateTemp(dir, ".doctor-")
	if err != nil {
		d.add(CheckFailed, "data dir", "%s cannot be written: %v", dir, err)
		return
	}
	probe.Close()
	os.Remove(probe.Name())
	d.add(CheckOK, "data dir", "%s can be written", dir)
}

// checkSecretKey checks the key that signs links and seals webhook
// secrets: SECRET_KEY, or the one kept in DATA_DIR.
func (d *doctor) checkSecretKey() {
	if d.refused("SECRET_KEY") {
		return
	}
	if len(d.cfg.SecretKey) > 0 {
		d.add(CheckOK, "secret key", "SECRET_KEY is set (%d bytes)", len(d.cfg.SecretKey))
		return
	}
	path := d.cfg.SecretKeyFile()
	switch _, err := readSecretKeyFile(path); {
	case errors.Is(err, os.ErrNotExist):
		d.add(CheckWarning, "secret key", "%s does not exist yet: the service makes it at first start; back it up apart from the data", path)
	case err != nil:
		d.add(CheckFailed, "secret key", "%v", err)
	default:
		d.add(CheckOK, "secret key", "kept in %s: keep a copy apart from the backups", path)
	}
}

// moduleVersion returns the version of a module built into the program, or
// "" when the build does not say.
func moduleVersion(path string) string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return ""
	}
	for _, dep := range info.Deps {
		if dep.Path == path {
			if dep.Replace != nil {
				return dep.Replace.Version
			}
			return dep.Version
		}
	}
	return ""
}

// embeddedDatabaseFile is the SQLite file of the configured database.
func (d *doctor) embeddedDatabaseFile() string {
	return filepath.Join(d.cfg.EmbeddedDBDir(), d.cfg.MongoDatabase+".sqlite")
}
