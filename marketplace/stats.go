package marketplace

import (
	"context"
	"sort"
	"time"
)

// Funnel counts what became of matches: made, introduced, ended in a deal
// (with the value of the trade) or not, or dismissed.
type Funnel struct {
	Matches    int   `json:"matches"`
	Introduced int   `json:"introduced"`
	Deals      int   `json:"deals"`
	NoDeals    int   `json:"no_deals"`
	Dismissed  int   `json:"dismissed"`
	ValuePence int64 `json:"value_pence"`
}

func (f *Funnel) add(m *Match) {
	f.Matches++
	if m.IntroducedAt != nil {
		f.Introduced++
	}
	switch m.Status {
	case MatchDeal:
		f.Deals++
		f.ValuePence += m.DealValuePence
	case MatchNoDeal:
		f.NoDeals++
	case MatchDismissed:
		f.Dismissed++
	}
}

// GroupFunnel is the funnel of one sector, area, region, nation or month.
type GroupFunnel struct {
	Key  string `json:"key"`
	Name string `json:"name"`
	Funnel
}

// TradeStats are the federation's figures for the matches made in a period:
// the funnel overall and by sector, by postcode area, by region and by
// nation (all the need's) and by month. Each breakdown adds up to the
// totals.
type TradeStats struct {
	From     time.Time     `json:"from"`
	To       time.Time     `json:"to"`
	Totals   Funnel        `json:"totals"`
	BySector []GroupFunnel `json:"by_sector"`
	ByArea   []GroupFunnel `json:"by_area"`
	ByRegion []GroupFunnel `json:"by_region"`
	ByNation []GroupFunnel `json:"by_nation"`
	ByMonth  []GroupFunnel `json:"by_month"`
}

// Stats computes the figures for matches made from from (inclusive) to to
// (exclusive). Staff only. The sums are made here rather than in the
// database: one pass over the period's matches, and figures that do not
// depend on what a database's aggregation supports.
func (s *Service) Stats(ctx context.Context, from, to time.Time) (*TradeStats, error) {
	if err := s.requireStaff(ctx, "see the federation's figures"); err != nil {
		return nil, err
	}
	if !from.Before(to) {
		return nil, Invalid(Broken("from", RuleBefore, RuleParams{Other: "to"}))
	}
	if to.Sub(from) > 10*366*24*time.Hour {
		return nil, Invalid(Broken("to", RuleWithinYears, RuleParams{Max: 10, Other: "from"}))
	}
	st := &TradeStats{From: from.UTC(), To: to.UTC()}
	sectors, areas, months := map[string]*GroupFunnel{}, map[string]*GroupFunnel{}, map[string]*GroupFunnel{}
	regions, nations := map[string]*GroupFunnel{}, map[string]*GroupFunnel{}
	group := func(m map[string]*GroupFunnel, key, name string) *GroupFunnel {
		g := m[key]
		if g == nil {
			g = &GroupFunnel{Key: key, Name: name}
			m[key] = g
		}
		return g
	}
	err := s.Matches.WalkMatches(ctx, from, to, func(m *Match) error {
		st.Totals.add(m)
		sector, sectorName := "", "Unknown"
		if c, ok := Taxonomy.Category(m.Category); ok {
			sec, _ := Taxonomy.Sector(c.Sector)
			sector, sectorName = sec.Slug, sec.Name
		}
		group(sectors, sector, sectorName).add(m)
		area, areaName := m.Area, "UK-wide or remote"
		if a, ok := FindPostcodeArea(m.Area); ok && m.Area != "" {
			areaName = a.Name
		} else {
			area = ""
		}
		group(areas, area, areaName).add(m)
		region, nation := PlaceRegion(m.District, area)
		regionName, nationName := RegionNames[region], RegionNames[nation]
		if region == "" {
			regionName, nationName = "UK-wide or remote", "UK-wide or remote"
		}
		group(regions, region, regionName).add(m)
		group(nations, nation, nationName).add(m)
		month := m.CreatedAt.UTC().Format("2006-01")
		group(months, month, m.CreatedAt.UTC().Format("January 2006")).add(m)
		return nil
	})
	if err != nil {
		return nil, err
	}
	st.BySector = sortedGroups(sectors, false)
	st.ByArea = sortedGroups(areas, false)
	st.ByRegion = sortedGroups(regions, false)
	st.ByNation = sortedGroups(nations, false)
	st.ByMonth = sortedGroups(months, true)
	return st, nil
}

// sortedGroups lists groups by value of trade, then matches (or by key,
// for months).
func sortedGroups(m map[string]*GroupFunnel, byKey bool) []GroupFunnel {
	out := make([]GroupFunnel, 0, len(m))
	for _, g := range m {
		out = append(out, *g)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if byKey || (a.ValuePence == b.ValuePence && a.Matches == b.Matches) {
			return a.Key < b.Key
		}
		if a.ValuePence != b.ValuePence {
			return a.ValuePence > b.ValuePence
		}
		return a.Matches > b.Matches
	})
	return out
}
