package chart_test

import (
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"cooptrade/marketplace/web/chart"
)

// node is an element of a parsed chart.
type node struct {
	name     string
	attrs    map[string]string
	text     string // the text of the element and its descendants
	children []*node
}

// parse reads the SVG strictly as XML, failing the test on any fault, and
// returns its root.
func parse(tb testing.TB, svg string) *node {
	tb.Helper()
	dec := xml.NewDecoder(strings.NewReader(svg))
	dec.Strict = true
	var stack []*node
	var root *node
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			tb.Fatalf("not well-formed XML: %v\n%s", err, svg)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			n := &node{name: t.Name.Local, attrs: map[string]string{}}
			for _, a := range t.Attr {
				n.attrs[a.Name.Local] = a.Value
			}
			if len(stack) > 0 {
				p := stack[len(stack)-1]
				p.children = append(p.children, n)
			} else if root != nil {
				tb.Fatalf("more than one root element")
			} else {
				root = n
			}
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			for _, n := range stack {
				n.text += string(t)
			}
		}
	}
	if root == nil || root.name != "svg" {
		tb.Fatalf("the root is not <svg>: %s", svg)
	}
	return root
}

// all returns the elements under n (n included) that match.
func (n *node) all(match func(*node) bool) []*node {
	var out []*node
	if match(n) {
		out = append(out, n)
	}
	for _, c := range n.children {
		out = append(out, c.all(match)...)
	}
	return out
}

func byClass(class string) func(*node) bool {
	return func(n *node) bool { return n.attrs["class"] == class }
}

func byName(name string) func(*node) bool {
	return func(n *node) bool { return n.name == name }
}

func float(tb testing.TB, n *node, attr string) float64 {
	tb.Helper()
	v, err := strconv.ParseFloat(n.attrs[attr], 64)
	if err != nil {
		tb.Fatalf("<%s %s=%q>: %v", n.name, attr, n.attrs[attr], err)
	}
	return v
}

// checkAccessible checks the text alternative: role="img", labelled by
// its title and described by its desc.
func checkAccessible(tb testing.TB, root *node, title, desc string) {
	tb.Helper()
	if root.attrs["role"] != "img" {
		tb.Errorf("role %q; want img", root.attrs["role"])
	}
	ids := strings.Fields(root.attrs["aria-labelledby"])
	if len(ids) != 2 {
		tb.Fatalf("aria-labelledby %q; want the title's and the desc's IDs", root.attrs["aria-labelledby"])
	}
	for i, want := range []struct{ name, text string }{{"title", title}, {"desc", desc}} {
		found := root.all(func(n *node) bool { return n.attrs["id"] == ids[i] })
		if len(found) != 1 || found[0].name != want.name || found[0].text != want.text {
			tb.Errorf("aria-labelledby names %s; want a <%s> reading %q", ids[i], want.name, want.text)
		}
	}
	if root.attrs["viewBox"] == "" || root.attrs["width"] == "" || root.attrs["class"] != "chart" {
		tb.Errorf("root attributes %v; want a viewBox, a width and class chart", root.attrs)
	}
}

