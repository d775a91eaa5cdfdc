package searchtest

import (
	"context"
	"errors"
	"testing"

	"cooptrade/marketplace"
	"cooptrade/search"
)

func testChanges(t *testing.T, e search.Engine) {
	ctx := context.Background()
	members, listings := Corpus()
	if err := e.Upsert(ctx, documentsOf(members, listings)); err != nil {
		t.Fatal(err)
	}
	byID := map[string]*marketplace.Listing{}
	for _, l := range listings {
		byID[l.ID] = l
	}
	// sync does what the index task does: upsert the visible, delete the
	// rest.
	sync := func(ls ...*marketplace.Listing) {
		t.Helper()
		for _, l := range ls {
			var m *marketplace.Member
			for _, mm := range members {
				if mm.ID == l.MemberID {
					m = mm
				}
			}
			var err error
			if l.VisibleTo(m) {
				err = e.Upsert(ctx, []search.Document{search.NewDocument(l, m)})
			} else {
				err = e.Delete(ctx, []string{l.ID})
			}
			if err != nil {
				t.Fatal(err)
			}
		}
	}

	t.Run("Delete", func(t *testing.T) {
		expect(t, e, search.Query{Words: "courier"}, []string{CourierOffer})
		if err := e.Delete(ctx, []string{CourierOffer, "5f00000000000000000000ff"}); err != nil {
			t.Fatal(err)
		}
		expect(t, e, search.Query{Words: "courier"}, nil)
		sync(byID[CourierOffer])
		expect(t, e, search.Query{Words: "courier"}, []string{CourierOffer})
	})
	t.Run("Status", func(t *testing.T) {
		l := byID[CateringOffer]
		l.Status = marketplace.StatusClosed
		sync(l)
		expect(t, e, search.Query{Words: "catering"}, nil)
		l.Status = marketplace.StatusPublished
		sync(l)
		expect(t, e, search.Query{Words: "catering"}, []string{CateringOffer})
	})
	t.Run("Standing", func(t *testing.T) {
		members[2].Standing = marketplace.StandingLapsed // Easton Kitchen Collective
		sync(byID[CateringOffer], byID[DesignOffer])
		expect(t, e, search.Query{Words: "catering"}, nil)
		expect(t, e, search.Query{Words: "posters"}, []string{RisoOffer, LeafletOffer})
		members[6].Standing = marketplace.StandingActive // Kirkstall Joinery pays again
		sync(byID[LapsedOffer])
		expect(t, e, search.Query{Words: "joinery"}, []string{LapsedOffer})
	})
	t.Run("Update", func(t *testing.T) {
		l := byID[CleaningOffer]
		l.Title = "Window cleaning for shops and offices"
		l.Version++
		sync(l)
		expect(t, e, search.Query{Words: "window"}, []string{CleaningOffer})
		expect(t, e, search.Query{Words: "eco products"}, nil)
		res := run(t, e, search.Query{Words: "window"})
		if got := res.Hits[0].Title; got != l.Title {
			t.Errorf("title: got %q, want %q", got, l.Title)
		}
	})
}

func testRebuild(t *testing.T, e search.Engine) {
	ctx := context.Background()
	docs := Documents()
	if err := e.Upsert(ctx, docs); err != nil {
		t.Fatal(err)
	}
	t.Run("Swap", func(t *testing.T) {
		// The rebuilt index holds only what the batches held.
		batches := func(yield func([]search.Document, error) bool) {
			if !yield(docs[:3], nil) {
				return
			}
			yield(docs[3:6], nil)
		}
		if err := e.Rebuild(ctx, batches); err != nil {
			t.Fatal(err)
		}
		want := []string{}
		for _, d := range docs[:6] {
			if d.Kind == marketplace.KindOffer {
				want = append(want, d.ID)
			}
		}
		expect(t, e, search.Query{}, want)
	})
	t.Run("Failed", func(t *testing.T) {
		fail := errors.New("the store went away")
		batches := func(yield func([]search.Document, error) bool) {
			if !yield(docs[6:], nil) {
				return
			}
			yield(nil, fail)
		}
		if err := e.Rebuild(ctx, batches); !errors.Is(err, fail) {
			t.Errorf("got %v, want %v", err, fail)
		}
		// The index before the failed rebuild is still there.
		expect(t, e, search.Query{Words: "cleaning"}, nil)
		expect(t, e, search.Query{Words: "riso"}, []string{RisoOffer})
	})
	t.Run("Empty", func(t *testing.T) {
		if err := e.Rebuild(ctx, func(func([]search.Document, error) bool) {}); err != nil {
			t.Fatal(err)
		}
		expect(t, e, search.Query{}, nil)
		if err := e.Upsert(ctx, docs); err != nil {
			t.Fatal(err)
		}
		expect(t, e, search.Query{Words: "riso"}, []string{RisoOffer})
	})
}
