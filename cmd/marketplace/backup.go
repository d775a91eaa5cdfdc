package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"cooptrade/cmd/marketplace/app"
)

// Backup runs `marketplace backup FILE`: a consistent copy of the embedded
// database, made while the service runs (app.Main.Backup); or, with
// --record on MongoDB, records that a backup made with mongodump finished.
func (m *Main) Backup(ctx context.Context, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("backup", flag.ContinueOnError)
	fs.SetOutput(stderr)
	record := fs.Bool("record", false, "on MongoDB: record that a backup (mongodump) just finished, for the metrics")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: marketplace backup FILE\n       marketplace backup --record\n\nCopies the embedded database under DATA_DIR into FILE (a .tar.gz) while the service runs.\nThe secret key is not in it: keep DATA_DIR/secret.key (or SECRET_KEY) apart.\nOn MongoDB, back up with mongodump and then run `marketplace backup --record`,\nso that the metric of the last backup (and its alert) sees it.")
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *record {
		if fs.NArg() != 0 {
			fs.Usage()
			return errors.New("backup: --record takes no file")
		}
		if err := m.Main.RecordBackup(ctx); err != nil {
			return fmt.Errorf("backup: %w", err)
		}
		fmt.Fprintln(m.Stdout, "recorded that a backup finished now")
		return nil
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return errors.New("backup: give the file to write")
	}
	start := time.Now()
	sum, err := m.Main.Backup(ctx, fs.Arg(0))
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	fmt.Fprintf(m.Stdout, "backed up %d database(s) to %s (%s) in %s; the secret key is not in it: keep a copy of %s (or SECRET_KEY) apart\n",
		sum.Databases, sum.File, app.HumanBytes(sum.Bytes), since(start), m.Config.SecretKeyFile())
	return nil
}
