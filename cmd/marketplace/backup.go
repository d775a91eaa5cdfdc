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
// database, made while the service runs (app.Main.Backup).
func (m *Main) Backup(ctx context.Context, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("backup", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: marketplace backup FILE\n\nCopies the embedded database under DATA_DIR into FILE (a .tar.gz) while the service runs.\nThe secret key is not in it: keep DATA_DIR/secret.key (or SECRET_KEY) apart.")
	}
	if err := fs.Parse(args); err != nil {
		return err
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
