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
	"cooptrade/mongodb"
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
	if err := m.OpenBulk(ctx); err != nil {
		return err
	}
	ld := m.Loader(newProgress(stderr))
	stored, err := ld.StoredMembers(ctx)
	if err != nil {
		return err
	}
	if len(stored) > 0 && !*force {
		return fmt.Errorf("seed: the instance already has %s members; seed fills an empty one (--force adds a generated federation anyway)", count(len(stored)))
	}

	now := time.Now().UTC()
	newMembers, newListings := corpus.Generate(corpus.Config{Seed: *seed, Listings: *listings, Members: *members, Now: now})
	renumber(newMembers, newListings, stored)
	// Generated co-ops are told of no match: nobody reads their mail.
	res, err := ld.Load(ctx, stored, newMembers, newListings, false)
	if err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	fmt.Fprintf(m.Stdout, `seeded in %s: %s members and %s listings, of which %s are searchable, and %s matches

Next, add a staff user (the password is read from standard input):
  marketplace admin add-staff --name "Your Name" you@example.org
then serve the marketplace:
  make run
`, since(start), count(len(newMembers)), count(len(newListings)), count(res.Indexed), count(res.Matches))
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
