package main_test

import (
	"bytes"
	"context"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	main "cooptrade/cmd/marketplace"
	"cooptrade/marketplace"
	"cooptrade/marketplace/mongo"
	"cooptrade/mongodb"
	"cooptrade/mongodb/mongodbtest"
	"cooptrade/search"
	"cooptrade/search/bleve"
)

// instance is a marketplace's storage for a command to run on: a fresh
// database on the test server, and the embedded search engine under its
// own DATA_DIR.
type instance struct {
	env map[string]string
	db  *mongodb.DB
}

func newInstance(tb testing.TB) *instance {
	tb.Helper()
	uri, name := mongodbtest.URI(tb), mongodbtest.DatabaseName()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	db, err := mongodb.Open(ctx, uri, name)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = db.Database.Drop(ctx)
		_ = db.Close(ctx)
	})
	return &instance{db: db, env: map[string]string{
		"DATA_DIR": tb.TempDir(), "MONGODB_URI": uri, "MONGODB_DATABASE": name, "LOG_LEVEL": "error",
	}}
}

// run runs the program's command line on the instance.
func (in *instance) run(args ...string) (stdout, stderr string, err error) {
	var out, errOut bytes.Buffer
	err = main.Run(context.Background(), args, func(k string) string { return in.env[k] }, strings.NewReader(""), &out, &errOut)
	return out.String(), errOut.String(), err
}

// searchIndex opens the instance's search index (the command must have
// ended) and returns it, closed at the end of the test.
func (in *instance) searchIndex(tb testing.TB) *bleve.Engine {
	tb.Helper()
	e, err := bleve.Open(filepath.Join(in.env["DATA_DIR"], "search"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { e.Close() })
	return e
}

// searchIDs returns the IDs of every listing a signed-in member finds with
// the query parameters.
func searchIDs(tb testing.TB, e search.Engine, params url.Values) []string {
	tb.Helper()
	params.Set("limit", "100")
	q, err := search.ParseQuery(params, true)
	if err != nil {
		tb.Fatal(err)
	}
	res, err := e.Search(context.Background(), q)
	if err != nil {
		tb.Fatal(err)
	}
	ids := make([]string, 0, len(res.Hits))
	for _, h := range res.Hits {
		ids = append(ids, h.ID)
	}
	slices.Sort(ids)
	return ids
}

// storedListings returns every stored listing, by ID.
func (in *instance) storedListings(tb testing.TB) map[string]*marketplace.Listing {
	tb.Helper()
	all := map[string]*marketplace.Listing{}
	err := mongo.NewListingStore(in.db).WalkListings(context.Background(), nil, func(l *marketplace.Listing) error {
		all[l.ID] = l
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return all
}

func TestReindex(t *testing.T) {
	ctx := context.Background()
	in := newInstance(t)
	now := time.Now().UTC()
	member := func(name string, standing marketplace.Standing) *marketplace.Member {
		m := &marketplace.Member{Kind: marketplace.MemberEnterprise, Name: name, Email: "hello@example.coop",
			Postcode: "LS6 1AA", Standing: standing, Version: 1, CreatedAt: now, UpdatedAt: now}
		m.Normalize()
		return m
	}
	active, lapsed := member("Leeds Print Workers", marketplace.StandingActive), member("Headingley Caterers", marketplace.StandingLapsed)
	if err := mongo.NewMemberStore(in.db).InsertMembers(ctx, []*marketplace.Member{active, lapsed}); err != nil {
		t.Fatal(err)
	}
	listing := func(m *marketplace.Member, title string, status marketplace.ListingStatus, version int64) *marketplace.Listing {
		l := &marketplace.Listing{MemberID: m.ID, Kind: marketplace.KindOffer, Title: title, Category: "print-runs",
			Postcode: "LS6 1AA", RadiusKM: 30, Status: status, Version: version, CreatedAt: now, UpdatedAt: now}
		if status == marketplace.StatusPublished {
			l.PublishedAt = &now
		}
		l.Normalize()
		return l
	}
	visible := listing(active, "Leaflets printed on recycled paper", marketplace.StatusPublished, 3)
	draft := listing(active, "Leaflets, a draft", marketplace.StatusDraft, 1)
	hidden := listing(lapsed, "Leaflets from a lapsed member", marketplace.StatusPublished, 2)
	done := listing(active, "Posters printed last year", marketplace.StatusClosed, 4)
	done.IndexedVersion = 4
	if err := mongo.NewListingStore(in.db).InsertListings(ctx, []*marketplace.Listing{visible, draft, hidden, done}); err != nil {
		t.Fatal(err)
	}
	// The index holds a listing MongoDB does not, and misses one it has.
	e, err := bleve.Open(filepath.Join(in.env["DATA_DIR"], "search"))
	if err != nil {
		t.Fatal(err)
	}
	ghost := listing(active, "A listing that was never stored", marketplace.StatusPublished, 1)
	ghost.ID = mongodb.NewID()
	if err := e.Upsert(ctx, []search.Document{search.NewDocument(ghost, active)}); err != nil {
		t.Fatal(err)
	}
	e.Close()

	t.Run("OK", func(t *testing.T) {
		stdout, stderr, err := in.run("reindex")
		if err != nil {
			t.Fatalf("reindex: %v\n%s", err, stderr)
		}
		if !strings.Contains(stdout, "1 of 4 listings are searchable") || !strings.Contains(stdout, "3 index markers") {
			t.Errorf("stdout = %q; want 1 of 4 searchable and 3 markers", stdout)
		}
		// Not a terminal: a line at the end of each step.
		if !strings.Contains(stderr, "indexing listings: 4 listings in") || !strings.Contains(stderr, "marking listings indexed: 3 listings in") {
			t.Errorf("progress on stderr = %q", stderr)
		}
		for id, l := range in.storedListings(t) {
			if l.IndexedVersion != l.Version {
				t.Errorf("listing %s %q: indexed version %d; want %d", id, l.Title, l.IndexedVersion, l.Version)
			}
		}
		e := in.searchIndex(t)
		if diff := cmp.Diff([]string{visible.ID}, searchIDs(t, e, url.Values{})); diff != "" {
			t.Errorf("searchable (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]string{visible.ID}, searchIDs(t, e, url.Values{"q": {"leaflets"}})); diff != "" {
			t.Errorf("searching leaflets (-want +got):\n%s", diff)
		}
		e.Close()

		// Again: nothing is behind any more.
		stdout, _, err = in.run("reindex")
		if err != nil || !strings.Contains(stdout, "; 0 index markers") {
			t.Fatalf("second reindex: %v, %q", err, stdout)
		}
	})

	t.Run("ErrArguments", func(t *testing.T) {
		if _, _, err := in.run("reindex", "now"); err == nil {
			t.Fatal("reindex with an argument: no error")
		}
	})
}
