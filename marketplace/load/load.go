package load

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"time"

	"cooptrade/marketplace"
	"cooptrade/marketplace/matching"
)

// Members are the member store's bulk operations.
type Members interface {
	WalkMembers(ctx context.Context, fn func(*marketplace.Member) error) error
	InsertMembers(ctx context.Context, members []*marketplace.Member) error
}

// Listings are the listing store's bulk operations.
type Listings interface {
	WalkListings(ctx context.Context, statuses []marketplace.ListingStatus, fn func(*marketplace.Listing) error) error
	InsertListings(ctx context.Context, listings []*marketplace.Listing) error
	MarkListingsIndexed(ctx context.Context, refs []marketplace.ListingRef) error
	MarkListingsMatched(ctx context.Context, refs []marketplace.ListingRef) error
}

// Matches is the match store's bulk insert.
type Matches interface {
	InsertMatches(ctx context.Context, ms []*marketplace.Match) error
}

// Index is the search index, rebuilt whole.
type Index interface {
	marketplace.SearchIndex
	RebuildIndex(ctx context.Context, batches iter.Seq2[[]marketplace.IndexEntry, error]) error
}

// Progress hears how far each step of a load has got.
type Progress interface {
	// Step starts a step of total items (-1 when not known), named by
	// desc and counted in unit ("listings").
	Step(desc, unit string, total int) Step
}

// Step is one step's progress.
type Step interface {
	Add(n int)
	Done()
}

// Loader loads in bulk. Its zero-value fields are defaults: no progress,
// the real clock, no workers' pool.
type Loader struct {
	Members  Members
	Listings Listings
	Matches  Matches
	Index    Index
	// Shared says that other processes write to the index meanwhile (a
	// Meilisearch shared with running workers): what they wrote to the
	// index a rebuild replaces is written again afterwards.
	Shared bool
	// Pool, when set, is the candidate pool of running workers, told of
	// every listing matched here as a matching job would tell it, so that
	// the workers' own matching finds them (the pool of a shared queue).
	Pool     marketplace.CandidatePool
	Progress Progress
	Now      func() time.Time
	// NewID gives a new member or listing its ID before it is stored, in
	// the form the stores give (needed by Import only).
	NewID func() string
}

// Result is what a load or rebuild did.
type Result struct {
	// Listings is how many listings were read (stored and new).
	Listings int
	// Indexed is how many of them are in the new index: the visible ones.
	Indexed int
	// NewIndexed is how many of the new listings are in it.
	NewIndexed int
	// Marked is how many stored listings had a marker (index or matches)
	// behind their version and were brought up to date.
	Marked int
	// Stored is how many new listings were stored: all but the Taken.
	Stored int
	// Taken holds the positions in the new listings of those whose ID a
	// stored listing has; they are neither indexed nor stored.
	Taken map[int]bool
	// Matches is how many matches the load found and stored.
	Matches int
}

// batchSize is how many documents go to the stores and the index at once.
const batchSize = 1000

func (ld *Loader) now() time.Time {
	if ld.Now != nil {
		return ld.Now().UTC()
	}
	return time.Now().UTC()
}

func (ld *Loader) step(desc, unit string, total int) Step {
	if ld.Progress == nil {
		return noStep{}
	}
	return ld.Progress.Step(desc, unit, total)
}

type noStep struct{}

func (noStep) Add(int) {}
func (noStep) Done()   {}

