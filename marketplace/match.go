package marketplace

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"
	"unicode"
)

// MatchStatus is where staff review of a match has got to.
type MatchStatus string

// Match statuses. A new match waits for staff; introduced means both sides
// were put in touch; the review ends in dismissed, deal or no_deal.
const (
	MatchNew        MatchStatus = "new"
	MatchIntroduced MatchStatus = "introduced"
	MatchDismissed  MatchStatus = "dismissed"
	MatchDeal       MatchStatus = "deal"
	MatchNoDeal     MatchStatus = "no_deal"
)

// Valid reports whether s is a known match status.
func (s MatchStatus) Valid() bool {
	switch s {
	case MatchNew, MatchIntroduced, MatchDismissed, MatchDeal, MatchNoDeal:
		return true
	}
	return false
}

// Match is an offer and a need that fit each other, with the score and the
// reasons that say why.
type Match struct {
	ID            string        `json:"id"`
	OfferID       string        `json:"offer_id"`
	NeedID        string        `json:"need_id"`
	OfferMemberID string        `json:"offer_member_id"`
	NeedMemberID  string        `json:"need_member_id"`
	Score         float64       `json:"score"`
	Reasons       []MatchReason `json:"reasons"`
	Status        MatchStatus   `json:"status"`
	// Retired is set when either listing is no longer open: the match
	// leaves the review queue but its history stays.
	Retired bool `json:"retired"`
	// Category and Area are the need's, for staff to filter the queue.
	Category string `json:"category"`
	Area     string `json:"area,omitempty"`
	// OfferVersion and NeedVersion are the versions that were scored.
	OfferVersion   int64      `json:"offer_version"`
	NeedVersion    int64      `json:"need_version"`
	ReviewerID     string     `json:"reviewer_id,omitempty"`
	Notes          string     `json:"notes,omitempty"`
	DealValuePence int64      `json:"deal_value_pence,omitempty"`
	IntroducedAt   *time.Time `json:"introduced_at,omitempty"`
	DecidedAt      *time.Time `json:"decided_at,omitempty"`
	// Declined lists the members that said "not interested".
	Declined  []string  `json:"declined,omitempty"`
	Version   int64     `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	// NotifiedAt is when both sides were told of the match; nil until
	// then, which is how the reconciler finds matches still to announce.
	NotifiedAt *time.Time `json:"-"`
}

// MatchID is the stable ID of the match of an offer and a need, so that
// scoring a pair again updates its match rather than adding one.
func MatchID(offerID, needID string) string {
	return offerID + "-" + needID
}

// MatchReason is one part of a match's score.
type MatchReason struct {
	Code   string  `json:"code"`   // category, distance, tags, words, price, deadline, freshness
	Points float64 `json:"points"` // what it added to the score
	Max    float64 `json:"max"`    // what it could have added
	Detail string  `json:"detail"` // for people: "Both in Print runs"
}

// MatchWeights are the points each part of a score may add, out of 100,
// and the score a pair needs to become a match. They live here, in one
// place, with tests that pin the ordering they give.
var MatchWeights = struct {
	Category, Distance, Tags, Words, Price, Deadline, Freshness float64
	Threshold                                                   float64
}{
	Category: 30, Distance: 15, Tags: 15, Words: 20, Price: 10, Deadline: 5, Freshness: 5,
	Threshold: 50,
}

// Open reports whether a listing can take part in matching at now:
// published, not past its expiry or deadline.
func (l *Listing) Open(now time.Time) bool {
	if l.Status != StatusPublished {
		return false
	}
	if l.ExpiresAt != nil && !l.ExpiresAt.After(now) {
		return false
	}
	return l.Deadline == nil || l.Deadline.After(now)
}

// Reaches reports whether an offer and a need are within reach of each
// other: either is UK-wide or remote, or the offer's radius covers the
// need's area.
func Reaches(offer, need *Listing) bool {
	if offer.Remote || need.Remote {
		return true
	}
	if offer.Area == "" || need.Area == "" {
		return false
	}
	return DistanceKM(offer.Lat, offer.Lon, need.Lat, need.Lon) <= float64(offer.RadiusKM)
}

// CategoriesRelated reports whether two categories may answer each other:
// the same, in one sector, or in related sectors.
func CategoriesRelated(a, b string) bool {
	return Taxonomy.Related(a, b)
}

// Candidate is a listing being considered as a counterpart, with what
// scoring needs to know of it and its member, prepared once.
type Candidate struct {
	Listing *Listing
	// Listed is whether the member's standing keeps its listings listed.
	Listed bool
	// Words are the distinct significant words of title and description.
	Words map[string]bool
}

// NewCandidate prepares a listing for scoring.
func NewCandidate(l *Listing, memberListed bool) Candidate {
	return Candidate{Listing: l, Listed: memberListed, Words: SignificantWords(l.Title + " " + l.Description)}
}

// Eligible checks the hard constraints between two candidates: opposite
// kinds, both open, members in good standing, different members, related
// categories, within reach. Scoring only ranks pairs that pass.
func Eligible(a, b Candidate, now time.Time) bool {
	x, y := a.Listing, b.Listing
	if x.Kind == y.Kind || x.MemberID == y.MemberID || !a.Listed || !b.Listed {
		return false
	}
	if !x.Open(now) || !y.Open(now) {
		return false
	}
	offer, need := x, y
	if offer.Kind == KindNeed {
		offer, need = need, offer
	}
	return CategoriesRelated(need.Category, offer.Category) && Reaches(offer, need)
}

// Score rates how well an offer answers a need, out of 100, with the
// reasons. It assumes Eligible.
func Score(offer, need Candidate, now time.Time) (float64, []MatchReason) {
	w := MatchWeights
	o, n := offer.Listing, need.Listing
	var reasons []MatchReason
	add := func(code string, max, fraction float64, detail string) {
		fraction = math.Max(0, math.Min(1, fraction))
		reasons = append(reasons, MatchReason{Code: code, Points: round1(max * fraction), Max: max, Detail: detail})
	}

	// Category: the same is best, the same sector good, a related one fair.
	oc, _ := Taxonomy.Category(o.Category)
	nc, _ := Taxonomy.Category(n.Category)
	switch {
	case o.Category == n.Category:
		add("category", w.Category, 1, "Both in "+nc.Name)
	case oc.Sector == nc.Sector:
		add("category", w.Category, 0.6, fmt.Sprintf("%s and %s are in the same sector", oc.Name, nc.Name))
	default:
		add("category", w.Category, 0.15, fmt.Sprintf("%s can help with %s", oc.Name, nc.Name))
	}

	// Distance: near is better; remote work is nearly as good.
	switch {
	case o.Remote && n.Remote:
		add("distance", w.Distance, 1, "Both can work remotely")
	case o.Remote || n.Remote:
		add("distance", w.Distance, 0.8, "Can be done remotely or UK-wide")
	default:
		d := DistanceKM(o.Lat, o.Lon, n.Lat, n.Lon)
		frac := 1.0
		if d > 10 {
			frac = 1 - 0.7*(d-10)/math.Max(float64(o.RadiusKM)-10, 1)
		}
		add("distance", w.Distance, frac, fmt.Sprintf("%.0f km apart, within the %d km the supplier covers", d, o.RadiusKM))
	}

	// Tags in common, as a share of the shorter list.
	shared := sharedStrings(o.Tags, n.Tags)
	if shorter := min(len(o.Tags), len(n.Tags)); shorter > 0 {
		add("tags", w.Tags, float64(len(shared))/float64(min(shorter, 3)), tagDetail(shared))
	} else {
		add("tags", w.Tags, 0, "No tags to compare")
	}

	// Words in common between what each wrote.
	common := 0
	var some []string
	for word := range need.Words {
		if offer.Words[word] {
			common++
			some = append(some, word)
		}
	}
	sort.Strings(some)
	if len(some) > 5 {
		some = some[:5]
	}
	wordsDetail := "No words in common"
	if common > 0 {
		wordsDetail = "Words in common: " + strings.Join(some, ", ")
	}
	add("words", w.Words, float64(common)/4, wordsDetail)

	// Price against budget.
	priceFrac, priceDetail := priceFit(o, n)
	add("price", w.Price, priceFrac, priceDetail)

	// Deadline: a need whose deadline is weeks away can still be met.
	switch {
	case n.Deadline == nil:
		add("deadline", w.Deadline, 0.7, "No deadline given")
	default:
		days := n.Deadline.Sub(now).Hours() / 24
		add("deadline", w.Deadline, days/14, fmt.Sprintf("Deadline in %.0f days", math.Max(days, 0)))
	}

	// Freshness: the newer of the two listings counts.
	newest := publishedOrCreated(o)
	if t := publishedOrCreated(n); t.After(newest) {
		newest = t
	}
	age := now.Sub(newest).Hours() / 24
	add("freshness", w.Freshness, 1-(age-30)/150, fmt.Sprintf("Posted %.0f days ago", math.Max(age, 0)))

	total := 0.0
	for _, r := range reasons {
		total += r.Points
	}
	return round1(total), reasons
}

// priceFit compares an offer's price with a need's budget.
func priceFit(o, n *Listing) (float64, string) {
	oPriced := o.PriceMinPence > 0 || o.PriceMaxPence > 0
	nPriced := n.PriceMinPence > 0 || n.PriceMaxPence > 0
	switch {
	case !oPriced || !nPriced:
		return 0.5, "No price or no budget to compare"
	case o.PriceUnit != n.PriceUnit:
		return 0.3, fmt.Sprintf("Priced per %s, budget per %s", o.PriceUnit, n.PriceUnit)
	case o.PriceMinPence <= n.PriceMaxPence && n.PriceMinPence <= o.PriceMaxPence:
		return 1, fmt.Sprintf("Price %s–%s within the budget %s–%s", pounds(o.PriceMinPence), pounds(o.PriceMaxPence), pounds(n.PriceMinPence), pounds(n.PriceMaxPence))
	case o.PriceMinPence > n.PriceMaxPence:
		over := float64(o.PriceMinPence-n.PriceMaxPence) / float64(n.PriceMaxPence)
		return 1 - 2*over, fmt.Sprintf("Price from %s, above the budget of %s", pounds(o.PriceMinPence), pounds(n.PriceMaxPence))
	default:
		return 0.8, fmt.Sprintf("Price up to %s, below the budget of %s", pounds(o.PriceMaxPence), pounds(n.PriceMinPence))
	}
}

func publishedOrCreated(l *Listing) time.Time {
	if l.PublishedAt != nil {
		return *l.PublishedAt
	}
	return l.CreatedAt
}

func sharedStrings(a, b []string) []string {
	var shared []string
	for _, x := range a {
		for _, y := range b {
			if x == y {
				shared = append(shared, x)
				break
			}
		}
	}
	return shared
}

func tagDetail(shared []string) string {
	if len(shared) == 0 {
		return "No tags in common"
	}
	return "Tags in common: " + strings.Join(shared, ", ")
}

func pounds(pence int64) string {
	if pence%100 == 0 {
		return fmt.Sprintf("£%d", pence/100)
	}
	return fmt.Sprintf("£%d.%02d", pence/100, pence%100)
}

func round1(x float64) float64 { return math.Round(x*10) / 10 }

// stopWords are words too common in listings to say anything about a fit.
var stopWords = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`a an and are as at be by can co coop cooperative do for from have in is it
		its of on or our per the their this to up we will with you your need needs needed offer offers
		looking want wanted help new ltd limited workers worker`) {
		stopWords[w] = true
	}
}

// SignificantWords returns the distinct words of s that say something:
// lower-cased, without accents' marks or punctuation, stop words and words
// of fewer than three letters left out, plural "s" trimmed.
func SignificantWords(s string) map[string]bool {
	words := map[string]bool{}
	for _, f := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}) {
		if len(f) < 3 || stopWords[f] {
			continue
		}
		if len(f) > 4 && strings.HasSuffix(f, "s") && !strings.HasSuffix(f, "ss") {
			f = f[:len(f)-1]
		}
		words[f] = true
	}
	return words
}

// MatchFilter selects matches, best first.
type MatchFilter struct {
	Status   MatchStatus
	Category string
	Area     string
	MinScore float64
	MemberID string // matches where either side is this member's
	// IncludeRetired includes matches whose listings are no longer open.
	IncludeRetired bool
	Cursor         string
	Limit          int
}

// MatchStore keeps matches.
type MatchStore interface {
	// FindMatchByID returns ENOTFOUND when there is no such match.
	FindMatchByID(ctx context.Context, id string) (*Match, error)
	// FindMatches returns a page of matches, best first, and the cursor of
	// the next page; EINVALID for a malformed cursor.
	FindMatches(ctx context.Context, f MatchFilter) ([]*Match, string, error)
	// FindMatchesOfListing returns every match a listing is part of.
	FindMatchesOfListing(ctx context.Context, listingID string) ([]*Match, error)
	// UpsertMatchScores creates matches or updates their scores, reasons
	// and versions, leaving their review alone. It reports which were new.
	UpsertMatchScores(ctx context.Context, ms []*Match) (created []string, err error)
	// RetireMatches marks matches as no longer open.
	RetireMatches(ctx context.Context, ids []string) error
	// UpdateMatch writes the review fields of m if the stored version is
	// still version; EPRECONDITION otherwise.
	UpdateMatch(ctx context.Context, m *Match, version int64) error
	// FindMatchesToNotify returns up to limit matches created before the
	// given time whose sides have not been told yet.
	FindMatchesToNotify(ctx context.Context, before time.Time, limit int) ([]*Match, error)
	// MarkMatchNotified records that both sides were told.
	MarkMatchNotified(ctx context.Context, id string, at time.Time) error
}
