package main_test

import (
	"context"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"cooptrade/marketplace"
	"cooptrade/marketplace/matching"
	"cooptrade/marketplace/mongo"
)

func TestSeed(t *testing.T) {
	ctx := context.Background()
	in := newInstance(t)

	t.Run("OK", func(t *testing.T) {
		stdout, stderr, err := in.run("seed", "--listings", "240", "--seed", "7")
		if err != nil {
			t.Fatalf("seed: %v\n%s", err, stderr)
		}
		if !strings.Contains(stdout, "20 members and 240 listings") || !strings.Contains(stdout, "admin add-staff") {
			t.Errorf("stdout = %q", stdout)
		}
		members := map[string]*marketplace.Member{}
		if err := mongo.NewMemberStore(in.db).WalkMembers(ctx, func(m *marketplace.Member) error {
			members[m.ID] = m
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		listings := in.storedListings(t)
		if len(members) != 20 || len(listings) != 240 {
			t.Fatalf("stored %d members and %d listings; want 20 and 240", len(members), len(listings))
		}
		var visible []string
		for _, l := range listings {
			if l.IndexedVersion != l.Version || l.MatchedVersion != l.Version {
				t.Errorf("listing %s: markers %d/%d at version %d; want indexed and matched", l.ID, l.IndexedVersion, l.MatchedVersion, l.Version)
			}
			if members[l.MemberID] == nil {
				t.Errorf("listing %s: member %s is not stored", l.ID, l.MemberID)
			}
			if l.VisibleTo(members[l.MemberID]) {
				visible = append(visible, l.ID)
			}
		}
		slices.Sort(visible)
		if len(visible) < 120 {
			t.Fatalf("only %d of 240 generated listings are visible", len(visible))
		}
		// Nothing is left for the workers: matched in bulk, announced to
		// nobody (generated co-ops read no mail).
		behind, err := mongo.NewListingStore(in.db).FindListingsBehind(ctx, time.Now().Add(time.Hour), 1000)
		if err != nil {
			t.Fatal(err)
		}
		if len(behind) != 0 {
			t.Errorf("%d listings await indexing or matching after a seed; want none", len(behind))
		}
		matches := mongo.NewMatchStore(in.db)
		var pairs []*marketplace.Match
		if err := matches.WalkMatches(ctx, time.Time{}, time.Now().AddDate(1, 0, 0), func(m *marketplace.Match) error {
			pairs = append(pairs, m)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if len(pairs) == 0 {
			t.Fatal("the seed made no matches")
		}
		if unannounced, err := matches.FindMatchesToNotify(ctx, time.Now().Add(time.Hour), 10); err != nil || len(unannounced) != 0 {
			t.Errorf("%d seeded matches wait to be announced (%v); want none", len(unannounced), err)
		}
		// Each match is the one the listing's own job would have made.
		byID := map[string]*marketplace.Listing{}
		for _, l := range listings {
			byID[l.ID] = l
		}
		for _, m := range pairs[:min(len(pairs), 20)] {
			o, n := byID[m.OfferID], byID[m.NeedID]
			if o == nil || n == nil || o.Status != marketplace.StatusPublished || n.Status != marketplace.StatusPublished ||
				!members[o.MemberID].Standing.Listed() || !members[n.MemberID].Standing.Listed() || m.Score < matching.MatchWeights.Threshold {
				t.Errorf("match %s (%.1f) pairs listings that should not be: %+v %+v", m.ID, m.Score, o, n)
			}
		}

		e := in.searchIndex(t)
		if n, err := e.Count(); err != nil || n != len(visible) {
			t.Errorf("index holds %d documents (%v); want the %d visible listings", n, err, len(visible))
		}
		hits := searchIDs(t, e, url.Values{"q": {"co-op"}})
		if len(hits) == 0 {
			t.Error("searching co-op found nothing")
		}
		for _, id := range hits {
			if _, ok := slices.BinarySearch(visible, id); !ok {
				t.Errorf("hit %s is not a visible listing", id)
			}
		}
		e.Close()
	})

	t.Run("ErrNotEmpty", func(t *testing.T) {
		_, _, err := in.run("seed", "--listings", "24")
		if err == nil || !strings.Contains(err.Error(), "--force") {
			t.Fatalf("seed on a seeded instance: %v; want a refusal naming --force", err)
		}
		if n := len(in.storedListings(t)); n != 240 {
			t.Fatalf("%d listings after the refusal; want 240", n)
		}
	})

	t.Run("Force", func(t *testing.T) {
		// The same seed makes the same names; their slugs must not clash.
		if _, stderr, err := in.run("seed", "--listings", "240", "--seed", "7", "--force"); err != nil {
			t.Fatalf("seed --force: %v\n%s", err, stderr)
		}
		slugs := map[string]bool{}
		if err := mongo.NewMemberStore(in.db).WalkMembers(ctx, func(m *marketplace.Member) error {
			if slugs[m.Slug] {
				t.Errorf("slug %s twice", m.Slug)
			}
			slugs[m.Slug] = true
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if len(slugs) != 40 || len(in.storedListings(t)) != 480 {
			t.Fatalf("%d members and %d listings; want 40 and 480", len(slugs), len(in.storedListings(t)))
		}
	})
}

// TestSeed_Served seeds an instance and serves it: the marketplace is
// searchable through the API straight away.
func TestSeed_Served(t *testing.T) {
	in := newInstance(t)
	if _, stderr, err := in.run("seed", "--listings", "120"); err != nil {
		t.Fatalf("seed: %v\n%s", err, stderr)
	}
	m := MustRunMain(t, in.env)
	c := &client{tb: t, base: "http://" + m.Addr()}
	var res struct {
		Hits []struct {
			ID    string
			Title string
		}
		Total int
	}
	c.must(200, "GET", "/v1/search?limit=50", "", nil, &res)
	if res.Total == 0 {
		t.Fatal("the seeded marketplace has no offers to find")
	}
	for _, h := range res.Hits {
		var l marketplace.Listing
		c.must(200, "GET", "/v1/listings/"+h.ID, "", nil, &l)
		if l.Title != h.Title || l.Status != marketplace.StatusPublished {
			t.Errorf("hit %s %q is listing %q (%s)", h.ID, h.Title, l.Title, l.Status)
		}
	}
}
