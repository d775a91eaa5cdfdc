package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"
)

// Restore runs `marketplace restore [--secret-key FILE] BACKUP`: it puts a
// backup's database into an empty DATA_DIR (app.Main.Restore), then
// rebuilds the search index from it as `marketplace reindex` does.
func (m *Main) Restore(ctx context.Context, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("restore", flag.ContinueOnError)
	fs.SetOutput(stderr)
	keyFile := fs.String("secret-key", "", "the copy of DATA_DIR/secret.key kept apart from the backups (not needed when SECRET_KEY is set)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: marketplace restore [--secret-key FILE] BACKUP\n\nPuts a backup made by `marketplace backup` into an empty DATA_DIR and rebuilds the search index.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return errors.New("restore: give the backup file")
	}
	start := time.Now()
	manifest, err := m.Main.Restore(fs.Arg(0), *keyFile, stderr)
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	fmt.Fprintf(stderr, "restored %d database(s) of %s, made by %s; rebuilding the search index…\n",
		len(manifest.Databases), manifest.Created.Format(time.RFC3339), manifest.Program)

	if err := m.OpenBulk(ctx); err != nil {
		return fmt.Errorf("restore: the database is in place, but opening it failed: %w", err)
	}
	res, err := m.Loader(newProgress(stderr)).Rebuild(ctx)
	if err != nil {
		return fmt.Errorf("restore: the database is in place, but rebuilding the search index failed (run `marketplace reindex`): %w", err)
	}
	fmt.Fprintf(m.Stdout, "restored %s into %s in %s: %s of %s listings are searchable\n",
		fs.Arg(0), m.Config.DataDir, since(start), count(res.Indexed), count(res.Listings))
	return nil
}
