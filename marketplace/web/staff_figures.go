package web

import (
	"html/template"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"cooptrade/marketplace"
	"cooptrade/marketplace/web/chart"
)

// staffFiguresData is the federation's figures for a period of whole
// months: three charts, each with its numbers in a table.
type staffFiguresData struct {
	Stats *marketplace.TradeStats
	// FromMonth and ToMonth name the period's first and last months.
	FromMonth, ToMonth string
	// Months has a row for every month of the period, Sectors and Areas
	// one for each with matches.
	Months, Sectors, Areas []figureRow
	// Regions and Nations are the rows by the need's region and nation.
	Regions, Nations []figureRow
	// Funnel is the chart of the months, drawn as SVG.
	Funnel template.HTML
	// Values are the charts of the value of trade, by sector and by area.
	Values []staffFigure
	// Fields are the period's form fields.
	Fields []string
	// Trade are the tables of confirmed deals (staff_trade.go).
	Trade []tradeTable
}

// staffFigure is a chart of the value of trade and its table.
type staffFigure struct {
	// Key is "sector" or "area".
	Key   string
	Chart template.HTML
	Rows  []figureRow
	// Cut is how many rows the chart shows when it shows fewer than the
	// table (0: all).
	Cut int
}

// figureRow is a line of a figures table: a month, sector or area and its
// funnel.
type figureRow struct {
	Name string
	marketplace.Funnel
}

// chartWidth is the charts' natural width: they shrink on a phone.
const chartWidth = 400

// maxAreaBars is how many areas the area chart shows; the table has all.
const maxAreaBars = 10

// handleStaffFigures shows the figures for ?from= to ?to= (months, as
// 2026-01; the default is the twelve months to this one).
func (s *Server) handleStaffFigures(c *fiber.Ctx) error {
	p := s.staffPage(c, "staff.figures.title", "staff.figures.desc")
	d := &staffFiguresData{Fields: []string{"from", "to"}}
	p.Data = d
	now := s.now().In(ukTime)
	thisMonth := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	from, to := thisMonth.AddDate(0, -11, 0), thisMonth
	for _, v := range []struct {
		name string
		dst  *time.Time
	}{{"from", &from}, {"to", &to}} {
		raw := query(c, v.name)
		if raw == "" {
			p.Form.Values[v.name] = v.dst.Format("2006-01")
			continue
		}
		p.Form.Values[v.name] = raw
		t, err := time.Parse("2006-01", raw)
		if err != nil {
			p.Form.add(v.name, "staff.figures.error.month")
			continue
		}
		*v.dst = t
	}
	if p.Form.ok() && from.After(to) {
		p.Form.add("to", "staff.figures.error.order")
	}
	if p.Form.ok() && to.Sub(from) > 10*365*24*time.Hour {
		p.Form.add("to", "staff.figures.error.range")
	}
	if !p.Form.ok() {
		return s.render(c, fiber.StatusBadRequest, "staff_figures", p)
	}
	st, err := s.service.Stats(c.UserContext(), from, to.AddDate(0, 1, 0))
	if err != nil {
		return s.renderError(c, err)
	}
	d.Stats, d.FromMonth, d.ToMonth = st, p.staffMonth(from), p.staffMonth(to)
	s.figures(p, d, from, to)
	if d.Trade, err = s.tradeTables(c, p, from, to); err != nil {
		return s.renderError(c, err)
	}
	return s.render(c, fiber.StatusOK, "staff_figures", p)
}

// staffMonth writes a month and its year: "November 2026", "Tachwedd 2026".
func (p *Page) staffMonth(t time.Time) string {
	return p.T("month."+strconv.Itoa(int(t.Month()))) + " " + strconv.Itoa(t.Year())
}