// StoredMembers reads every stored member in one pass, keyed by ID.
func (ld *Loader) StoredMembers(ctx context.Context) (map[string]*marketplace.Member, error) {
	s := ld.step("reading members", "members", -1)
	members := map[string]*marketplace.Member{}
	err := ld.Members.WalkMembers(ctx, func(m *marketplace.Member) error {
		members[m.ID] = m
		s.Add(1)
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.Done()
	return members, nil
}

// Rebuild builds the search index afresh from every stored listing and
// swaps it in; then brings up to date, in bulk, the listings whose index
// marker is behind, and matches in memory those whose matches are.
func (ld *Loader) Rebuild(ctx context.Context) (Result, error) {
	members, err := ld.StoredMembers(ctx)
	if err != nil {
		return Result{}, err
	}
	return ld.load(ctx, members, nil, false)
}

// Load stores new members and listings beside the stored ones: the
// members first; then the search index is rebuilt from the stored listings
// and the new ones, the new listings are stored marked as indexed, and
// every listing whose matches are to be made (the new ones, and stored ones
// behind) is matched in memory. Announce says whether the new matches are
// announced to both sides (an import of real co-ops) or not (generated
// demo data). stored are the members stored before, by ID (StoredMembers).
func (ld *Loader) Load(ctx context.Context, stored map[string]*marketplace.Member, newMembers []*marketplace.Member, newListings []*marketplace.Listing, announce bool) (Result, error) {
	members := make(map[string]*marketplace.Member, len(stored)+len(newMembers))
	for id, m := range stored {
		members[id] = m
	}
	if len(newMembers) > 0 {
		s := ld.step("storing members", "members", len(newMembers))
		for start := 0; start < len(newMembers); start += batchSize {
			chunk := newMembers[start:min(start+batchSize, len(newMembers))]
			if err := ld.Members.InsertMembers(ctx, chunk); err != nil {
				return Result{}, fmt.Errorf("store members: %w", err)
			}
			s.Add(len(chunk))
		}
		s.Done()
		for _, m := range newMembers {
			members[m.ID] = m
		}
	}
	return ld.load(ctx, members, newListings, announce)
}

// load rebuilds the index from the stored listings and the new ones, and
// stores the new ones once indexed; then matches.
func (ld *Loader) load(ctx context.Context, members map[string]*marketplace.Member, newListings []*marketplace.Listing, announce bool) (Result, error) {
	res, open, behind, err := ld.rebuild(ctx, members, newListings)
	if err != nil {
		return res, err
	}
	var toStore []*marketplace.Listing
	for i, l := range newListings {
		if !res.Taken[i] {
			toStore = append(toStore, l)
		}
	}
	// Matching comes before storing the new listings, so that they are
	// stored matched, in one write each: the new listings and the stored
	// ones behind are matched among the open ones.
	var toMatch, storedBehind []marketplace.ListingRef
	for _, l := range toStore {
		toMatch = append(toMatch, marketplace.ListingRef{ID: l.ID, Version: l.Version, NeedsMatches: true})
		if l.Status == marketplace.StatusPublished {
			open = append(open, l)
		}
	}
	for _, r := range behind {
		if r.NeedsMatches {
			toMatch = append(toMatch, r)
			storedBehind = append(storedBehind, r)
		}
	}
	if res.Matches, err = ld.match(ctx, members, open, toMatch, storedBehind, announce); err != nil {
		return res, err
	}
	if len(toStore) > 0 {
		s := ld.step("storing listings", "listings", len(toStore))
		for start := 0; start < len(toStore); start += batchSize {
			chunk := toStore[start:min(start+batchSize, len(toStore))]
			for _, l := range chunk {
				// In the index just built, and matched above.
				l.IndexedVersion, l.MatchedVersion = l.Version, l.Version
			}
			if err := ld.Listings.InsertListings(ctx, chunk); err != nil {
				err = fmt.Errorf("store listings: %w", err)
				// The index holds listings that were not stored: build
				// it again from what was.
				if _, _, _, rerr := ld.rebuild(ctx, members, nil); rerr != nil {
					return res, fmt.Errorf("%w; the search index lists listings that were not stored, and rebuilding it failed too (%w): run `marketplace reindex`", err, rerr)
				}
				return res, fmt.Errorf("%w (the search index was rebuilt from the listings that were stored)", err)
			}
			s.Add(len(chunk))
			res.Stored += len(chunk)
		}
		s.Done()
	}
	return res, nil
}

// rebuild builds a fresh search index from every stored listing and the
// new listings (not stored yet; the caller stores them once they are
// indexed) and swaps it in, in one pass over the listings; then marks, in
// bulk, the stored listings whose index marker was behind, at the version
// read (one written meanwhile keeps its older marker, so that its own job
// marks it). It returns the stored published listings and the stored
// listings whose index or matches were behind.
func (ld *Loader) rebuild(ctx context.Context, members map[string]*marketplace.Member, extra []*marketplace.Listing) (Result, []*marketplace.Listing, []marketplace.ListingRef, error) {
	res := Result{Taken: map[int]bool{}}
	extraAt := make(map[string]int, len(extra))
	for i, l := range extra {
		extraAt[l.ID] = i
	}
	var open []*marketplace.Listing
	var behind []marketplace.ListingRef
	s := ld.step("indexing listings", "listings", -1)
	errStop := errors.New("stop")
	batches := func(yield func([]marketplace.IndexEntry, error) bool) {
		batch := make([]marketplace.IndexEntry, 0, batchSize)
		// add queues a listing's entry; false once the index wants no
		// more.
		add := func(l *marketplace.Listing, isNew bool) bool {
			res.Listings++
			s.Add(1)
			m := members[l.MemberID]
			if !l.VisibleTo(m) {
				return true
			}
			batch = append(batch, marketplace.IndexEntry{Listing: l, Member: m})
			res.Indexed++
			if isNew {
				res.NewIndexed++
			}
			if len(batch) < batchSize {
				return true
			}
			full := batch
			batch = make([]marketplace.IndexEntry, 0, batchSize) // the index keeps the slice it was given
			return yield(full, nil)
		}
		open, behind = nil, nil
		err := ld.Listings.WalkListings(ctx, nil, func(l *marketplace.Listing) error {
			if i, ok := extraAt[l.ID]; ok {
				res.Taken[i] = true
			}
			if l.IndexedVersion < l.Version || l.MatchedVersion < l.Version {
				behind = append(behind, marketplace.ListingRef{ID: l.ID, Version: l.Version,
					NeedsIndex: l.IndexedVersion < l.Version, NeedsMatches: l.MatchedVersion < l.Version})
			}
			if l.Status == marketplace.StatusPublished {
				open = append(open, l)
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
	started := ld.now()
	if err := ld.Index.RebuildIndex(ctx, batches); err != nil {
		return res, nil, nil, fmt.Errorf("rebuild the search index: %w", err)
	}
	s.Done()
	if ld.Shared {
		// Another process (serve's workers) may have written to the old
		// index meanwhile; those writes are not in the new one.
		if err := ld.catchUp(ctx, started.Add(-time.Minute)); err != nil {
			return res, nil, nil, err
		}
	}
	var toMark []marketplace.ListingRef
	for _, r := range behind {
		if r.NeedsIndex {
			toMark = append(toMark, r)
		}
	}
	if len(toMark) > 0 {
		s := ld.step("marking listings indexed", "listings", len(toMark))
		if err := ld.Listings.MarkListingsIndexed(ctx, toMark); err != nil {
			return res, nil, nil, fmt.Errorf("the new index is in place, but marking listings indexed failed (the reconciler will index them again): %w", err)
		}
		s.Add(len(toMark))
		res.Marked += len(toMark)
		s.Done()
	}
	return res, open, behind, nil
}

// catchUp brings the index in line with the listings and members changed
// since the given time, in one more pass over both: with a shared index, a
// rebuild in this process does not see what other processes wrote to the
// index it replaced.
func (ld *Loader) catchUp(ctx context.Context, since time.Time) error {
	members := map[string]*marketplace.Member{}
	changed := map[string]bool{}
	if err := ld.Members.WalkMembers(ctx, func(m *marketplace.Member) error {
		members[m.ID] = m
		changed[m.ID] = !m.UpdatedAt.Before(since)
		return nil
	}); err != nil {
		return err
	}
	s := ld.step("indexing what changed meanwhile", "listings", -1)
	var entries []marketplace.IndexEntry
	var gone []string
	flush := func() error {
		if len(entries) > 0 {
			if err := ld.Index.IndexListings(ctx, entries); err != nil {
				return err
			}
		}
		var err error
		if len(gone) > 0 {
			err = ld.Index.RemoveListings(ctx, gone)
		}
		entries, gone = nil, nil
		return err
	}
	err := ld.Listings.WalkListings(ctx, nil, func(l *marketplace.Listing) error {
		if l.UpdatedAt.Before(since) && !changed[l.MemberID] {
			return nil
		}
		s.Add(1)
		if m := members[l.MemberID]; l.VisibleTo(m) {
			entries = append(entries, marketplace.IndexEntry{Listing: l, Member: m})
		} else {
			gone = append(gone, l.ID)
		}
		if len(entries)+len(gone) >= batchSize {
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
	s.Done()
	return nil
}

// match finds in memory the matches of the listings toMatch among the open
// listings, as each listing's own matching job would (the same rules,
// scores and limit), stores them, and marks the stored listings toMark
// matched (the caller stores new ones marked). Matches not to be announced
// are stored as announced already.
func (ld *Loader) match(ctx context.Context, members map[string]*marketplace.Member, open []*marketplace.Listing, toMatch, toMark []marketplace.ListingRef, announce bool) (int, error) {
	if len(toMatch) == 0 {
		return 0, nil
	}
	s := ld.step("matching listings", "listings", len(toMatch))
	now := ld.now()
	pool := matching.NewCandidateIndex()
	byID := make(map[string]matching.Candidate, len(open))
	for _, l := range open {
		m := members[l.MemberID]
		c := matching.NewCandidate(l, m != nil && m.Standing.Listed())
		pool.Put(c)
		byID[l.ID] = c
	}
	seen := map[string]bool{}
	var found []*marketplace.Match
	for _, r := range toMatch {
		s.Add(1)
		c, ok := byID[r.ID]
		if !ok {
			continue // not open: nothing to match
		}
		if ld.Pool != nil {
			if err := ld.Pool.Put(ctx, c.Listing, c.Listed); err != nil {
				return 0, err
			}
		}
		for _, m := range pool.BestMatches(c, now, marketplace.MaxMatchesPerListing) {
			if seen[m.ID] {
				continue
			}
			seen[m.ID] = true
			m.CreatedAt, m.UpdatedAt, m.Version = now, now, 1
			if !announce {
				m.NotifiedAt = &now
			}
			found = append(found, m)
		}
	}
	s.Done()
	if len(found) > 0 {
		// All at once: the store writes each lookup key once.
		s := ld.step("storing matches", "matches", len(found))
		if err := ld.Matches.InsertMatches(ctx, found); err != nil {
			return 0, fmt.Errorf("store matches (the reconciler will match the listings again): %w", err)
		}
		s.Add(len(found))
		s.Done()
	}
	if len(toMark) > 0 {
		ms := ld.step("marking listings matched", "listings", len(toMark))
		if err := ld.Listings.MarkListingsMatched(ctx, toMark); err != nil {
			return len(found), fmt.Errorf("marking listings matched failed (the reconciler will match them again): %w", err)
		}
		ms.Add(len(toMark))
		ms.Done()
	}
	return len(found), nil
}
