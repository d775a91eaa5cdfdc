package main_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"cooptrade/marketplace"
	"cooptrade/marketplace/corpus"
	"cooptrade/marketplace/mongo"
)

// storedListingID is the ID of the listing stored before the fixtures are
// imported; a row of each fixture asks for it again.
const storedListingID = "65a1b2c3d4e5f60718293a4b"

// withOuseburn stores the member and the listing the fixtures refer to.
func withOuseburn(tb testing.TB, in *instance) {
	tb.Helper()
	ctx := context.Background()
	now := time.Now().UTC()
	m := &marketplace.Member{Kind: marketplace.MemberEnterprise, Name: "Ouseburn Joinery", Email: "hello@ouseburn.coop.example",
		Postcode: "NE6 1AS", Standing: marketplace.StandingActive, Version: 1, CreatedAt: now, UpdatedAt: now}
	m.Normalize()
	if err := mongo.NewMemberStore(in.db).InsertMembers(ctx, []*marketplace.Member{m}); err != nil {
		tb.Fatal(err)
	}
	l := &marketplace.Listing{ID: storedListingID, MemberID: m.ID, Kind: marketplace.KindOffer, Title: "Sash windows restored",
		Category: "carpentry-joinery", Postcode: "NE6 1AS", RadiusKM: 40, Status: marketplace.StatusPublished,
		Version: 2, CreatedAt: now, UpdatedAt: now, PublishedAt: &now}
	l.Normalize()
	if err := mongo.NewListingStore(in.db).InsertListings(ctx, []*marketplace.Listing{l}); err != nil {
		tb.Fatal(err)
	}
}

// badRows reads the rows an import of file reported, by line.
func badRows(tb testing.TB, file, stderr string) map[int]string {
	tb.Helper()
	reportLine := regexp.MustCompile(`^` + regexp.QuoteMeta(file) + `:(\d+): (.*)$`)
	bad := map[int]string{}
	for _, line := range strings.Split(stderr, "\n") {
		m := reportLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		n, _ := strconv.Atoi(m[1])
		if _, dup := bad[n]; dup {
			tb.Errorf("line %d reported twice", n)
		}
		bad[n] = m[2]
	}
	return bad
}

// The fixtures of the import's reader; its tests check what each bad row
// says, these that the program reports them and imports the rest.
const (
	importCSV   = "../../marketplace/load/testdata/import.csv"
	importJSONL = "../../marketplace/load/testdata/import.jsonl"
)