// figures fills the tables and draws the charts of the figures.
func (s *Server) figures(p *Page, d *staffFiguresData, from, to time.Time) {
	st := d.Stats
	byMonth := map[string]marketplace.Funnel{}
	for _, g := range st.ByMonth {
		byMonth[g.Key] = g.Funnel
	}
	for m := from; !m.After(to); m = m.AddDate(0, 1, 0) {
		d.Months = append(d.Months, figureRow{Name: p.staffMonth(m), Funnel: byMonth[m.Format("2006-01")]})
	}
	for _, g := range st.BySector {
		name := p.T("staff.figures.unknown_sector")
		if g.Key != "" {
			name = p.Sector(g.Key)
		}
		d.Sectors = append(d.Sectors, figureRow{Name: name, Funnel: g.Funnel})
	}
	for _, g := range st.ByArea {
		name := p.T("staff.figures.uk_wide")
		if g.Key != "" {
			name = p.Area(g.Key)
		}
		d.Areas = append(d.Areas, figureRow{Name: name, Funnel: g.Funnel})
	}
	for _, g := range st.ByRegion {
		name := p.T("staff.figures.uk_wide")
		if g.Key != "" {
			name = p.Region(g.Key)
		}
		d.Regions = append(d.Regions, figureRow{Name: name, Funnel: g.Funnel})
	}
	for _, g := range st.ByNation {
		name := p.T("staff.figures.uk_wide")
		if g.Key != "" {
			name = p.Region(g.Key)
		}
		d.Nations = append(d.Nations, figureRow{Name: name, Funnel: g.Funnel})
	}

	empty := p.T("staff.figures.empty")
	money := func(v float64) string { return formatMoney(int64(v)) }
	count := func(v float64) string { return formatNumber(int64(v)) }
	totals := st.Totals

	funnel := chart.Bars{ID: "chart-funnel", Width: chartWidth, Title: p.T("staff.figures.funnel"), Tick: count, Empty: empty,
		Desc: p.T("staff.figures.summary", "From", d.FromMonth, "To", d.ToMonth, "Matches", formatNumber(int64(totals.Matches)),
			"Introduced", formatNumber(int64(totals.Introduced)), "Deals", formatNumber(int64(totals.Deals)), "Value", formatMoney(totals.ValuePence))}
	if totals.Matches > 0 {
		series := []chart.Series{{Name: p.T("staff.figures.series.matches")}, {Name: p.T("staff.figures.series.introduced")}, {Name: p.T("staff.figures.series.deals")}}
		for _, r := range d.Months {
			funnel.Rows = append(funnel.Rows, r.Name)
			for i, v := range []int{r.Matches, r.Introduced, r.Deals} {
				series[i].Values = append(series[i].Values, float64(v))
				series[i].Labels = append(series[i].Labels, formatNumber(int64(v)))
			}
		}
		funnel.Series = series
	}
	d.Funnel = funnel.SVG()

	valueChart := func(id, titleKey, descKey string, rows []figureRow, limit int) chart.Bars {
		b := chart.Bars{ID: id, Width: chartWidth, Title: p.T(titleKey), Tick: money, Empty: empty, Desc: empty}
		if totals.Matches == 0 || len(rows) == 0 {
			return b
		}
		top := rows[0]
		b.Desc = p.T(descKey, "Name", top.Name, "Value", formatMoney(top.ValuePence), "Total", formatMoney(totals.ValuePence))
		s := chart.Series{Name: p.T("staff.figures.col.value")}
		for i, r := range rows {
			if i == limit {
				break
			}
			b.Rows = append(b.Rows, r.Name)
			s.Values = append(s.Values, float64(r.ValuePence))
			s.Labels = append(s.Labels, formatMoney(r.ValuePence))
		}
		b.Series = []chart.Series{s}
		return b
	}
	d.Values = []staffFigure{
		{Key: "sector", Rows: d.Sectors,
			Chart: valueChart("chart-sector", "staff.figures.by_sector", "staff.figures.by_sector_desc", d.Sectors, len(d.Sectors)).SVG()},
		{Key: "area", Rows: d.Areas,
			Chart: valueChart("chart-area", "staff.figures.by_area", "staff.figures.by_area_desc", d.Areas, maxAreaBars).SVG()},
		{Key: "region", Rows: d.Regions,
			Chart: valueChart("chart-region", "staff.figures.by_region", "staff.figures.by_region_desc", d.Regions, len(d.Regions)).SVG()},
		{Key: "nation", Rows: d.Nations,
			Chart: valueChart("chart-nation", "staff.figures.by_nation", "staff.figures.by_nation_desc", d.Nations, len(d.Nations)).SVG()},
	}
	if len(d.Areas) > maxAreaBars {
		d.Values[1].Cut = maxAreaBars
	}
}
