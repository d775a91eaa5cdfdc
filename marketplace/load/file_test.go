package load_test

import (
	"bytes"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"cooptrade/marketplace"
	"cooptrade/marketplace/load"
)

// fileNow is the time the fixtures are read at.
var fileNow = time.Date(2027, 3, 1, 9, 0, 0, 0, time.UTC)

// ouseburn is the stored member the fixtures refer to.
func ouseburn() map[string]*marketplace.Member {
	return map[string]*marketplace.Member{
		"65a1b2c3d4e5f60718293a00": {ID: "65a1b2c3d4e5f60718293a00", Slug: "ouseburn-joinery", Name: "Ouseburn Joinery"},
	}
}

// counter gives IDs in the stores' form, in order.
func counter() func() string {
	n := 0
	return func() string {
		n++
		return fmt.Sprintf("%024x", n)
	}
}

func readFixture(tb testing.TB, name string, format load.Format) *load.File {
	tb.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		tb.Fatal(err)
	}
	f, err := load.ReadFile(bytes.NewReader(b), format, fileNow)
	if err != nil {
		tb.Fatal(err)
	}
	return f
}

func TestReadFile(t *testing.T) {
	tests := []struct {
		file   string
		format load.Format
		rows   int
		// bad holds, for each bad line, what its reason must say. The
		// rows whose ID a stored listing has are found by the load.
		bad map[int][]string
		// members and listings are the titles and names accepted.
		members, listings []string
	}{{
		file: "testdata/import.csv", format: load.CSV, rows: 18,
		bad: map[int][]string{
			4:  {"name: must be at least 2 characters long", "email: must be an e-mail address", `postcode: "ZZ" is not a UK postcode area.`, `sectors[0]: "painting" is not a sector`},
			5:  {`slug: "calder-valley-print-co-op" is also on line 2`},
			6:  {`slug: "ouseburn-joinery" is taken by a stored member`},
			11: {`member: "x" is on line 4, which is not imported`},
			12: {`member: no member has the slug "nobody-here"`},
			13: {"radius_km: must be a whole number", "title: must be at least 5 characters long", `category: "printing" is not a category`},
			14: {"deadline: must be in the future"},
			17: {"id: must be 24 hexadecimal digits"},
			18: {`type: "offer" is not member or listing`},
			19: {"title: is not a field of a member row"},
			20: {"has 4 fields; the header has 23"},
		},
		members: []string{"Asha Patel", "Calder Valley Print Co-op"},
		listings: []string{"Cycle courier for weekly deliveries", "Illustration for campaign posters", "Oak joinery and bespoke shelving",
			"Risograph zines and posters in short runs", "Staircases in oak and ash"},
	}, {
		file: "testdata/import.jsonl", format: load.JSONLines, rows: 12,
		bad: map[int][]string{
			3:  {"sectors: must be a list of strings", "headcount: must be a whole number"},
			8:  {`member: "byker-bakers" is on line 3, which is not imported`},
			11: {"titel: is not a field of a listing row", "remote: must be true or false", "tags: must be a list of strings", "price_min_pence: must be a whole number", "title: is required"},
			12: {"is not a JSON object: unexpected end of JSON input"},
			13: {"is not a JSON object: it is a JSON array"},
		},
		members: []string{"Asha Patel", "Calder Valley Print Co-op"},
		listings: []string{"Cycle courier for weekly deliveries", "Illustration for campaign posters", "Oak joinery and bespoke shelving",
			"Risograph zines and posters in short runs", "Staircases in oak and ash"},
	}}
	for _, tt := range tests {
		t.Run(string(tt.format), func(t *testing.T) {
			f := readFixture(t, tt.file, tt.format)
			if f.Rows != tt.rows {
				t.Errorf("Rows = %d; want %d", f.Rows, tt.rows)
			}
			f.Resolve(ouseburn(), counter())
			got := map[int]string{}
			for _, e := range f.Bad() {
				got[e.Line] = e.Reason()
			}
			if diff := cmp.Diff(slices.Sorted(mapKeys(tt.bad)), slices.Sorted(mapKeys(got))); diff != "" {
				t.Fatalf("bad lines (-want +got):\n%s\n%v", diff, got)
			}
			for line, reasons := range tt.bad {
				for _, r := range reasons {
					if !strings.Contains(got[line], r) {
						t.Errorf("line %d: reason %q does not say %q", line, got[line], r)
					}
				}
			}

			members, listings, lines := f.Accepted()
			var names, titles []string
			slugs := map[string]string{"65a1b2c3d4e5f60718293a00": "ouseburn-joinery"}
			for _, m := range members {
				names = append(names, m.Name)
				slugs[m.ID] = m.Slug
			}
			byTitle := map[string]*marketplace.Listing{}
			for _, l := range listings {
				titles = append(titles, l.Title)
				byTitle[l.Title] = l
				if slugs[l.MemberID] == "" {
					t.Errorf("listing %q: member %q is neither imported nor stored", l.Title, l.MemberID)
				}
			}
			slices.Sort(names)
			slices.Sort(titles)
			if diff := cmp.Diff(tt.members, names); diff != "" {
				t.Errorf("members (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.listings, titles); diff != "" {
				t.Errorf("listings (-want +got):\n%s", diff)
			}
			if len(lines) != len(listings) {
				t.Errorf("%d lines for %d listings", len(lines), len(listings))
			}

			// The API's defaults: an offer's reach, a published
			// listing's expiry and publication, a draft.
			riso := byTitle["Risograph zines and posters in short runs"]
			if riso.RadiusKM != 60 || riso.Status != marketplace.StatusPublished || riso.PublishedAt == nil ||
				!riso.ExpiresAt.Equal(fileNow.Add(marketplace.DefaultListingTTL)) {
				t.Errorf("published offer: %+v", riso)
			}
			if stairs := byTitle["Staircases in oak and ash"]; stairs.ID != "65a1b2c3d4e5f60718293a4b" || stairs.MemberID != "65a1b2c3d4e5f60718293a00" {
				t.Errorf("listing with its own ID, of a stored member: %+v", stairs)
			}
			if poster := byTitle["Illustration for campaign posters"]; !poster.Remote || poster.RadiusKM != 0 || poster.Status != marketplace.StatusDraft || poster.ExpiresAt != nil {
				t.Errorf("remote draft: %+v", poster)
			}
		})
	}

	t.Run("Defaults", func(t *testing.T) {
		in := `{"type":"member","name":"Leeds Print Workers","email":"hi@leeds.example","postcode":"LS6 1AA","standing":"active"}
{"type":"listing","member":"leeds-print-workers","kind":"offer","title":"Leaflets printed","category":"print-runs","postcode":"LS6 1AA","status":"published","expires_at":"2020-01-01"}
{"type":"listing","member":"leeds-print-workers","kind":"need","title":"Paper for leaflets","category":"print-runs","postcode":"LS6 1AA","status":"published","deadline":"2027-03-31"}
{"type":"listing","member":"leeds-print-workers","kind":"offer","title":"Posters printed","category":"print-runs","postcode":"LS6 1AA","radius_km":0}
`
		f, err := load.ReadFile(strings.NewReader(in), load.JSONLines, fileNow)
		if err != nil {
			t.Fatal(err)
		}
		f.Resolve(nil, counter())
		if bad := f.Bad(); len(bad) > 0 {
			t.Fatalf("bad rows: %+v", bad)
		}
		_, listings, _ := f.Accepted()
		// As publishing does: a past expiry is replaced, a need expires at
		// its deadline, an offer reaches the default radius.
		if want := fileNow.Add(marketplace.DefaultListingTTL); !listings[0].ExpiresAt.Equal(want) {
			t.Errorf("past expiry became %v; want %v", listings[0].ExpiresAt, want)
		}
		if want := time.Date(2027, 3, 31, 0, 0, 0, 0, time.UTC); !listings[1].ExpiresAt.Equal(want) {
			t.Errorf("need expires %v; want its deadline", listings[1].ExpiresAt)
		}
		if listings[2].RadiusKM != marketplace.DefaultRadiusKM {
			t.Errorf("offer reaches %d km; want %d", listings[2].RadiusKM, marketplace.DefaultRadiusKM)
		}
	})

	t.Run("ErrFile", func(t *testing.T) {
		for _, tc := range []struct {
			name, in string
			format   load.Format
			want     string
		}{
			{"Empty", "", load.CSV, "header row"},
			{"UnknownColumn", "type,titel\nlisting,Leaflets\n", load.CSV, `line 1: column "titel" is not an import field`},
			{"TwiceColumn", "type,title,Title\n", load.CSV, `line 1: column "title" appears twice`},
			{"Quote", "type,title\nlisting,\"Leaflets\" printed\n", load.CSV, "line 2"},
			{"Format", "{}", "xml", "must be csv or jsonl"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := load.ReadFile(strings.NewReader(tc.in), tc.format, fileNow)
				if err == nil || !strings.Contains(err.Error(), tc.want) {
					t.Errorf("err = %v; want it to say %q", err, tc.want)
				}
			})
		}
	})
}