// TestImport runs `marketplace import` end to end: bad rows reported as
// FILE:LINE: reason, the rest stored, indexed and searchable.
func TestImport(t *testing.T) {
	tests := []struct {
		file string
		// bad are the bad lines; taken is the one whose ID a stored
		// listing has, which only the load finds.
		bad   []int
		taken int
		// rows is how many rows the file has.
		rows int
	}{{
		file: importCSV, rows: 18, taken: 16,
		bad: []int{4, 5, 6, 11, 12, 13, 14, 16, 17, 18, 19, 20},
	}, {
		file: importJSONL, rows: 12, taken: 10,
		bad: []int{3, 8, 10, 11, 12, 13},
	}}
	for _, tt := range tests {
		t.Run(filepath.Ext(tt.file)[1:], func(t *testing.T) {
			in := newInstance(t)
			withOuseburn(t, in)
			stdout, stderr, err := in.run("import", tt.file)
			want := fmt.Sprintf("import: %d of %d rows were not imported", len(tt.bad), tt.rows)
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Fatalf("import: %v; want %q\nstderr:\n%s", err, want, stderr)
			}
			if !strings.Contains(stdout, "2 members and 4 listings, of which 3 are searchable") {
				t.Errorf("stdout = %q", stdout)
			}
			got := badRows(t, tt.file, stderr)
			if diff := cmp.Diff(tt.bad, slices.Sorted(mapKeys(got))); diff != "" {
				t.Fatalf("bad lines (-want +got):\n%s\nstderr:\n%s", diff, stderr)
			}
			if want := "id: is taken by a stored listing"; got[tt.taken] != want {
				t.Errorf("line %d: report %q; want %q", tt.taken, got[tt.taken], want)
			}

			// What was imported is stored, marked indexed, and searchable.
			ctx := context.Background()
			members := mongo.NewMemberStore(in.db)
			calder, err := members.FindMemberBySlug(ctx, "calder-valley-print-co-op")
			if err != nil {
				t.Fatal(err)
			}
			if calder.Standing != marketplace.StandingActive || !slices.Equal(calder.Values, []string{"living-wage", "co-op-marque"}) || calder.Area != "HX" {
				t.Errorf("imported member: %+v", calder)
			}
			asha, err := members.FindMemberBySlug(ctx, "asha-patel")
			if err != nil {
				t.Fatal(err)
			}
			titles := map[string]*marketplace.Listing{}
			for _, l := range in.storedListings(t) {
				if l.IndexedVersion != l.Version {
					t.Errorf("listing %q: indexed version %d; want %d", l.Title, l.IndexedVersion, l.Version)
				}
				titles[l.Title] = l
			}
			if len(titles) != 5 {
				t.Errorf("stored listings: %v; want the stored one and 4 imported", slices.Sorted(mapKeys(titles)))
			}
			riso := titles["Risograph zines and posters in short runs"]
			if riso == nil || riso.MemberID != calder.ID || riso.Description != "Two-colour riso on recycled stock,\n50 to 2,000 copies." ||
				riso.PriceMaxPence != 90000 || riso.RadiusKM != 60 || riso.Status != marketplace.StatusPublished || riso.ExpiresAt == nil {
				t.Errorf("imported offer: %+v", riso)
			}
			courier := titles["Cycle courier for weekly deliveries"]
			if courier == nil || courier.Kind != marketplace.KindNeed || courier.Deadline == nil || courier.Deadline.Format(time.DateOnly) != "2099-12-31" {
				t.Errorf("imported need: %+v", courier)
			}
			if poster := titles["Illustration for campaign posters"]; poster == nil || poster.MemberID != asha.ID || !poster.Remote || poster.Status != marketplace.StatusDraft {
				t.Errorf("imported draft: %+v", poster)
			}
			oak := titles["Oak joinery and bespoke shelving"]
			if oak == nil {
				t.Fatal("the listing of a stored member was not imported")
			}

			e := in.searchIndex(t)
			searchable := []string{storedListingID, courier.ID, oak.ID, riso.ID}
			slices.Sort(searchable)
			if diff := cmp.Diff(searchable, searchIDs(t, e, url.Values{})); diff != "" {
				t.Errorf("searchable (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff([]string{riso.ID}, searchIDs(t, e, url.Values{"q": {"risograph zines"}})); diff != "" {
				t.Errorf("searching risograph (-want +got):\n%s", diff)
			}
		})
	}

	t.Run("Samples", func(t *testing.T) {
		for _, file := range []string{"testdata/sample.csv", "testdata/sample.jsonl"} {
			in := newInstance(t)
			stdout, stderr, err := in.run("import", file)
			if err != nil {
				t.Fatalf("import %s: %v\n%s", file, err, stderr)
			}
			if !strings.Contains(stdout, "3 members and 5 listings, of which 4 are searchable; 0 rows not imported") {
				t.Errorf("import %s: %q", file, stdout)
			}
		}
	})

	t.Run("DryRun", func(t *testing.T) {
		in := newInstance(t)
		withOuseburn(t, in)
		stdout, stderr, err := in.run("import", "--dry-run", importCSV)
		if err == nil || len(badRows(t, importCSV, stderr)) != 12 {
			t.Errorf("dry run: %v\n%s", err, stderr)
		}
		if !strings.Contains(stdout, "2 members and 4 listings would be imported; 12 rows would not") {
			t.Errorf("dry run: %q", stdout)
		}
		if n := len(in.storedListings(t)); n != 1 {
			t.Fatalf("a dry run stored listings: %d; want the 1 stored before", n)
		}
	})

	t.Run("ErrFile", func(t *testing.T) {
		dir := t.TempDir()
		write := func(name, content string) string {
			p := filepath.Join(dir, name)
			if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
			return p
		}
		in := newInstance(t)
		for _, tc := range []struct {
			args []string
			want string
		}{
			{[]string{write("members.txt", "type\n")}, "--format"},
			{[]string{"--format", "xml", write("members.xml", "")}, "must be csv or jsonl"},
			{[]string{write("empty.csv", "")}, "header row"},
			{[]string{write("typo.csv", "type,titel\nlisting,Leaflets\n")}, `column "titel" is not an import field`},
			{[]string{write("quote.csv", "type,title\nlisting,\"Leaflets\" printed\n")}, "line 2"},
			{[]string{filepath.Join(dir, "missing.csv")}, "no such file"},
			{[]string{}, "name one file"},
		} {
			_, _, err := in.run(append([]string{"import"}, tc.args...)...)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("import %v: %v; want an error saying %q", tc.args, err, tc.want)
			}
		}
		if n := len(in.storedListings(t)); n != 0 {
			t.Fatalf("%d listings stored after refused imports", n)
		}
	})
}