func TestBars_ValueBySector(t *testing.T) {
	c := chart.Bars{
		ID: "by-sector", Title: "Value of trade by sector", Desc: "Printing leads with £1,000.",
		Rows: []string{"Printing & publishing", "Food <and> catering", "Building \"green\"", "Cleaning"},
		Series: []chart.Series{{Name: "Value of trade",
			Values: []float64{100000, 50000, 25000, 0},
			Labels: []string{"£1,000", "£500", "£250", "£0"}}},
		Tick: func(v float64) string { return fmt.Sprintf("£%.0f", v/100) },
	}
	root := parse(t, string(c.SVG()))
	checkAccessible(t, root, c.Title, c.Desc)

	// Every row label and value label is written, text escaped and read
	// back as given.
	var rows []string
	for _, n := range root.all(byClass("row")) {
		rows = append(rows, n.text)
	}
	if diff := cmp.Diff(c.Rows, rows); diff != "" {
		t.Errorf("row labels (-want +got):\n%s", diff)
	}
	bars, values := root.all(byClass("bar")), root.all(byClass("value"))
	if len(bars) != 4 || len(values) != 4 {
		t.Fatalf("%d bars and %d value labels; want 4 each", len(bars), len(values))
	}
	// Bars are as long as their values, in proportion; each value label
	// starts just past its bar's end.
	x0 := float(t, bars[0], "x")
	full := float(t, bars[0], "width")
	for i, b := range bars {
		if got := float(t, b, "x"); got != x0 {
			t.Errorf("bar %d starts at %v; want %v", i, got, x0)
		}
		want := full * c.Series[0].Values[i] / c.Series[0].Values[0]
		if got := float(t, b, "width"); math.Abs(got-want) > 0.02 {
			t.Errorf("bar %d is %v long; want %v", i, got, want)
		}
		if values[i].text != c.Series[0].Labels[i] || values[i].attrs["data-row"] != b.attrs["data-row"] {
			t.Errorf("value label %d: %q (row %s); want %q", i, values[i].text, values[i].attrs["data-row"], c.Series[0].Labels[i])
		}
		if lx, end := float(t, values[i], "x"), float(t, b, "x")+float(t, b, "width"); lx <= end || lx > end+10 {
			t.Errorf("value label %d at x=%v; the bar ends at %v", i, lx, end)
		}
	}
	// The largest value, a round number, reaches the tick that says so.
	var ticks []string
	for _, n := range root.all(byClass("tick")) {
		ticks = append(ticks, n.text)
		if n.text == "£1000" {
			if x := float(t, n, "x"); math.Abs(x-(x0+full)) > 0.02 {
				t.Errorf("the tick £1000 is at %v; the longest bar ends at %v", x, x0+full)
			}
		}
	}
	if diff := cmp.Diff([]string{"£0", "£200", "£400", "£600", "£800", "£1000"}, ticks); diff != "" {
		t.Errorf("ticks (-want +got):\n%s", diff)
	}
	// One series needs no legend: the title says what the bars are.
	if n := len(root.all(byClass("legend"))); n != 0 {
		t.Errorf("%d legend items for one series", n)
	}
}

