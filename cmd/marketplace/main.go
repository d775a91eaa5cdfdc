// Command marketplace is the federation's trading and sourcing marketplace:
// one binary that serves the API and runs the background workers.
//
//	marketplace serve [--workers=N]   the HTTP API, and the workers unless N is 0
//	marketplace worker                the workers only
//	marketplace admin add-staff EMAIL add a federation staff user (password on stdin)
//	marketplace admin add-user ...    add a user with a first password to a member (password on stdin)
//	marketplace admin reset-password EMAIL  mail a user a reset link
//	marketplace reindex               rebuild the search index from MongoDB
//	marketplace seed [--listings=N]   fill an empty instance with a generated federation
//	marketplace import FILE           import members and listings from CSV or JSON Lines
//	marketplace backup FILE           copy the embedded database, while the service runs
//	marketplace restore FILE          put a backup into an empty DATA_DIR and rebuild search
//	marketplace migrate [--dry-run]   upgrade the stored documents to this version's schema
//	marketplace doctor                check the configuration and every backing service
//	marketplace version               print the version
//
// Configuration comes from the environment; see .env.example. This
// package parses flags and prints; opening and closing the application is
// cmd/marketplace/app's, and the work is the domain's (marketplace/load for
// importing and rebuilding). It imports no adapter.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"cooptrade/cmd/marketplace/app"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = ""

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := Run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "marketplace:", err)
		}
		os.Exit(1)
	}
}

const usage = `usage: marketplace <command> [arguments]

commands:
  serve [--workers=N]     serve the HTTP API, with N job workers in the same process (default: the CPUs on
                          the embedded database, 10 on MongoDB; 0 for none)
  worker [--workers=N]    run the job workers only (needs MONGODB_URI, REDIS_URL, MEILI_URL and SECRET_KEY)
  admin add-staff EMAIL   add a federation staff user; the password is read from standard input
  admin add-user --member SLUG --email EMAIL --role owner|editor [--name NAME] [--lang en|cy]
                          add a user with a first password, read from standard input, to a member;
                          the API and the pages only invite
  admin reset-password EMAIL
                          mail a user a link to choose a new password
  reindex                 rebuild the search index from MongoDB, swapping it in when complete
  seed [--listings=N] [--seed=S] [--force]
                          fill an empty instance with a generated federation, and index it
  import [--format=csv|jsonl] [--dry-run] FILE
                          import members and listings, reporting each bad row; see the README
  backup FILE             copy the embedded database into FILE while the service runs (not the secret key)
  restore [--secret-key KEYFILE] FILE
                          put a backup into an empty DATA_DIR and rebuild the search index
  migrate [--dry-run]     upgrade the stored documents to this version's schema (serve and worker
                          do it at start); --dry-run says what it would change, changing nothing
  doctor                  check the configuration and reach every backing service; non-zero on a failure
  healthcheck [serve|worker]
                          the container health check: this host's /healthz, or its workers' heartbeat in Redis
  version                 print the version

Configuration is read from the environment; see .env.example.
`

// Run runs the command line args; ctx ends at SIGINT or SIGTERM.
func Run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return flag.ErrHelp
	}
	cmd, args := args[0], args[1:]
	if cmd == "version" {
		fmt.Fprintln(stdout, Version())
		return nil
	}
	if cmd == "help" || cmd == "-h" || cmd == "--help" {
		fmt.Fprint(stdout, usage)
		return nil
	}
	if cmd == "doctor" {
		// The doctor reports a bad configuration instead of stopping at it.
		return Doctor(ctx, args, getenv, stdout, stderr)
	}
	cfg, err := app.ParseConfig(getenv)
	if err != nil {
		return err
	}
	m := NewMain(cfg, stderr)
	m.Stdin, m.Stdout = stdin, stdout
	switch cmd {
	case "serve", "worker":
		fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
		fs.SetOutput(stderr)
		fs.IntVar(&m.WorkerConcurrency, "workers", -1, "how many jobs to run at once; 0 runs no workers (default: on the embedded database one fewer than the CPUs, at least 1; 10 on MongoDB)")
		if err := fs.Parse(args); err != nil {
			return err
		}
		if m.WorkerConcurrency < 0 {
			m.WorkerConcurrency = app.DefaultWorkers(cfg)
		}
		if cmd == "serve" {
			err = m.Serve(ctx)
		} else {
			err = m.Work(ctx)
		}
		if err != nil {
			_ = m.Close()
			return err
		}
		<-ctx.Done()
		m.Logger.Info("shutting down")
		return m.Close()
	case "admin":
		defer m.Close()
		return m.Admin(ctx, args)
	case "reindex":
		defer m.Close()
		return m.Reindex(ctx, args, stderr)
	case "seed":
		defer m.Close()
		return m.Seed(ctx, args, stderr)
	case "import":
		defer m.Close()
		return m.Import(ctx, args, stderr)
	case "healthcheck":
		defer m.Close()
		return m.Healthcheck(ctx, args)
	case "backup":
		defer m.Close()
		return m.Backup(ctx, args, stderr)
	case "restore":
		defer m.Close()
		return m.Restore(ctx, args, stderr)
	case "migrate":
		defer m.Close()
		return m.Migrate(ctx, args, stderr)
	default:
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("unknown command %q", cmd)
	}
}

// Main is the program running one command: the whole application and
// the command line's streams.
type Main struct {
	*app.Main
	Stdin  io.Reader
	Stdout io.Writer
}

// NewMain returns the program with the given configuration, logging as
// JSON to logTo.
func NewMain(cfg app.Config, logTo io.Writer) *Main {
	a := app.New(cfg, app.JSONLogger(cfg, logTo))
	a.Version = Version()
	return &Main{Main: a, Stdin: os.Stdin, Stdout: os.Stdout}
}

// Version returns the version of the program.
func Version() string {
	if version != "" {
		return version
	}
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, s := range info.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				return "dev-" + s.Value[:12]
			}
		}
	}
	return "dev"
}
