package corpus

import (
	"fmt"
	"math/rand"
	"slices"
	"strings"
	"time"

	"cooptrade/marketplace"
)

// Config says what to generate. The zero value of each field is a default.
type Config struct {
	// Seed makes the output: the same seed and sizes give the same
	// federation.
	Seed int64
	// Listings is how many listings to make (default 1,000).
	Listings int
	// Members is how many members to make (default one per 12 listings,
	// at least one).
	Members int
	// Now is the time the federation is generated at: listings were
	// created before it, deadlines and expiry lie after it (default
	// 2026-11-27 09:00 UTC, so that output does not depend on the clock).
	Now time.Time
}

// DefaultNow is the Now of a zero Config.
var DefaultNow = time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)

// Generate makes a federation: members (mostly enterprise co-ops, some
// worker members; mostly in good standing) and their listings (mostly
// published offers, a third needs), each normalised and valid.
func Generate(cfg Config) ([]*marketplace.Member, []*marketplace.Listing) {
	if cfg.Listings <= 0 {
		cfg.Listings = 1000
	}
	if cfg.Members <= 0 {
		cfg.Members = max(1, cfg.Listings/12)
	}
	if cfg.Now.IsZero() {
		cfg.Now = DefaultNow
	}
	g := &generator{r: rand.New(rand.NewSource(cfg.Seed)), now: cfg.Now.UTC(), slugs: map[string]bool{}}
	members := make([]*marketplace.Member, cfg.Members)
	for i := range members {
		members[i] = g.member(i)
	}
	listings := make([]*marketplace.Listing, cfg.Listings)
	for i := range listings {
		// Busy members post more: a member is picked with a skew.
		m := members[g.skewed(len(members))]
		listings[i] = g.listing(i, m)
	}
	return members, listings
}

type generator struct {
	r     *rand.Rand
	now   time.Time
	slugs map[string]bool
}

// ID returns the 24-hex ID of the i-th item of a kind (1 members, 2
// listings), the shape of a MongoDB ObjectID.
func ID(kind, i int) string {
	return fmt.Sprintf("%08x%016x", 0x64c0ffee+kind, i+1)
}

func (g *generator) member(i int) *marketplace.Member {
	r := g.r
	area := g.area()
	sector := marketplace.Taxonomy.Sectors[r.Intn(len(marketplace.Taxonomy.Sectors))]
	sectors := []string{sector.Slug}
	if len(sector.Related) > 0 && r.Intn(3) == 0 {
		sectors = append(sectors, sector.Related[r.Intn(len(sector.Related))])
	}
	m := &marketplace.Member{
		ID:        ID(1, i),
		Kind:      marketplace.MemberEnterprise,
		Sectors:   sectors,
		Postcode:  g.postcode(area),
		Headcount: 2 + r.Intn(40),
		Standing:  g.standing(),
		CreatedAt: g.now.Add(-time.Duration(30+r.Intn(900)) * 24 * time.Hour),
		Version:   int64(1 + r.Intn(4)),
	}
	if r.Intn(10) == 0 {
		m.Kind = marketplace.MemberWorker
		m.Name = pick(r, firstNames) + " " + pick(r, lastNames)
		m.Headcount = 1
	} else {
		trades := sectorTrades[sector.Slug]
		place := pick(r, nameWords)
		if r.Intn(3) == 0 {
			a, _ := marketplace.FindPostcodeArea(area)
			place = strings.TrimPrefix(a.Name, "London ")
			if len(place) <= 2 {
				place = pick(r, nameWords)
			}
		}
		m.Name = place + " " + pick(r, trades) + " " + pick(r, nameForms)
		m.RegistrationNumber = fmt.Sprintf("%d%s", 10000+r.Intn(90000), pick(r, []string{"R", "", "R"}))
	}
	m.Slug = g.slug(marketplace.Slugify(m.Name))
	m.Email = "hello@" + m.Slug + ".coop.example"
	if r.Intn(4) != 0 {
		m.Website = "https://" + m.Slug + ".coop.example"
	}
	if m.Kind == marketplace.MemberWorker {
		m.Description = g.expand("Freelance "+strings.ToLower(pick(r, sectorTrades[sector.Slug]))+" worker, a member of the federation through the {place} working group.", area, m.Name)
	} else {
		m.Description = g.expand(pick(r, memberIntros), area, m.Name) + " " + pick(r, memberLines)
	}
	for _, v := range marketplace.Values {
		odds := 6
		switch v.Slug {
		case "living-wage":
			odds = 2
		case "co-op-marque":
			odds = 3
		case "welsh-language":
			if area != "CF" && area != "SA" && area != "LL" && area != "SY" {
				continue
			}
			odds = 2
		case "organic":
			if sector.Slug != "food-catering" && sector.Slug != "agriculture" {
				continue
			}
			odds = 2
		case "open-source":
			if sector.Slug != "software-digital" {
				continue
			}
			odds = 2
		}
		if r.Intn(odds) == 0 {
			m.Values = append(m.Values, v.Slug)
		}
	}
	m.UpdatedAt = m.CreatedAt.Add(time.Duration(r.Intn(20)) * 24 * time.Hour)
	m.Normalize()
	return m
}

