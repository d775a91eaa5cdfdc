package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"cooptrade/marketplace"
	"cooptrade/marketplace/mongo"
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
	p := newProgress(stderr)
	members, err := m.walkMembers(ctx, p)
	if err != nil {
		return err
	}
	res, err := m.rebuild(ctx, members, nil, p)
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "reindexed in %s: %s of %s listings are searchable (the others are not published, or their members are not in good standing); %s index markers brought up to date\n",
		since(start), count(res.Indexed), count(res.Listings), count(res.Marked))
	return nil
}

// openForBulk opens the database and the search engine for a bulk command
// (reindex, seed, import), saying what it waits for when the embedded
// search index is held by a running `marketplace serve`.
func (m *Main) openForBulk(ctx context.Context, stderr io.Writer) error {
	if err := m.openStorage(ctx); err != nil {
		return err
	}
	if m.Config.MeiliURL != "" {
		return m.openSearch(ctx)
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
	return m.openSearch(ctx)
}

// walkMembers reads every stored member in one pass, keyed by ID.
func (m *Main) walkMembers(ctx context.Context, p *progress) (map[string]*marketplace.Member, error) {
	bar := p.step("reading members", "members", -1)
	members := map[string]*marketplace.Member{}
	err := m.Service.Members.WalkMembers(ctx, func(mem *marketplace.Member) error {
		members[mem.ID] = mem
		bar.add(1)
		return nil
	})
	if err != nil {
		return nil, err
	}
	bar.done()
	return members, nil
}

// rebuildResult is what a rebuild did.
type rebuildResult struct {
	// Listings is how many listings were read (stored and new).
	Listings int
	// Indexed is how many of them are in the new index: the visible ones.
	Indexed int
	// NewIndexed is how many of the new listings are in it.
	NewIndexed int
	// Marked is how many stored listings had their index marker behind
	// their version and were marked indexed.
	Marked int
	// Taken holds the positions in the new listings of those whose ID a
	// stored listing has; they are left out of the index.
	Taken map[int]bool
}

// batchSize is how many documents a rebuild hands the engine at once.
const batchSize = 1000

// rebuild builds a fresh search index from every stored listing and the
// new listings (not stored yet; the caller stores them once they are
// indexed), with members from the given map, and swaps it in. One pass
// over the listings collection: the visible listings become documents,
// and the stored ones whose index marker is behind are then marked,
// in bulk, at the version read. A listing written meanwhile keeps its
// older marker, so that its own job marks it.
func (m *Main) rebuild(ctx context.Context, members map[string]*marketplace.Member, extra []*marketplace.Listing, p *progress) (rebuildResult, error) {
	res := rebuildResult{Taken: map[int]bool{}}
	extraAt := make(map[string]int, len(extra))
	for i, l := range extra {
		extraAt[l.ID] = i
	}
	var behind []marketplace.ListingRef
	bar := p.step("indexing listings", "listings", -1)
	errStop := errors.New("stop")
	batches := func(yield func([]search.Document, error) bool) {
		batch := make([]search.Document, 0, batchSize)
		// add queues a listing's document; false once the engine wants
		// no more.
		add := func(l *marketplace.Listing, isNew bool) bool {
			res.Listings++
			bar.add(1)
			mem := members[l.MemberID]
			if !l.VisibleTo(mem) {
				return true
			}
			batch = append(batch, search.NewDocument(l, mem))
			res.Indexed++
			if isNew {
				res.NewIndexed++
			}
			if len(batch) < batchSize {
				return true
			}
			full := batch
			batch = make([]search.Document, 0, batchSize) // the engine keeps the slice it was given
			return yield(full, nil)
		}
		err := m.Service.Listings.WalkListings(ctx, nil, func(l *marketplace.Listing) error {
			if i, ok := extraAt[l.ID]; ok {
				res.Taken[i] = true
			}
			if l.IndexedVersion < l.Version {
				behind = append(behind, marketplace.ListingRef{ID: l.ID, Version: l.Version, NeedsIndex: true})
			}
			if !add(l, false) {
				return errStop
			}
			return nil
		})
		if errors.Is(err, errStop) {
			return
		} else if err != nil {
			yield(nil, err)
			return
		}
		for i, l := range extra {
			if !res.Taken[i] && !add(l, true) {
				return
			}
		}
		if len(batch) > 0 {
			yield(batch, nil)
		}
	}
	started := time.Now()
	if err := m.Search.Rebuild(ctx, batches); err != nil {
		return res, fmt.Errorf("rebuild the search index: %w", err)
	}
	bar.done()
	if m.Config.MeiliURL != "" {
		// Another process (serve's workers) may have written to the
		// old index meanwhile; those writes are not in the new one.
		if err := m.catchUp(ctx, started.Add(-time.Minute), p); err != nil {
			return res, err
		}
	}

	if len(behind) > 0 {
		store := mongo.NewListingStore(m.DB)
		bar := p.step("marking listings indexed", "listings", len(behind))
		for start := 0; start < len(behind); start += 100 {
			chunk := behind[start:min(start+100, len(behind))]
			if err := store.MarkListingsIndexed(ctx, chunk); err != nil {
				return res, fmt.Errorf("the new index is in place, but marking listings indexed failed (the reconciler will index them again): %w", err)
			}
			bar.add(len(chunk))
			res.Marked += len(chunk)
		}
		bar.done()
	}
	return res, nil
}

// catchUp brings the index in line with the listings and members changed
// since the given time, in one more pass over both collections: with a
// shared engine, a rebuild in this process does not see what other
// processes wrote to the index it replaced.
func (m *Main) catchUp(ctx context.Context, since time.Time, p *progress) error {
	members := map[string]*marketplace.Member{}
	changed := map[string]bool{}
	if err := m.Service.Members.WalkMembers(ctx, func(mem *marketplace.Member) error {
		members[mem.ID] = mem
		changed[mem.ID] = !mem.UpdatedAt.Before(since)
		return nil
	}); err != nil {
		return err
	}
	bar := p.step("indexing what changed meanwhile", "listings", -1)
	var docs []search.Document
	var gone []string
	flush := func() error {
		if err := m.Search.Upsert(ctx, docs); err != nil {
			return err
		}
		err := m.Search.Delete(ctx, gone)
		docs, gone = nil, nil
		return err
	}
	err := m.Service.Listings.WalkListings(ctx, nil, func(l *marketplace.Listing) error {
		if l.UpdatedAt.Before(since) && !changed[l.MemberID] {
			return nil
		}
		bar.add(1)
		if mem := members[l.MemberID]; l.VisibleTo(mem) {
			docs = append(docs, search.NewDocument(l, mem))
		} else {
			gone = append(gone, l.ID)
		}
		if len(docs)+len(gone) >= batchSize {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	if err != nil {
		return fmt.Errorf("the new index is in place, but indexing what changed meanwhile failed (run reindex again): %w", err)
	}
	bar.done()
	return nil
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

// step starts a step of total items (-1 when not known); unit names
// them ("listings"; "bytes" shows sizes).
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

// add records n more items done.
func (s *stepProgress) add(n int) {
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

// done ends the step.
func (s *stepProgress) done() {
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
