package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"time"
)

// Reindex runs `marketplace reindex`: it rebuilds the whole search index
// from MongoDB into a fresh index that is swapped in when complete, and
// brings the listings' index markers up to date (load.Loader.Rebuild).
// Progress goes to stderr.
func (m *Main) Reindex(ctx context.Context, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("reindex", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: marketplace reindex\n\nRebuilds the search index from MongoDB. With the embedded engines, stop `marketplace serve` first.")
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return fmt.Errorf("reindex takes no arguments")
	}
	start := time.Now()
	if err := m.OpenBulk(ctx); err != nil {
		return err
	}
	res, err := m.Loader(newProgress(stderr)).Rebuild(ctx)
	if err != nil {
		return fmt.Errorf("reindex: %w", err)
	}
	fmt.Fprintf(m.Stdout, "reindexed in %s: %s of %s listings are searchable (the others are not published, or their members are not in good standing); %s index markers brought up to date; %s matches made for listings whose matching was behind\n",
		since(start), count(res.Indexed), count(res.Listings), count(res.Marked), count(res.Matches))
	return nil
}
