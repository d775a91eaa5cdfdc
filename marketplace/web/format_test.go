package web

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestFormat(t *testing.T) {
	for _, tt := range []struct {
		got, want string
	}{
		{formatMoney(0), "£0"},
		{formatMoney(5), "£0.05"},
		{formatMoney(125050), "£1,250.50"},
		{formatMoney(100000000), "£1,000,000"},
		{formatNumber(999), "999"},
		{formatNumber(1000), "1,000"},
		{formatNumber(-1234567), "-1,234,567"},
		{formatPounds(125050), "1250.50"},
		{formatPounds(30000), "300"},
		{formatDistance(8.44), "8.4 km"},
		{formatDistance(42.6), "43 km"},
	} {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}

func TestParsePounds(t *testing.T) {
	for in, want := range map[string]int64{"": 0, "250": 25000, "£1,250.5": 125050, " 12.50 ": 1250, ".5": 50} {
		if got, ok := parsePounds(in); !ok || got != want {
			t.Errorf("parsePounds(%q) = %d, %v; want %d", in, got, ok, want)
		}
	}
	for _, in := range []string{"abc", "12.505", "-5", "1e3", "12.", "99999999999"} {
		if got, ok := parsePounds(in); ok {
			t.Errorf("parsePounds(%q) = %d; want an error", in, got)
		}
	}
}

func TestFormatDate(t *testing.T) {
	cat, err := loadCatalogue()
	if err != nil {
		t.Fatal(err)
	}
	// Late in the evening UTC in summer is the next day in the UK.
	d := time.Date(2026, 6, 30, 23, 30, 0, 0, time.UTC)
	if got := cat.formatDate("en", d); got != "1 July 2026" {
		t.Errorf("English: %q", got)
	}
	if got := cat.formatDate("cy", d); got != "1 Gorffennaf 2026" {
		t.Errorf("Welsh: %q", got)
	}
	if got := cat.translate("cy", "search.results", "Count", 2, "Number", "2"); got != "2 ganlyniad" {
		t.Errorf("Welsh dual: %q", got)
	}
	if got := cat.translate("cy", "search.results", "Count", 3, "Number", "3"); got != "3 chanlyniad" {
		t.Errorf("Welsh few: %q", got)
	}
	if got := cat.translate("en", "search.results", "Count", 1, "Number", "1"); got != "1 result" {
		t.Errorf("English one: %q", got)
	}
	if got := cat.translate("cy", "no.such.key"); got != "no.such.key" {
		t.Errorf("missing key: %q", got)
	}
}

func TestHighlight(t *testing.T) {
	got := highlight("Leaflets and co-operative leaflets, printed", []string{"leaflets", "co-operative"})
	want := []segment{{"Leaflets", true}, {" and ", false}, {"co-operative", true}, {" ", false}, {"leaflets", true}, {", printed", false}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if got := highlight("<b>x</b>", nil); len(got) != 1 || got[0].Mark {
		t.Errorf("no words: %+v", got)
	}
}

func TestLocalPath(t *testing.T) {
	for in, want := range map[string]string{
		"/dashboard":             "/dashboard",
		"/search?q=a":            "/search?q=a",
		"":                       "/d",
		"dashboard":              "/d",
		"//evil.example":         "/d",
		"/\\evil.example":        "/d",
		"https://evil.example/":  "/d",
		"/ok\r\nSet-Cookie: x=1": "/d",
	} {
		if got := localPath(in, "/d"); got != want {
			t.Errorf("localPath(%q) = %q; want %q", in, got, want)
		}
	}
}