func TestBars_FunnelByMonth(t *testing.T) {
	c := chart.Bars{
		ID: "funnel", Title: "Matches, introductions and deals by month", Desc: "12 matches in all.",
		Rows: []string{"Medi 2026", "Hydref 2026", "Tachwedd 2026"},
		Series: []chart.Series{
			{Name: "Matches", Values: []float64{4, 6, 2}},
			{Name: "Introductions", Values: []float64{2, 3, 1}},
			{Name: "Deals", Values: []float64{1, 0, 1}},
		},
	}
	root := parse(t, string(c.SVG()))
	checkAccessible(t, root, c.Title, c.Desc)

	// Each series has its own look, and no two differ by colour alone:
	// one is solid, the others patterns defined in the chart.
	patterns := map[string]bool{}
	for _, p := range root.all(byName("pattern")) {
		patterns["url(#"+p.attrs["id"]+")"] = true
	}
	fills := map[string]string{}
	for _, b := range root.all(byClass("bar")) {
		s := b.attrs["data-series"]
		if f, ok := fills[s]; ok && f != b.attrs["fill"] {
			t.Errorf("series %s is drawn with %s and %s", s, f, b.attrs["fill"])
		}
		fills[s] = b.attrs["fill"]
	}
	solid := 0
	seen := map[string]bool{}
	for s, f := range fills {
		if seen[f] {
			t.Errorf("series %s shares its fill %s with another", s, f)
		}
		seen[f] = true
		switch {
		case strings.HasPrefix(f, "#"):
			solid++
		case !patterns[f]:
			t.Errorf("series %s is filled with %s, which the chart does not define", s, f)
		}
	}
	if len(fills) != 3 || solid != 1 {
		t.Errorf("fills %v; want three, one of them solid", fills)
	}
	// The legend names every series beside a swatch drawn like its bars.
	legend := root.all(byClass("legend"))
	if len(legend) != 3 {
		t.Fatalf("%d legend items; want 3", len(legend))
	}
	for i, it := range legend {
		sw := it.all(byName("rect"))
		if it.text != c.Series[i].Name || len(sw) != 1 || sw[0].attrs["fill"] != fills[strconv.Itoa(i)] {
			t.Errorf("legend item %d: %q, swatch %v", i, it.text, sw)
		}
	}
	// Every bar's value is written beside it, counts as whole numbers;
	// bars of one row are in the row, series in order.
	got := map[string]string{}
	for _, v := range root.all(byClass("value")) {
		got[v.attrs["data-row"]+"/"+v.attrs["data-series"]] = v.text
	}
	want := map[string]string{"0/0": "4", "0/1": "2", "0/2": "1", "1/0": "6", "1/1": "3", "1/2": "0", "2/0": "2", "2/1": "1", "2/2": "1"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("value labels by row/series (-want +got):\n%s", diff)
	}
	bars := root.all(byClass("bar"))
	unit := float(t, bars[3], "width") / 6 // row 1, matches: 6
	for _, b := range bars {
		v, _ := strconv.ParseFloat(want[b.attrs["data-row"]+"/"+b.attrs["data-series"]], 64)
		if w := float(t, b, "width"); math.Abs(w-v*unit) > 0.02 {
			t.Errorf("bar row %s series %s is %v long; want %v", b.attrs["data-row"], b.attrs["data-series"], w, v*unit)
		}
	}
	for i := 1; i < len(bars); i++ {
		if float(t, bars[i], "y") <= float(t, bars[i-1], "y") {
			t.Errorf("bar %d is not below bar %d", i, i-1)
		}
	}
	var ticks []string
	for _, n := range root.all(byClass("tick")) {
		ticks = append(ticks, n.text)
	}
	if diff := cmp.Diff([]string{"0", "2", "4", "6"}, ticks); diff != "" {
		t.Errorf("ticks (-want +got):\n%s", diff)
	}
}

func TestBars_Empty(t *testing.T) {
	for name, c := range map[string]chart.Bars{
		"NoRows":   {ID: "a", Title: "Value by area", Desc: "No trade yet.", Series: []chart.Series{{Name: "Value"}}, Empty: "No figures for this period."},
		"NoSeries": {ID: "b", Title: "Value by area", Desc: "No trade yet.", Rows: []string{"Leeds"}, Empty: "No figures for this period."},
	} {
		t.Run(name, func(t *testing.T) {
			root := parse(t, string(c.SVG()))
			checkAccessible(t, root, c.Title, c.Desc)
			texts := root.all(byName("text"))
			if len(texts) != 1 || texts[0].text != c.Empty {
				t.Errorf("texts %v; want just %q", texts, c.Empty)
			}
			if n := len(root.all(byClass("bar"))); n != 0 {
				t.Errorf("%d bars in an empty chart", n)
			}
		})
	}
}

