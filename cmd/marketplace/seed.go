package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"cooptrade/marketplace"
	"cooptrade/marketplace/corpus"
	"cooptrade/marketplace/mongo"
	"cooptrade/marketplace/mongo/mongodb"
)

// Seed runs `marketplace seed`: it fills an empty instance with a
// generated federation (members across the UK's postcode areas and
// sectors, and their offers and needs), indexes it, and says how to add a
// staff user. It refuses when members exist, unless --force.
func (m *Main) Seed(ctx context.Context, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("seed", flag.ContinueOnError)
	fs.SetOutput(stderr)
	listings := fs.Int("listings", 3000, "how many listings to generate")
	members := fs.Int("members", 0, "how many members to generate (default: one per 12 listings)")
	seed := fs.Int64("seed", 1, "the generator's seed: the same seed and sizes give the same federation")
	force := fs.Bool("force", false, "seed even when the instance already has members")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: marketplace seed [--listings N] [--members N] [--seed S] [--force]\n\nFills an empty instance with a generated federation and indexes it. With the embedded engines, stop `marketplace serve` first.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 || *listings < 1 || *members < 0 {
		fs.Usage()
		return errors.New("seed: bad arguments")
	}
	start := time.Now()
	if err := m.openForBulk(ctx, stderr); err != nil {
		return err
	}
	p := newProgress(stderr)
	stored, err := m.walkMembers(ctx, p)
	if err != nil {
		return err
	}
	if len(stored) > 0 && !*force {
		return fmt.Errorf("seed: the instance already has %s members; seed fills an empty one (--force adds a generated federation anyway)", count(len(stored)))
	}

	now := time.Now().UTC()
	newMembers, newListings := corpus.Generate(corpus.Config{Seed: *seed, Listings: *listings, Members: *members, Now: now})
	renumber(newMembers, newListings, stored)
	res, err := m.load(ctx, stored, newMembers, newListings, p)
	if err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	fmt.Fprintf(m.Stdout, `seeded in %s: %s members and %s listings, of which %s are searchable
(the matcher pairs offers with needs once the marketplace is served)

Next, add a staff user (the password is read from standard input):
  marketplace admin add-staff --name "Your Name" you@example.org
then serve the marketplace:
  make run
`, since(start), count(len(newMembers)), count(len(newListings)), count(res.Indexed))
	return nil
}

// renumber gives generated members and listings fresh IDs in the order they
// were created, so that lists ordered by ID (newest first) follow their
// dates, and gives members whose slug a stored member has another one.
func renumber(members []*marketplace.Member, listings []*marketplace.Listing, stored map[string]*marketplace.Member) {
	taken := map[string]bool{}
	for _, m := range stored {
		taken[m.Slug] = true
	}
	slices.SortStableFunc(members, func(a, b *marketplace.Member) int { return a.CreatedAt.Compare(b.CreatedAt) })
	ids := make(map[string]string, len(members))
	for _, m := range members {
		id := mongodb.NewID()
		ids[m.ID], m.ID = id, id
		base := m.Slug
		for n := 2; taken[m.Slug]; n++ {
			m.Slug = strings.TrimRight(base[:min(len(base), 56)], "-") + fmt.Sprintf("-%d", n)
		}
		taken[m.Slug] = true
	}
	slices.SortStableFunc(listings, func(a, b *marketplace.Listing) int { return a.CreatedAt.Compare(b.CreatedAt) })
	for _, l := range listings {
		l.ID, l.MemberID = mongodb.NewID(), ids[l.MemberID]
	}
}

// loadResult is what load stored and indexed.
type loadResult struct {
	rebuildResult
	// Stored is how many new listings were stored: all but the Taken.
	Stored int
}

// load stores new members, rebuilds the search index from the stored
// listings and the new ones, and then stores the new listings marked as
// indexed. Indexing before storing keeps FerretDB's slow per-document
// updates out of the bulk path; if storing fails, the index is rebuilt
// from what was stored. New listings whose ID a stored listing has are
// neither indexed nor stored (see rebuildResult.Taken).
func (m *Main) load(ctx context.Context, stored map[string]*marketplace.Member, newMembers []*marketplace.Member, newListings []*marketplace.Listing, p *progress) (loadResult, error) {
	var res loadResult
	members := make(map[string]*marketplace.Member, len(stored)+len(newMembers))
	for id, mem := range stored {
		members[id] = mem
	}
	if len(newMembers) > 0 {
		bar := p.step("storing members", "members", len(newMembers))
		store := mongo.NewMemberStore(m.DB)
		for start := 0; start < len(newMembers); start += batchSize {
			chunk := newMembers[start:min(start+batchSize, len(newMembers))]
			if err := store.InsertMembers(ctx, chunk); err != nil {
				return res, fmt.Errorf("store members: %w", err)
			}
			bar.add(len(chunk))
		}
		bar.done()
		for _, mem := range newMembers {
			members[mem.ID] = mem
		}
	}

	var err error
	if res.rebuildResult, err = m.rebuild(ctx, members, newListings, p); err != nil {
		return res, err
	}
	if len(newListings) == 0 {
		return res, nil
	}
	toStore := make([]*marketplace.Listing, 0, len(newListings))
	for i, l := range newListings {
		if !res.Taken[i] {
			l.IndexedVersion = l.Version // in the index just built
			toStore = append(toStore, l)
		}
	}
	bar := p.step("storing listings", "listings", len(toStore))
	store := mongo.NewListingStore(m.DB)
	for start := 0; start < len(toStore); start += batchSize {
		chunk := toStore[start:min(start+batchSize, len(toStore))]
		if err := store.InsertListings(ctx, chunk); err != nil {
			err = fmt.Errorf("store listings: %w", err)
			// The index holds listings that were not stored: build it
			// again from what was.
			if _, rerr := m.rebuild(ctx, members, nil, p); rerr != nil {
				return res, fmt.Errorf("%w; the search index lists listings that were not stored, and rebuilding it failed too (%w): run `marketplace reindex`", err, rerr)
			}
			return res, fmt.Errorf("%w (the search index was rebuilt from the listings that were stored)", err)
		}
		bar.add(len(chunk))
		res.Stored += len(chunk)
	}
	bar.done()
	return res, nil
}
