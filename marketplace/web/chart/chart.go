package chart

import (
	"fmt"
	"html"
	"html/template"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Series is one set of values, one per row of the chart, with a name for
// the legend.
type Series struct {
	Name string
	// Values are the numbers drawn, one per row; negative values count
	// as zero.
	Values []float64
	// Labels are the values as people read them ("£1,250", "12"), one per
	// row; a missing one is written from the value.
	Labels []string
}

// Bars is a horizontal bar chart: a row per category, and in each row a
// bar per series. One series makes a plain ranked bar chart; several make
// a grouped one, such as matches, introductions and deals by month.
type Bars struct {
	// ID is unique on the page; the chart's element IDs start with it.
	ID string
	// Title names the chart and Desc sums up what it shows, for people
	// who cannot see it.
	Title, Desc string
	// Rows label the rows, top to bottom.
	Rows   []string
	Series []Series
	// Tick writes a value on the axis (default: the number).
	Tick func(float64) string
	// Empty is written in the chart when there is nothing to draw.
	Empty string
	// Width is the natural width (default 560).
	Width int
}

// Sizes, in viewBox units.
const (
	defaultWidth = 560
	fontSize     = 13
	tickFont     = 11
	charWidth    = 7.2 // average advance of a character at fontSize
	barHeight    = 16
	barGap       = 3
	groupGap     = 14
	pad          = 8
	legendRow    = 22
	axisHeight   = 24
	maxLabelFrac = 0.38 // of the width, for the row labels
)

// style is how one series is drawn: a colour and a fill.
type style struct {
	colour  string
	pattern string // "" for solid
}

// styles are the series' looks, in order; a chart with more series
// repeats them (with more than three series, charts are hard to read
// anyway).
var styles = []style{
	{colour: "#1d4f91"},                     // dark blue, solid
	{colour: "#00695c", pattern: "hatch"},   // dark teal, diagonal lines
	{colour: "#8a4b00", pattern: "dots"},    // dark amber, dots
	{colour: "#6a1b9a", pattern: "cross"},   // purple, cross-hatch
	{colour: "#37474f", pattern: "reverse"}, // slate, lines the other way
}

// TextColour is the colour of the chart's words (over 15:1 on white).
const TextColour = "#1b1b1b"

// SVG draws the chart.
func (b Bars) SVG() template.HTML {
	w := b.Width
	if w <= 0 {
		w = defaultWidth
	}
	var out strings.Builder
	id := sanitizeID(b.ID)
	most, whole := 0.0, true
	for si := range b.Series {
		for ri := range b.Rows {
			v := b.value(si, ri)
			most = math.Max(most, v)
			whole = whole && v == math.Trunc(v)
		}
	}
	empty := len(b.Rows) == 0 || len(b.Series) == 0

	// Row labels on the left, as wide as the longest (within bounds),
	// wrapped to two lines when longer; value labels on the right.
	labelCol := 0.0
	rows := make([][]string, len(b.Rows))
	limit := float64(w) * maxLabelFrac
	for i, r := range b.Rows {
		rows[i] = wrap(r, int(limit/charWidth))
		for _, line := range rows[i] {
			labelCol = math.Max(labelCol, textWidth(line, fontSize))
		}
	}
	labelCol = math.Min(labelCol, limit) + pad
	valueCol := 0.0
	for si := range b.Series {
		for ri := range b.Rows {
			valueCol = math.Max(valueCol, textWidth(b.label(si, ri), fontSize))
		}
	}
	valueCol += pad

	legendH := 0.0
	type legendItem struct{ x, y float64 }
	var legend []legendItem
	if len(b.Series) > 1 && !empty {
		x, y := float64(pad), float64(pad)
		for _, s := range b.Series {
			iw := 14 + 6 + textWidth(s.Name, fontSize) + 18
			if x+iw > float64(w-pad) && x > pad {
				x, y = pad, y+legendRow
			}
			legend = append(legend, legendItem{x, y})
			x += iw
		}
		legendH = y + legendRow
	}

	nSeries := max1(len(b.Series))
	groupH := float64(nSeries)*barHeight + float64(nSeries-1)*barGap
	// A wrapped label needs room for its lines.
	lineH := float64(fontSize) + 3
	top := legendH + pad
	rowTops := make([]float64, len(b.Rows))
	y := top
	for i := range b.Rows {
		rowTops[i] = y
		h := math.Max(groupH, float64(len(rows[i]))*lineH)
		y += h + groupGap
	}
	plotBottom := y - groupGap + pad
	height := plotBottom + axisHeight
	if empty {
		height = 80
	}

	x0 := labelCol + pad
	plotW := float64(w) - x0 - valueCol - pad
	if plotW < 60 {
		plotW = 60
	}
	step, scaleMax := scale(most, whole)

	fmt.Fprintf(&out, `<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" aria-labelledby="%[1]s-title %[1]s-desc" viewBox="0 0 %[2]d %[3]s" width="%[2]d" height="%[3]s" font-size="%[4]d">`,
		id, w, num(height), fontSize)
	fmt.Fprintf(&out, `<title id="%s-title">%s</title><desc id="%s-desc">%s</desc>`, id, esc(b.Title), id, esc(b.Desc))
	if empty {
		fmt.Fprintf(&out, `<rect x="0.5" y="0.5" width="%d" height="79" fill="none" stroke="#6b6b6b" stroke-dasharray="4 3"/>`, w-1)
		fmt.Fprintf(&out, `<text x="%s" y="45" text-anchor="middle" fill="%s">%s</text></svg>`, num(float64(w)/2), TextColour, esc(b.Empty))
		return template.HTML(out.String())
	}

	// Patterns of the series that have one.
	out.WriteString("<defs>")
	for si := range b.Series {
		st := styles[si%len(styles)]
		if st.pattern != "" {
			out.WriteString(patternDef(id, si, st))
		}
	}
	out.WriteString("</defs>")

	// Legend.
	for si, s := range b.Series {
		if si >= len(legend) {
			break
		}
		it := legend[si]
		fmt.Fprintf(&out, `<g class="legend"><rect x="%s" y="%s" width="14" height="14" %s/><text x="%s" y="%s">%s</text></g>`,
			num(it.x), num(it.y), fillAttrs(id, si), num(it.x+20), num(it.y+11.5), esc(s.Name))
	}

	// Grid and axis: ticks at round values, labelled at the bottom.
	ticks := []float64{0}
	if most > 0 {
		ticks = tickValues(step, scaleMax)
	}
	for _, t := range ticks {
		x := x0 + plotW*t/scaleMax
		fmt.Fprintf(&out, `<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="#d0d0d0" stroke-width="1"/>`,
			num(x), num(top-4), num(x), num(plotBottom))
		fmt.Fprintf(&out, `<text class="tick" x="%s" y="%s" font-size="%d" text-anchor="middle" fill="%s">%s</text>`,
			num(x), num(plotBottom+16), tickFont, TextColour, esc(b.tick(t)))
	}
	fmt.Fprintf(&out, `<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s" stroke-width="1.5"/>`,
		num(x0), num(top-4), num(x0), num(plotBottom), TextColour)

	// Rows: the label, then a bar and its value per series.
	for ri := range b.Rows {
		ry := rowTops[ri]
		h := math.Max(groupH, float64(len(rows[ri]))*lineH)
		// The label is centred on the row's bars.
		ly := ry + h/2 - float64(len(rows[ri])-1)*lineH/2 + fontSize*0.35
		fmt.Fprintf(&out, `<text class="row" x="%s" y="%s" text-anchor="end" fill="%s">`, num(x0-pad), num(ly), TextColour)
		for li, line := range rows[ri] {
			if li == 0 {
				fmt.Fprintf(&out, `<tspan x="%s">%s</tspan>`, num(x0-pad), esc(line))
			} else {
				fmt.Fprintf(&out, `<tspan x="%s" dy="%s">%s</tspan>`, num(x0-pad), num(lineH), esc(line))
			}
		}
		out.WriteString("</text>")
		by := ry + (h-groupH)/2
		for si := range b.Series {
			v := b.value(si, ri)
			bw := plotW * v / scaleMax
			fmt.Fprintf(&out, `<rect class="bar" data-series="%d" data-row="%d" x="%s" y="%s" width="%s" height="%d" %s/>`,
				si, ri, num(x0), num(by), num(bw), barHeight, fillAttrs(id, si))
			fmt.Fprintf(&out, `<text class="value" data-series="%d" data-row="%d" x="%s" y="%s" fill="%s">%s</text>`,
				si, ri, num(x0+bw+5), num(by+barHeight/2+fontSize*0.35), TextColour, esc(b.label(si, ri)))
			by += barHeight + barGap
		}
	}
	out.WriteString("</svg>")
	return template.HTML(out.String())
}

// value returns the value of a series in a row (0 when missing or
// negative).
func (b Bars) value(si, ri int) float64 {
	s := b.Series[si]
	if ri >= len(s.Values) || s.Values[ri] < 0 || math.IsNaN(s.Values[ri]) || math.IsInf(s.Values[ri], 0) {
		return 0
	}
	return s.Values[ri]
}

// label returns the value of a series in a row as people read it.
func (b Bars) label(si, ri int) string {
	s := b.Series[si]
	if ri < len(s.Labels) && s.Labels[ri] != "" {
		return s.Labels[ri]
	}
	return b.tick(b.value(si, ri))
}

func (b Bars) tick(v float64) string {
	if b.Tick != nil {
		return b.Tick(v)
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// fillAttrs paints a bar or legend swatch of a series: its colour or
// pattern, outlined in its colour so that a light pattern still shows its
// edge.
func fillAttrs(id string, si int) string {
	st := styles[si%len(styles)]
	fill := st.colour
	if st.pattern != "" {
		fill = "url(#" + patternID(id, si) + ")"
	}
	return `fill="` + fill + `" stroke="` + st.colour + `" stroke-width="1.5"`
}

func patternID(id string, si int) string { return id + "-p" + strconv.Itoa(si) }

func patternDef(id string, si int, st style) string {
	var shape string
	switch st.pattern {
	case "hatch":
		shape = `<path d="M-1,1 l2,-2 M0,6 l6,-6 M5,7 l2,-2" stroke="` + st.colour + `" stroke-width="2"/>`
	case "reverse":
		shape = `<path d="M-1,5 l2,2 M0,0 l6,6 M5,-1 l2,2" stroke="` + st.colour + `" stroke-width="2"/>`
	case "dots":
		shape = `<circle cx="3" cy="3" r="1.6" fill="` + st.colour + `"/>`
	case "cross":
		shape = `<path d="M0,3 h6 M3,0 v6" stroke="` + st.colour + `" stroke-width="1.5"/>`
	}
	return `<pattern id="` + patternID(id, si) + `" width="6" height="6" patternUnits="userSpaceOnUse"><rect width="6" height="6" fill="#ffffff"/>` + shape + `</pattern>`
}

// scale picks the axis: a round step (1, 2, 2.5 or 5 times a power of
// ten, and a whole number when every value is) that reaches most in at most
// five steps, and the end of the axis, a whole number of steps.
func scale(most float64, whole bool) (step, end float64) {
	if most <= 0 {
		return 1, 1
	}
	raw := most / 5
	if whole && raw < 1 {
		raw = 1
	}
	exp := math.Pow(10, math.Floor(math.Log10(raw)))
	step = 10 * exp
	for _, m := range []float64{1, 2, 2.5, 5} {
		if c := m * exp; c >= raw*(1-1e-9) && (!whole || c == math.Trunc(c)) {
			step = c
			break
		}
	}
	return step, step * math.Ceil(most/step-1e-9)
}

// tickValues are 0 and each step up to end.
func tickValues(step, end float64) []float64 {
	var out []float64
	for i := 0.0; i*step <= end*(1+1e-9); i++ {
		out = append(out, math.Round(i*step*1e9)/1e9)
	}
	return out
}

// wrap breaks a label into at most two lines of about width characters,
// at spaces; a second line too long is cut with an ellipsis.
func wrap(s string, width int) []string {
	if width < 8 {
		width = 8
	}
	if utf8.RuneCountInString(s) <= width {
		return []string{s}
	}
	words := strings.Fields(s)
	first := ""
	i := 0
	for ; i < len(words); i++ {
		next := strings.TrimSpace(first + " " + words[i])
		if utf8.RuneCountInString(next) > width && first != "" {
			break
		}
		first = next
	}
	rest := strings.Join(words[i:], " ")
	lines := []string{truncate(first, width)}
	if rest != "" {
		lines = append(lines, truncate(rest, width))
	}
	return lines
}

func truncate(s string, width int) string {
	if utf8.RuneCountInString(s) <= width {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:width-1])) + "…"
}

// textWidth estimates how wide text is drawn.
func textWidth(s string, size float64) float64 {
	return float64(utf8.RuneCountInString(s)) * charWidth * size / fontSize
}

// num writes a coordinate with at most two decimals.
func num(v float64) string {
	return strconv.FormatFloat(math.Round(v*100)/100, 'f', -1, 64)
}

func esc(s string) string { return html.EscapeString(s) }

func max1(n int) int {
	if n < 1 {
		return 1
	}
	return n
}

// sanitizeID keeps what an XML ID may hold.
func sanitizeID(id string) string {
	var b strings.Builder
	for _, r := range id {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_':
			b.WriteRune(r)
		default:
			b.WriteRune('-')
		}
	}
	if b.Len() == 0 || !(b.String()[0] >= 'a' && b.String()[0] <= 'z' || b.String()[0] >= 'A' && b.String()[0] <= 'Z') {
		return "chart-" + b.String()
	}
	return b.String()
}