func (g *generator) listing(i int, m *marketplace.Member) *marketplace.Listing {
	r := g.r
	kind := marketplace.KindOffer
	pool := g.templatesFor(offers, m.Sectors)
	if r.Intn(3) == 0 {
		kind = marketplace.KindNeed
		pool = needs // members need things outside their own trade
	}
	t := pool[r.Intn(len(pool))]
	l := &marketplace.Listing{
		ID:          ID(2, i),
		MemberID:    m.ID,
		Kind:        kind,
		Title:       g.expand(t.title, m.Area, m.Name),
		Description: g.expand(t.desc, m.Area, m.Name),
		Category:    t.category,
		Tags:        g.tags(t.tags),
		Postcode:    m.Postcode,
		Status:      g.status(),
		Version:     int64(1 + r.Intn(5)),
	}
	if r.Intn(4) == 0 {
		l.Description += " " + pick(r, memberLines)
	}
	if kind == marketplace.KindOffer {
		if r.Intn(100) < t.remote {
			l.Remote = true
			if r.Intn(2) == 0 {
				l.Postcode = ""
			}
		}
		if !l.Remote || r.Intn(2) == 0 {
			radius := t.radius
			if radius == 0 {
				radius = 100
			}
			l.RadiusKM = max(5, radius/2+r.Intn(radius))
		}
	}
	if t.maxGBP > 0 && r.Intn(10) < 8 {
		lo := t.minGBP + r.Int63n(max(1, (t.maxGBP-t.minGBP)/2))
		hi := lo + r.Int63n(max(1, t.maxGBP-lo))
		l.PriceMinPence, l.PriceMaxPence, l.PriceUnit = lo*100, hi*100, t.unit
		if r.Intn(3) == 0 {
			l.PriceMinPence = l.PriceMaxPence // one price rather than a range
		}
	}
	age := time.Duration(r.Intn(180*24)) * time.Hour
	l.CreatedAt = g.now.Add(-age)
	l.UpdatedAt = l.CreatedAt.Add(time.Duration(r.Int63n(int64(age) + 1)))
	if l.Status != marketplace.StatusDraft {
		p := l.CreatedAt.Add(time.Duration(r.Intn(48)) * time.Hour)
		if p.After(g.now) {
			p = g.now
		}
		l.PublishedAt = &p
	}
	if l.Status.Open() && l.Status != marketplace.StatusExpired {
		e := g.now.Add(time.Duration(1+r.Intn(89)) * 24 * time.Hour)
		l.ExpiresAt = &e
	}
	if kind == marketplace.KindNeed && r.Intn(3) != 0 {
		d := g.now.Add(time.Duration(3+r.Intn(80)) * 24 * time.Hour).Truncate(24 * time.Hour)
		l.Deadline = &d
	}
	l.Normalize()
	return l
}

// templatesFor returns the offer templates of a member's sectors.
func (g *generator) templatesFor(pool []template, sectors []string) []template {
	var out []template
	for _, t := range pool {
		c, _ := marketplace.Taxonomy.Category(t.category)
		if slices.Contains(sectors, c.Sector) {
			out = append(out, t)
		}
	}
	if len(out) == 0 {
		return pool
	}
	return out
}

func (g *generator) tags(from []string) []string {
	n := 1 + g.r.Intn(len(from))
	idx := g.r.Perm(len(from))[:n]
	slices.Sort(idx)
	tags := make([]string, n)
	for i, j := range idx {
		tags[i] = from[j]
	}
	return tags
}

func (g *generator) area() string {
	total := 0
	for _, a := range areaWeights {
		total += a.weight
	}
	n := g.r.Intn(total)
	for _, a := range areaWeights {
		if n < a.weight {
			return a.code
		}
		n -= a.weight
	}
	return "M"
}

// postcode makes a well-formed postcode in one of the area's first 20
// districts.
func (g *generator) postcode(area string) string {
	const letters = "ABDEFGHJLNPQRSTUWXYZ"
	r := g.r
	districts := marketplace.DistrictsOf(area)
	district := districts[r.Intn(min(20, len(districts)))]
	return fmt.Sprintf("%s %d%c%c", district, r.Intn(10), letters[r.Intn(len(letters))], letters[r.Intn(len(letters))])
}

func (g *generator) standing() marketplace.Standing {
	switch n := g.r.Intn(100); {
	case n < 84:
		return marketplace.StandingActive
	case n < 90:
		return marketplace.StandingPastDue
	case n < 94:
		return marketplace.StandingLapsed
	case n < 97:
		return marketplace.StandingPending
	case n < 99:
		return marketplace.StandingAwaitingPayment
	default:
		return marketplace.StandingCancelled
	}
}

func (g *generator) status() marketplace.ListingStatus {
	switch n := g.r.Intn(100); {
	case n < 86:
		return marketplace.StatusPublished
	case n < 90:
		return marketplace.StatusDraft
	case n < 93:
		return marketplace.StatusPaused
	case n < 97:
		return marketplace.StatusClosed
	case n < 99:
		return marketplace.StatusExpired
	default:
		return marketplace.StatusRemoved
	}
}

func (g *generator) slug(s string) string {
	base := s
	for n := 2; g.slugs[s]; n++ {
		s = fmt.Sprintf("%s-%d", base, n)
	}
	g.slugs[s] = true
	return s
}

// skewed picks an index in [0, n) with lower ones more likely.
func (g *generator) skewed(n int) int {
	x := g.r.Float64()
	return min(n-1, int(x*x*float64(n)))
}

// expand fills in a template's choices, place and member.
func (g *generator) expand(s, area, member string) string {
	a, _ := marketplace.FindPostcodeArea(area)
	s = strings.ReplaceAll(s, "{place}", a.Name)
	s = strings.ReplaceAll(s, "{member}", member)
	var b strings.Builder
	for {
		open := strings.IndexByte(s, '{')
		if open < 0 {
			b.WriteString(s)
			break
		}
		end := strings.IndexByte(s[open:], '}')
		if end < 0 {
			b.WriteString(s)
			break
		}
		b.WriteString(s[:open])
		b.WriteString(pick(g.r, strings.Split(s[open+1:open+end], "|")))
		s = s[open+end+1:]
	}
	return b.String()
}

func pick[T any](r *rand.Rand, from []T) T {
	return from[r.Intn(len(from))]
}
