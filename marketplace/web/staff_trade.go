package web

import (
	"bytes"
	"encoding/csv"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"cooptrade/marketplace"
)

// tradeTable is a table of confirmed trade: by origin, sector, nation,
// region, area, month or supplier (a joint quote's deal split by its parts), with its
// total.
type tradeTable struct {
	// Key is one of tradeTableKeys.
	Key  string
	Rows []tradeRow
	// Deals and Value are the totals, the same for every table.
	Deals int
	Value int64
	// CSV is the address of its download.
	CSV string
}

// tradeRow is one line of a table of trade.
type tradeRow struct {
	Name, Key string
	Deals     int
	Value     int64
}

// tradeTableKeys are the tables of confirmed trade, in their order on the
// page.
var tradeTableKeys = []string{"origin", "sector", "nation", "region", "area", "month", "supplier"}

// tradeTables reads the confirmed trade agreed in the months from from to
// to (inclusive) and words its tables in the page's language.
func (s *Server) tradeTables(c *fiber.Ctx, p *Page, from, to time.Time) ([]tradeTable, error) {
	f, err := s.service.TradeByMonths(c.UserContext(), from, to.AddDate(0, 1, 0))
	if err != nil {
		return nil, err
	}
	months := map[string]marketplace.TradeGroup{}
	for _, g := range f.ByMonth {
		months[g.Key] = g
	}
	var byMonth []marketplace.TradeGroup
	for m := from; !m.After(to); m = m.AddDate(0, 1, 0) {
		g := months[m.Format("2006-01")]
		g.Key = m.Format("2006-01")
		byMonth = append(byMonth, g)
	}
	groups := map[string][]marketplace.TradeGroup{"origin": f.ByOrigin, "sector": f.BySector, "area": f.ByArea, "nation": f.ByNation, "region": f.ByRegion, "month": byMonth, "supplier": f.BySupplier}
	query := "from=" + from.Format("2006-01") + "&to=" + to.Format("2006-01")
	var tables []tradeTable
	for _, key := range tradeTableKeys {
		t := tradeTable{Key: key, Deals: f.Deals, Value: f.ValuePence, CSV: "/staff/figures/trade.csv?table=" + key + "&" + query}
		for _, g := range groups[key] {
			name := g.Name
			if key != "supplier" {
				name = p.tradeName(key, g.Key)
			}
			t.Rows = append(t.Rows, tradeRow{Name: name, Key: g.Key, Deals: g.Deals, Value: g.ValuePence})
		}
		tables = append(tables, t)
	}
	return tables, nil
}

// tradeName words the key of a row of a table of trade.
func (p *Page) tradeName(table, key string) string {
	switch table {
	case "origin":
		return p.T("deal.origin." + key)
	case "sector":
		if key == "" {
			return p.T("staff.figures.unknown_sector")
		}
		return p.Sector(key)
	case "area":
		if key == "" {
			return p.T("staff.figures.uk_wide")
		}
		return p.Area(key)
	case "nation", "region":
		if key == "" {
			return p.T("staff.figures.uk_wide")
		}
		return p.Region(key)
	}
	t, err := time.Parse("2006-01", key)
	if err != nil {
		return key
	}
	return p.staffMonth(t)
}

// handleStaffTradeCSV downloads one table of confirmed trade as CSV
// (?table=origin|sector|nation|region|area|month|supplier&from=2026-01&to=2026-12; the default
// period is the twelve months to this one).
func (s *Server) handleStaffTradeCSV(c *fiber.Ctx) error {
	p := s.staffPage(c, "staff.figures.title", "staff.figures.desc")
	now := s.now().In(ukTime)
	to := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	from := to.AddDate(0, -11, 0)
	for _, v := range []struct {
		name string
		dst  *time.Time
	}{{"from", &from}, {"to", &to}} {
		if raw := query(c, v.name); raw != "" {
			t, err := time.Parse("2006-01", raw)
			if err != nil {
				return s.renderError(c, marketplace.Invalid(marketplace.Broken(v.name, marketplace.RuleInvalid, marketplace.RuleParams{Value: "a month such as 2026-01"})))
			}
			*v.dst = t
		}
	}
	table := query(c, "table")
	tables, err := s.tradeTables(c, p, from, to)
	if err != nil {
		return s.renderError(c, err)
	}
	for _, t := range tables {
		if t.Key != table {
			continue
		}
		var buf bytes.Buffer
		w := csv.NewWriter(&buf)
		_ = w.Write([]string{p.T("staff.figures.col." + t.Key), "key", p.T("staff.figures.col.deals"), "value_pence", p.T("staff.figures.col.value")})
		for _, r := range t.Rows {
			_ = w.Write([]string{csvSafe(r.Name), r.Key, strconv.Itoa(r.Deals), strconv.FormatInt(r.Value, 10), formatMoney(r.Value)})
		}
		_ = w.Write([]string{p.T("staff.figures.total"), "", strconv.Itoa(t.Deals), strconv.FormatInt(t.Value, 10), formatMoney(t.Value)})
		w.Flush()
		c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
		c.Set(fiber.HeaderContentDisposition, `attachment; filename="trade-by-`+t.Key+"-"+from.Format("2006-01")+"-"+to.Format("2006-01")+`.csv"`)
		c.Set(fiber.HeaderCacheControl, "private, no-store")
		return c.Send(buf.Bytes())
	}
	return s.renderError(c, marketplace.Invalid(marketplace.Broken("table", marketplace.RuleOneOf, marketplace.RuleParams{Options: tradeTableKeys})))
}

// csvSafe keeps a spreadsheet from taking a cell for a formula.
func csvSafe(s string) string {
	if s != "" && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@') {
		return "'" + s
	}
	return s
}
