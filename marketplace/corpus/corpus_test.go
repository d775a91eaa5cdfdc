package corpus_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"cooptrade/marketplace"
	"cooptrade/marketplace/corpus"
)

func TestGenerate(t *testing.T) {
	members, listings := corpus.Generate(corpus.Config{Seed: 1, Listings: 3000})
	if got, want := len(listings), 3000; got != want {
		t.Fatalf("listings: got %d, want %d", got, want)
	}
	if got, want := len(members), 250; got != want {
		t.Fatalf("members: got %d, want %d", got, want)
	}

	t.Run("Valid", func(t *testing.T) {
		byID := map[string]*marketplace.Member{}
		slugs := map[string]bool{}
		for _, m := range members {
			before := *m
			m.Normalize()
			if diff := cmp.Diff(before, *m); diff != "" {
				t.Errorf("member %s changed on Normalize (-want +got):\n%s", m.ID, diff)
			}
			if err := m.Validate(); err != nil {
				t.Errorf("member %s %q: %v", m.ID, m.Name, err)
			}
			if slugs[m.Slug] {
				t.Errorf("member %s: slug %q is taken", m.ID, m.Slug)
			}
			slugs[m.Slug] = true
			byID[m.ID] = m
		}
		ids := map[string]bool{}
		for _, l := range listings {
			l.Normalize()
			if err := l.Validate(corpus.DefaultNow); err != nil {
				t.Errorf("listing %s %q: %v", l.ID, l.Title, err)
			}
			if byID[l.MemberID] == nil {
				t.Errorf("listing %s: no member %s", l.ID, l.MemberID)
			}
			if len(l.ID) != 24 || ids[l.ID] {
				t.Errorf("listing ID %q is not a unique 24-hex ID", l.ID)
			}
			ids[l.ID] = true
		}
	})

	t.Run("Mix", func(t *testing.T) {
		count := map[string]int{}
		for _, l := range listings {
			count[string(l.Kind)]++
			count[string(l.Status)]++
			if l.Remote {
				count["remote"]++
			}
			if l.Area == "M" {
				count["M"]++
			}
		}
		// Proportions the benchmarks and the seed rely on, with slack.
		within := func(name string, lo, hi int) {
			if n := count[name]; n < lo || n > hi {
				t.Errorf("%s: %d listings, want %d to %d", name, n, lo, hi)
			}
		}
		within("offer", 1700, 2300)
		within("need", 700, 1300)
		within("published", 2400, 2800)
		within("remote", 150, 900)
		within("M", 150, 700)
	})

	t.Run("Deterministic", func(t *testing.T) {
		m2, l2 := corpus.Generate(corpus.Config{Seed: 1, Listings: 3000})
		if diff := cmp.Diff(members[:20], m2[:20]); diff != "" {
			t.Errorf("members differ (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff(listings[len(listings)-20:], l2[len(l2)-20:]); diff != "" {
			t.Errorf("listings differ (-want +got):\n%s", diff)
		}
		_, l3 := corpus.Generate(corpus.Config{Seed: 2, Listings: 3000})
		if l3[0].Title == listings[0].Title && l3[1].Title == listings[1].Title && l3[2].Title == listings[2].Title {
			t.Error("seed 2 made the same listings as seed 1")
		}
	})
}
