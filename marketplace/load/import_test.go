package load_test

import (
	"context"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"cooptrade/marketplace"
	"cooptrade/marketplace/load"
	"cooptrade/marketplace/mongo"
	"cooptrade/marketplace/mongo/mongotest"
	"cooptrade/mongodb"
	"cooptrade/search"
	"cooptrade/search/bleve"
)

// steps records the steps a load goes through.
type steps struct{ names []string }

func (s *steps) Step(desc, unit string, total int) load.Step {
	s.names = append(s.names, desc)
	return noStep{}
}

type noStep struct{}

func (noStep) Add(int) {}
func (noStep) Done()   {}

// newLoader returns a loader on a fresh database, holding the member and
// the listing the fixtures refer to, and a fresh embedded index.
func newLoader(t *testing.T) (*load.Loader, *mongo.Stores, *steps) {
	t.Helper()
	ctx := context.Background()
	_, stores := mongotest.NewStores(t)
	now := time.Now().UTC()
	m := &marketplace.Member{Kind: marketplace.MemberEnterprise, Name: "Ouseburn Joinery", Email: "hello@ouseburn.coop.example",
		Postcode: "NE6 1AS", Standing: marketplace.StandingActive, Version: 1, CreatedAt: now, UpdatedAt: now}
	m.Normalize()
	if err := stores.Members.InsertMembers(ctx, []*marketplace.Member{m}); err != nil {
		t.Fatal(err)
	}
	l := &marketplace.Listing{ID: "65a1b2c3d4e5f60718293a4b", MemberID: m.ID, Kind: marketplace.KindOffer, Title: "Sash windows restored",
		Category: "carpentry-joinery", Postcode: "NE6 1AS", RadiusKM: 40, Status: marketplace.StatusDraft,
		Version: 1, CreatedAt: now, UpdatedAt: now}
	l.Normalize()
	if err := stores.Listings.InsertListings(ctx, []*marketplace.Listing{l}); err != nil {
		t.Fatal(err)
	}
	e, err := bleve.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	p := &steps{}
	return &load.Loader{Members: stores.Members, Listings: stores.Listings, Matches: stores.Matches,
		Index: search.Index{Engine: e}, Progress: p, NewID: mongodb.NewID}, stores, p
}

func TestLoader_Import(t *testing.T) {
	ctx := context.Background()
	for _, dryRun := range []bool{false, true} {
		name := "OK"
		if dryRun {
			name = "DryRun"
		}
		t.Run(name, func(t *testing.T) {
			ld, stores, p := newLoader(t)
			f, err := os.Open("testdata/import.csv")
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			var reported []int
			res, err := ld.Import(ctx, f, load.ImportOptions{Format: load.CSV, Name: "import.csv", Size: -1, DryRun: dryRun,
				Report: func(bad []load.RowError) {
					for _, e := range bad {
						reported = append(reported, e.Line)
					}
				}})
			if err != nil {
				t.Fatal(err)
			}
			// The stored listing's ID (line 16) is found after the rest.
			want := []int{4, 5, 6, 11, 12, 13, 14, 17, 18, 19, 20, 16}
			if diff := cmp.Diff(want, reported); diff != "" {
				t.Errorf("reported lines (-want +got):\n%s", diff)
			}
			var lines []int
			for _, e := range res.Bad {
				lines = append(lines, e.Line)
			}
			slices.Sort(want)
			if diff := cmp.Diff(want, lines); diff != "" {
				t.Errorf("bad lines (-want +got):\n%s", diff)
			}
			if res.Rows != 18 || res.Members != 2 || res.Listings != 4 {
				t.Errorf("result: %+v", res)
			}

			stored := 0
			if err := stores.Listings.WalkListings(ctx, nil, func(l *marketplace.Listing) error {
				stored++
				if !dryRun && l.IndexedVersion != l.Version {
					t.Errorf("listing %q: indexed version %d; want %d", l.Title, l.IndexedVersion, l.Version)
				}
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			wantStored, wantSteps := 5, []string{"reading import.csv", "reading members", "indexing listings", "matching listings", "storing listings"}
			if dryRun {
				wantStored, wantSteps = 1, []string{"reading import.csv", "reading members"}
			}
			if stored != wantStored {
				t.Errorf("%d listings stored; want %d", stored, wantStored)
			}
			for _, s := range wantSteps {
				if !slices.Contains(p.names, s) {
					t.Errorf("steps %q; want %q among them", p.names, s)
				}
			}
			if !dryRun && res.NewIndexed != 3 {
				t.Errorf("%d new listings searchable; want 3", res.NewIndexed)
			}
		})
	}

	t.Run("ErrFile", func(t *testing.T) {
		ld, _, _ := newLoader(t)
		f, err := os.Open("testdata/import.jsonl")
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if _, err := ld.Import(ctx, f, load.ImportOptions{Format: load.CSV, Size: -1}); err == nil {
			t.Fatal("JSON Lines read as CSV: no error")
		}
	})
}

func TestLoader_Rebuild(t *testing.T) {
	ld, stores, p := newLoader(t)
	ctx := context.Background()
	res, err := ld.Rebuild(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// The stored draft is read and its markers brought up to date, but
	// it is not searchable.
	if res.Listings != 1 || res.Indexed != 0 || res.Marked != 1 {
		t.Errorf("result: %+v", res)
	}
	l, err := stores.Listings.FindListingByID(ctx, "65a1b2c3d4e5f60718293a4b")
	if err != nil {
		t.Fatal(err)
	}
	if l.IndexedVersion != l.Version {
		t.Errorf("indexed version %d; want %d", l.IndexedVersion, l.Version)
	}
	want := []string{"reading members", "indexing listings", "marking listings indexed", "matching listings", "marking listings matched"}
	if diff := cmp.Diff(want, p.names); diff != "" {
		t.Errorf("steps (-want +got):\n%s", diff)
	}
}
