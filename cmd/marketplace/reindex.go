package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"cooptrade/marketplace/load"
	"cooptrade/search"
)

// Reindex runs `marketplace reindex`: it rebuilds the whole search index
// from MongoDB into a fresh index that is swapped in when complete, and
// brings the listings' index markers up to date. Progress goes to stderr.
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
	if err := m.openForBulk(ctx, stderr); err != nil {
		return err
	}
	res, err := m.loader(newProgress(stderr)).Rebuild(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "reindexed in %s: %s of %s listings are searchable (the others are not published, or their members are not in good standing); %s index markers brought up to date; %s matches made for listings whose matching was behind\n",
		since(start), count(res.Indexed), count(res.Listings), count(res.Marked), count(res.Matches))
	return nil
}

// openForBulk opens the database and the search engine for a bulk command
// (reindex, seed, import), saying what it waits for when the embedded
// search index is held by a running `marketplace serve`.
func (m *Main) openForBulk(ctx context.Context, stderr io.Writer) error {
	if err := m.OpenStorage(ctx); err != nil {
		return err
	}
	if m.Config.MeiliURL != "" {
		return m.OpenSearch(ctx)
	}
	// The embedded index can be open in one process only; opening it
	// waits for as long as another process holds it, without a deadline.
	dir := filepath.Join(m.Config.DataDir, "search")
	opened := make(chan struct{})
	defer close(opened)
	go func() {
		select {
		case <-opened:
			return
		case <-time.After(3 * time.Second):
		}
		fmt.Fprintf(stderr, "waiting for the search index under %s: if `marketplace serve` is running on this DATA_DIR, stop it first (the embedded engines belong to one process)\n", dir)
		select {
		case <-opened:
		case <-ctx.Done():
			fmt.Fprintln(stderr, "marketplace: interrupted while waiting for the search index")
			os.Exit(130) // the open cannot be abandoned; nothing has been written
		}
	}()
	return m.OpenSearch(ctx)
}

// progress shows how far the steps of a long command have got: a bar per
// step on a terminal; otherwise (a log, a pipe) a line per tenth of a step,
// or every ten seconds when its size is not known, and one when it ends.
type progress struct {
	w   io.Writer
	tty bool
}

func newProgress(w io.Writer) *progress {
	f, ok := w.(*os.File)
	return &progress{w: w, tty: ok && term.IsTerminal(int(f.Fd()))}
}

// Step implements load.Progress: it starts a step of total items (-1 when
// not known); unit names them ("listings"; "bytes" shows sizes).
func (p *progress) Step(desc, unit string, total int) load.Step {
	return p.step(desc, unit, total)
}

func (p *progress) step(desc, unit string, total int) *stepProgress {
	s := &stepProgress{p: p, desc: desc, unit: unit, total: total, start: time.Now()}
	s.lastLine = s.start
	if p.tty {
		s.bar = progressbar.NewOptions(total,
			progressbar.OptionSetWriter(p.w),
			progressbar.OptionSetDescription(desc),
			progressbar.OptionShowCount(),
			progressbar.OptionShowIts(),
			progressbar.OptionSetItsString(unit),
			progressbar.OptionShowBytes(unit == "bytes"),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionSetWidth(30),
			progressbar.OptionOnCompletion(func() { fmt.Fprintln(p.w) }),
		)
	}
	return s
}

// stepProgress is one step's progress. It is not safe for concurrent use.
type stepProgress struct {
	p        *progress
	desc     string
	unit     string
	total, n int
	bar      *progressbar.ProgressBar
	start    time.Time
	lastLine time.Time
	tenth    int
}

// Add records n more items done.
func (s *stepProgress) Add(n int) {
	s.n += n
	if s.bar != nil {
		_ = s.bar.Add(n)
		return
	}
	if s.total > 0 {
		if t := s.n * 10 / s.total; t > s.tenth && s.n < s.total {
			s.tenth = t
			fmt.Fprintf(s.p.w, "%s: %d%% (%s of %s %s)\n", s.desc, t*10, count(s.n), count(s.total), s.unit)
		}
	} else if time.Since(s.lastLine) >= 10*time.Second {
		s.lastLine = time.Now()
		fmt.Fprintf(s.p.w, "%s: %s %s so far\n", s.desc, count(s.n), s.unit)
	}
}

// Done ends the step.
func (s *stepProgress) Done() {
	if s.bar != nil {
		_ = s.bar.Finish()
		return
	}
	fmt.Fprintf(s.p.w, "%s: %s %s in %s\n", s.desc, count(s.n), s.unit, since(s.start))
}

// count writes n with thousands separators: 12,345.
func count(n int) string {
	s := strconv.Itoa(n)
	if n < 0 {
		return "-" + count(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// since is the time since start, rounded for people.
func since(start time.Time) string {
	d := time.Since(start)
	if d < time.Second {
		return d.Round(time.Millisecond).String()
	}
	return d.Round(100 * time.Millisecond).String()
}

// loader is the bulk loader on the program's stores and index.
func (m *Main) loader(p load.Progress) *load.Loader {
	ld := &load.Loader{
		Members: m.Stores.Members, Listings: m.Stores.Listings, Matches: m.Stores.Matches,
		Index: search.Index{Engine: m.Search}, Shared: m.Config.MeiliURL != "", Progress: p,
	}
	if m.Config.RedisURL != "" && m.Config.MeiliURL != "" {
		// Workers may be running beside: their candidate pool hears of
		// what is matched here.
		ld.Pool = m.Service.Pool
	}
	return ld
}
