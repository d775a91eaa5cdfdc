package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"cooptrade/cmd/marketplace/app"
)

// Migrate runs `marketplace migrate [--dry-run]`: the stored documents are
// brought to this program's schema version, as serve and worker do at
// start; with --dry-run it says what it would change.
func (m *Main) Migrate(ctx context.Context, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dryRun := fs.Bool("dry-run", false, "say what would change, and change nothing")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: marketplace migrate [--dry-run]\n\nUpgrades the stored documents to this version's schema; serve and worker do it at start.\nOn the embedded database, stop the service first: the database belongs to one process.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		fs.Usage()
		return errors.New("migrate: takes no arguments")
	}
	plan, err := m.Main.Migrate(ctx, *dryRun)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	fmt.Fprint(m.Stdout, app.DescribePlan(plan))
	switch {
	case plan.From == plan.To:
	case *dryRun:
		fmt.Fprintln(m.Stdout, "dry run: nothing was changed")
	default:
		fmt.Fprintf(m.Stdout, "the database is now at schema version %d\n", plan.To)
	}
	return nil
}
