package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"cooptrade/marketplace/load"
)

// Import runs `marketplace import FILE`: it reads members and listings
// from CSV or JSON Lines, reports each bad row with its line number and
// reason, stores the good ones and indexes them (load.Loader.Import). It
// returns an error when any row was not imported.
func (m *Main) Import(ctx context.Context, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	fs.SetOutput(stderr)
	format := fs.String("format", "", "csv or jsonl (default: from the file's extension)")
	dryRun := fs.Bool("dry-run", false, "check every row and report, but store nothing")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: marketplace import [--format csv|jsonl] [--dry-run] FILE\n\nImports members and listings from CSV or JSON Lines; see the README for the fields. With the embedded engines, stop `marketplace serve` first.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return errors.New("import: name one file")
	}
	path := fs.Arg(0)
	opt := load.ImportOptions{Format: load.Format(*format), Name: filepath.Base(path), Size: -1, DryRun: *dryRun}
	if *format == "" {
		f, ok := load.FormatOf(path)
		if !ok {
			return fmt.Errorf("import: cannot tell the format of %s from its extension; give --format csv or --format jsonl", path)
		}
		opt.Format = f
	}
	if opt.Format != load.CSV && opt.Format != load.JSONLines {
		return fmt.Errorf("import: --format must be csv or jsonl, not %q", *format)
	}
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	defer f.Close()
	if info, err := f.Stat(); err == nil {
		opt.Size = info.Size()
	}

	start := time.Now()
	if *dryRun {
		err = m.OpenStorage(ctx) // nothing is indexed
	} else {
		err = m.OpenBulk(ctx)
	}
	if err != nil {
		return err
	}
	opt.Report = func(bad []load.RowError) {
		for _, e := range bad {
			fmt.Fprintf(stderr, "%s:%d: %s\n", path, e.Line, e.Reason())
		}
	}
	res, err := m.Loader(newProgress(stderr)).Import(ctx, f, opt)
	if err != nil {
		return fmt.Errorf("import: %s: %w", path, err)
	}
	if *dryRun {
		fmt.Fprintf(m.Stdout, "checked in %s: %s members and %s listings would be imported; %s rows would not\n",
			since(start), count(res.Members), count(res.Listings), count(len(res.Bad)))
	} else {
		fmt.Fprintf(m.Stdout, "imported in %s: %s members and %s listings, of which %s are searchable; %s rows not imported\n",
			since(start), count(res.Members), count(res.Listings), count(res.NewIndexed), count(len(res.Bad)))
	}
	if len(res.Bad) > 0 {
		return fmt.Errorf("import: %s of %s rows were not imported (see above)", count(len(res.Bad)), count(res.Rows))
	}
	return nil
}