func mapKeys[K comparable, V any](m map[K]V) func(func(K) bool) {
	return func(yield func(K) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// BenchmarkImport measures import-to-searchable: `marketplace import` of a
// generated federation in JSON Lines into an empty instance on the
// embedded engines (FerretDB on SQLite, Bleve), from reading the file to
// the listings stored and searchable. The target is 100k listings within
// 60 s. Pick a size with -bench 'Import/listings=100k'.
func BenchmarkImport(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		b.Run(fmt.Sprintf("listings=%dk", n/1000), func(b *testing.B) {
			file := filepath.Join(b.TempDir(), "federation.jsonl")
			writeFederation(b, file, n)
			b.ResetTimer()
			for range b.N {
				b.StopTimer()
				env := map[string]string{"DATA_DIR": b.TempDir(), "LOG_LEVEL": "error"}
				in := &instance{env: env}
				b.StartTimer()
				start := time.Now()
				stdout, stderr, err := in.run("import", file)
				took := time.Since(start)
				if err != nil {
					b.Fatalf("import: %v\n%s", err, stderr)
				}
				b.ReportMetric(took.Seconds(), "s/import")
				b.ReportMetric(float64(n)/took.Seconds(), "listings/s")
				b.StopTimer()
				if !strings.Contains(stdout, fmt.Sprintf(" %s listings", group(n))) {
					b.Fatalf("import: %s", stdout)
				}
				b.StartTimer()
			}
		})
	}
}

// writeFederation writes a generated federation of n listings as an import
// file: members first, then listings, all with their generated fields.
func writeFederation(tb testing.TB, path string, n int) {
	tb.Helper()
	members, listings := corpus.Generate(corpus.Config{Seed: 42, Listings: n, Now: time.Now().UTC()})
	slugs := map[string]string{}
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	w := bufio.NewWriter(f)
	enc := json.NewEncoder(w)
	date := func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return t.Format(time.RFC3339)
	}
	for _, m := range members {
		slugs[m.ID] = m.Slug
		row := map[string]any{"type": "member", "kind": m.Kind, "name": m.Name, "slug": m.Slug, "email": m.Email,
			"website": m.Website, "description": m.Description, "postcode": m.Postcode, "sectors": m.Sectors,
			"values": m.Values, "headcount": m.Headcount, "registration_number": m.RegistrationNumber, "standing": m.Standing}
		if err := enc.Encode(dropEmpty(row)); err != nil {
			tb.Fatal(err)
		}
	}
	for _, l := range listings {
		status := l.Status
		if status == marketplace.StatusExpired {
			status = marketplace.StatusClosed // an import cannot set a past expiry
		}
		row := map[string]any{"type": "listing", "member": slugs[l.MemberID], "kind": l.Kind, "title": l.Title,
			"description": l.Description, "category": l.Category, "tags": l.Tags, "postcode": l.Postcode,
			"remote": l.Remote, "radius_km": l.RadiusKM, "price_min_pence": l.PriceMinPence, "price_max_pence": l.PriceMaxPence,
			"price_unit": l.PriceUnit, "deadline": date(l.Deadline), "expires_at": date(l.ExpiresAt), "status": status}
		if err := enc.Encode(dropEmpty(row)); err != nil {
			tb.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		tb.Fatal(err)
	}
}

// dropEmpty leaves out the fields a row does not give.
func dropEmpty(row map[string]any) map[string]any {
	for k, v := range row {
		switch v := v.(type) {
		case string:
			if v == "" {
				delete(row, k)
			}
		case int:
			if v == 0 && k == "radius_km" {
				delete(row, k)
			}
		}
	}
	return row
}

// group writes n with thousands separators, as the program does.
func group(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