func TestBars_AllZero(t *testing.T) {
	c := chart.Bars{ID: "zero", Title: "Value", Desc: "Nothing traded.", Rows: []string{"Leeds", "Cardiff"},
		Series: []chart.Series{{Name: "Value", Values: []float64{0, 0}, Labels: []string{"£0", "£0"}}}}
	root := parse(t, string(c.SVG()))
	for _, b := range root.all(byClass("bar")) {
		if w := float(t, b, "width"); w != 0 {
			t.Errorf("a zero bar is %v long", w)
		}
	}
	var ticks, values []string
	for _, n := range root.all(byClass("tick")) {
		ticks = append(ticks, n.text)
	}
	for _, n := range root.all(byClass("value")) {
		values = append(values, n.text)
	}
	if diff := cmp.Diff([]string{"0"}, ticks); diff != "" {
		t.Errorf("ticks (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"£0", "£0"}, values); diff != "" {
		t.Errorf("values (-want +got):\n%s", diff)
	}
}

func TestBars_LongLabelsWrap(t *testing.T) {
	long := "Retrofit, insulation and renewable energy installation for housing co-operatives"
	c := chart.Bars{ID: "wrap", Title: "T", Desc: "D", Rows: []string{long, "Leeds"},
		Series: []chart.Series{{Name: "Value", Values: []float64{3, 1}}}}
	root := parse(t, string(c.SVG()))
	rows := root.all(byClass("row"))
	lines := rows[0].all(byName("tspan"))
	if len(lines) != 2 {
		t.Fatalf("the long label has %d lines; want 2", len(lines))
	}
	first := lines[0].text
	if !strings.HasPrefix(long, first) || len(first) < 20 {
		t.Errorf("first line %q", first)
	}
	if strings.HasPrefix(long, first+lines[1].text) || !strings.HasSuffix(lines[1].text, "…") {
		t.Errorf("second line %q is not cut short", lines[1].text)
	}
	// The row labels end left of the bars.
	bar := root.all(byClass("bar"))[0]
	if x := float(t, rows[0], "x"); x >= float(t, bar, "x") {
		t.Errorf("row label ends at %v, right of the bars at %v", x, float(t, bar, "x"))
	}
	// The wrapped row is tall enough for its two lines: the next row's
	// bar starts below the second line.
	next := root.all(byClass("bar"))[1]
	if float(t, next, "y") < float(t, rows[0], "y")+13 {
		t.Errorf("the second row overlaps the first's label")
	}
}

func TestBars_IDs(t *testing.T) {
	a := parse(t, string(chart.Bars{ID: "by area", Title: "A", Desc: "B", Rows: []string{"x"}, Series: []chart.Series{{Values: []float64{1}}, {Values: []float64{2}}}}.SVG()))
	b := parse(t, string(chart.Bars{ID: "9 lives", Title: "A", Desc: "B", Rows: []string{"x"}, Series: []chart.Series{{Values: []float64{1}}, {Values: []float64{2}}}}.SVG()))
	ids := map[string]bool{}
	for _, root := range []*node{a, b} {
		for _, n := range root.all(func(n *node) bool { return n.attrs["id"] != "" }) {
			id := n.attrs["id"]
			if ids[id] || strings.ContainsAny(id, " ") || !(id[0] >= 'a' && id[0] <= 'z') {
				t.Errorf("id %q repeated or not a valid ID", id)
			}
			ids[id] = true
		}
	}
	if len(ids) != 6 { // title, desc and one pattern in each
		t.Errorf("ids %v", ids)
	}
}

// TestBars_Ticks checks the axis: round steps, at most five of them past
// zero, whole numbers for counts, the axis ending at or just past the
// largest value.
func TestBars_Ticks(t *testing.T) {
	for _, tc := range []struct {
		values []float64
		want   []string
	}{
		{[]float64{1}, []string{"0", "1"}},
		{[]float64{3, 1}, []string{"0", "1", "2", "3"}},
		{[]float64{6, 2}, []string{"0", "2", "4", "6"}},
		{[]float64{7}, []string{"0", "2", "4", "6", "8"}},
		{[]float64{12}, []string{"0", "5", "10", "15"}},
		{[]float64{0.3}, []string{"0", "0.1", "0.2", "0.3"}},
		{[]float64{0.25, 0.05}, []string{"0", "0.05", "0.1", "0.15", "0.2", "0.25"}},
		{[]float64{123456}, []string{"0", "25000", "50000", "75000", "100000", "125000"}},
		{[]float64{-5, 2}, []string{"0", "1", "2"}},
	} {
		rows := make([]string, len(tc.values))
		for i := range rows {
			rows[i] = strconv.Itoa(i)
		}
		root := parse(t, string(chart.Bars{ID: "t", Title: "T", Desc: "D", Rows: rows, Series: []chart.Series{{Name: "S", Values: tc.values}}}.SVG()))
		var got []string
		for _, n := range root.all(byClass("tick")) {
			got = append(got, n.text)
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("ticks for %v (-want +got):\n%s", tc.values, diff)
		}
	}
}