func TestFormatOf(t *testing.T) {
	for name, want := range map[string]load.Format{
		"members.csv": load.CSV, "MEMBERS.CSV": load.CSV, "a.jsonl": load.JSONLines, "a.ndjson": load.JSONLines, "a.json": load.JSONLines, "a.txt": "", "a": "",
	} {
		got, ok := load.FormatOf(name)
		if got != want || ok != (want != "") {
			t.Errorf("FormatOf(%q) = %q, %v; want %q", name, got, ok, want)
		}
	}
}

// lineOf is how a file's error names where it is.
var lineOf = regexp.MustCompile(`^line \d+: `)

// FuzzReadFile reads arbitrary files in both formats: the reader never
// panics; an error is about the file as a whole and names its line (or
// says the file is empty); otherwise every row is either accepted, and
// passes the domain's validation, or refused with a line and a reason.
func FuzzReadFile(f *testing.F) {
	// The fixtures' first rows: whole, they slow the mutator to a stop.
	for _, name := range []string{"testdata/import.csv", "testdata/import.jsonl"} {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		rows := bytes.SplitAfter(b, []byte("\n"))
		f.Add(bytes.Join(rows[:min(len(rows), 4)], nil), strings.HasSuffix(name, ".csv"))
	}
	f.Add([]byte("type,id,member,title\nlisting,,x,\"a\nb\"\n,,,\n"), true)
	f.Add([]byte(`{"type":"member","id":"65A1B2C3D4E5F60718293A4B","name":"Ab","slug":"ab"}`+"\n"+`{"type":"listing","id":"65a1b2c3d4e5f60718293a4b","member":"ab"}`), false)
	f.Add([]byte("\ufefftype\r\nmember\r\n"), true)
	f.Fuzz(func(t *testing.T, data []byte, isCSV bool) {
		format := load.JSONLines
		if isCSV {
			format = load.CSV
		}
		file, err := load.ReadFile(bytes.NewReader(data), format, fileNow)
		if err != nil {
			if msg := err.Error(); !lineOf.MatchString(msg) && !strings.Contains(msg, "empty") {
				t.Fatalf("a file's error names no line: %q", msg)
			}
			return
		}
		file.Resolve(ouseburn(), counter())
		lines := bytes.Count(data, []byte("\n")) + 1
		for _, e := range file.Bad() {
			if e.Line < 1 || e.Line > lines {
				t.Errorf("bad row at line %d of a file of %d lines", e.Line, lines)
			}
			if len(e.Problems) == 0 || e.Reason() == "" {
				t.Errorf("line %d: refused with no reason", e.Line)
			}
		}
		members, listings, rowLines := file.Accepted()
		if len(members)+len(listings)+len(file.Bad()) > file.Rows {
			t.Errorf("%d members, %d listings and %d bad rows of %d rows", len(members), len(listings), len(file.Bad()), file.Rows)
		}
		ids := map[string]bool{}
		for _, m := range members {
			if err := m.Validate(); err != nil {
				t.Errorf("accepted member %+v: %v", m, err)
			}
			if m.ID == "" || ids[m.ID] {
				t.Errorf("member %q: ID %q is empty or given twice", m.Name, m.ID)
			}
			ids[m.ID] = true
		}
		for i, l := range listings {
			if err := l.Validate(fileNow); err != nil {
				t.Errorf("accepted listing on line %d %+v: %v", rowLines[i], l, err)
			}
			if l.MemberID == "" || l.ID == "" || ids[l.ID] {
				t.Errorf("listing on line %d: member %q, ID %q", rowLines[i], l.MemberID, l.ID)
			}
			ids[l.ID] = true
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
