package marketplace_test

import (
	"testing"

	"cooptrade/marketplace"
)

func TestTaxonomy(t *testing.T) {
	seen := map[string]bool{}
	for _, s := range marketplace.Taxonomy.Sectors {
		if seen[s.Slug] {
			t.Errorf("slug %q used twice", s.Slug)
		}
		seen[s.Slug] = true
		for _, c := range s.Categories {
			if seen[c.Slug] {
				t.Errorf("slug %q used twice", c.Slug)
			}
			seen[c.Slug] = true
			if c.Sector != s.Slug {
				t.Errorf("category %s says sector %s; want %s", c.Slug, c.Sector, s.Slug)
			}
		}
		for _, r := range s.Related {
			if _, ok := marketplace.Taxonomy.Sector(r); !ok {
				t.Errorf("sector %s is related to unknown sector %s", s.Slug, r)
			}
		}
	}
	t.Run("RelatedIsSymmetric", func(t *testing.T) {
		for a := range seen {
			for _, b := range marketplace.Taxonomy.RelatedCategories(a) {
				if !marketplace.Taxonomy.Related(b, a) {
					t.Errorf("%s → %s is related but %s → %s is not", a, b, b, a)
				}
			}
		}
	})
	t.Run("CategoriesOfSector", func(t *testing.T) {
		got := marketplace.Taxonomy.CategoriesOf("cleaning")
		if len(got) != 3 || got[0] != "office-cleaning" {
			t.Fatalf("CategoriesOf(cleaning) = %v", got)
		}
		if marketplace.Taxonomy.CategoriesOf("nonsense") != nil {
			t.Fatal("an unknown slug expands to categories")
		}
	})
}
