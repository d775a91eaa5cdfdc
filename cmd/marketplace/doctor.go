package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"

	"cooptrade/cmd/marketplace/app"
)

// checkStatus is the verdict of one check of the doctor.
type checkStatus string

const (
	checkOK      checkStatus = "ok"
	checkWarning checkStatus = "warning"
	checkFailed  checkStatus = "failed"
)

// checkResult is one line of the doctor's report.
type checkResult struct {
	Status checkStatus
	Name   string // what was checked: config, database, queue…
	Detail string
}

// doctorTimeout bounds each check that reaches a server.
const doctorTimeout = 5 * time.Second

// doctor checks a configuration and the services it names.
type doctor struct {
	cfg app.Config
	// bad holds the variables the configuration refused: checks that
	// depend on one are left out (the refusal is reported once).
	bad     map[string]bool
	results []checkResult
}

func (d *doctor) add(status checkStatus, name, format string, args ...any) {
	d.results = append(d.results, checkResult{Status: status, Name: name, Detail: fmt.Sprintf(format, args...)})
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

// Doctor runs `marketplace doctor`: it reads the configuration the service
// would read, reaches every backing service it names (or looks at the
// embedded ones' files), and prints one line per check. It fails when any
// check failed; warnings are things to look at that the service runs with.
// It never writes to a service, and opens no embedded engine, so it is
// safe beside a running service.
func Doctor(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("doctor", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: marketplace doctor\n\nChecks the configuration in the environment and reaches every backing service it names:\none line per check (ok, warning or failed); exits non-zero when a check failed.")
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return errors.New("doctor takes no arguments")
	}
	d := &doctor{bad: map[string]bool{}}
	d.checkConfig(getenv)
	d.checkDataDir()
	d.checkSecretKey()
	d.checkDatabase(ctx)
	d.checkQueue(ctx)
	d.checkSearch(ctx)
	d.checkPayments(ctx)
	d.checkMail(ctx)

	counts := map[checkStatus]int{}
	for _, r := range d.results {
		counts[r.Status]++
		fmt.Fprintf(stdout, "%-8s %-11s %s\n", r.Status, r.Name, r.Detail)
	}
	fmt.Fprintf(stdout, "%d ok, %d warnings, %d failed\n", counts[checkOK], counts[checkWarning], counts[checkFailed])
	if n := counts[checkFailed]; n > 0 {
		return fmt.Errorf("doctor: %d check(s) failed", n)
	}
	return nil
}

// checkConfig parses the configuration as the service does: each refused
// variable is a failure; settings that run but deserve a look are warnings.
func (d *doctor) checkConfig(getenv func(string) string) {
	cfg, err := app.ParseConfig(getenv)
	d.cfg = cfg
	if err != nil {
		lines := strings.Split(err.Error(), "\n")
		for _, line := range lines[1:] {
			line = strings.TrimSpace(line)
			if name, _, ok := strings.Cut(line, ":"); ok {
				d.bad[name] = true
			}
			d.add(checkFailed, "config", "%s", line)
		}
		return
	}
	d.add(checkOK, "config", "every variable is valid")
	if u, err := url.Parse(cfg.BaseURL); err == nil && u.Scheme != "https" && u.Hostname() != "localhost" && u.Hostname() != "127.0.0.1" {
		d.add(checkWarning, "config", "BASE_URL %s is not https://: session cookies are sent without Secure, and links in mail are in clear", cfg.BaseURL)
	}
	if cfg.WebhookAllowPrivate {
		d.add(checkWarning, "config", "WEBHOOK_ALLOW_PRIVATE is true: members' webhooks may reach this network (development only)")
	}
	if cfg.PprofAddr != "" {
		d.add(checkWarning, "config", "PPROF_ADDR is set: the profiler is served on %s", cfg.PprofAddr)
	}
	if cfg.MongoURI != "" && len(cfg.SecretKey) == 0 {
		d.add(checkWarning, "config", "MONGODB_URI is set but SECRET_KEY is not: every process of a shared install must have the same SECRET_KEY")
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
		d.add(checkOK, "data dir", "%s does not exist yet: the service makes it at start", dir)
		return
	}
	if err != nil {
		d.add(checkFailed, "data dir", "%v", err)
		return
	}
	if !info.IsDir() {
		d.add(checkFailed, "data dir", "%s is not a directory", dir)
		return
	}
	probe, err := os.CreateTemp(dir, ".doctor-")
	if err != nil {
		d.add(checkFailed, "data dir", "%s cannot be written: %v", dir, err)
		return
	}
	probe.Close()
	os.Remove(probe.Name())
	d.add(checkOK, "data dir", "%s can be written", dir)
}

// checkSecretKey checks the key that signs links and seals webhook
// secrets: SECRET_KEY, or the one kept in DATA_DIR.
func (d *doctor) checkSecretKey() {
	if d.refused("SECRET_KEY") {
		return
	}
	if len(d.cfg.SecretKey) > 0 {
		d.add(checkOK, "secret key", "SECRET_KEY is set (%d bytes)", len(d.cfg.SecretKey))
		return
	}
	path := d.cfg.SecretKeyFile()
	switch _, err := readSecretKeyFile(path); {
	case errors.Is(err, os.ErrNotExist):
		d.add(checkWarning, "secret key", "%s does not exist yet: the service makes it at first start; back it up apart from the data", path)
	case err != nil:
		d.add(checkFailed, "secret key", "%v", err)
	default:
		d.add(checkOK, "secret key", "kept in %s: keep a copy apart from the backups", path)
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
