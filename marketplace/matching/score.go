package matching

import (
	"cooptrade/marketplace"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"
)

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

// Candidate is a listing being considered as a counterpart, with what
// scoring needs to know of it and its member, prepared once.
type Candidate struct {
	Listing *marketplace.Listing
	// Listed is whether the member's standing keeps its listings listed.
	Listed bool
	// Words are the distinct significant words of title and description.
	Words map[string]bool

	f *features
}

// features are a candidate reduced to numbers, so that ranking thousands
// of candidates costs little: indexes into the taxonomy and district tables,
// sorted word and tag hashes, times in Unix seconds.
type features struct {
	category, sector, district int // -1 when unknown or none
	remote                     bool
	published                  bool
	radius                     float64
	words, tags                []uint64
	expires, deadline          int64 // 0: none
	newest                     int64
}

// NewCandidate prepares a listing for scoring.
func NewCandidate(l *marketplace.Listing, memberListed bool) Candidate {
	return newCandidate(l, memberListed, SignificantWords(l.Title+" "+l.Description))
}

// NewCandidateWithWords prepares a listing whose significant words are
// already known (its description may have been left out).
func NewCandidateWithWords(l *marketplace.Listing, memberListed bool, words []string) Candidate {
	set := make(map[string]bool, len(words))
	for _, w := range words {
		set[w] = true
	}
	return newCandidate(l, memberListed, set)
}

func newCandidate(l *marketplace.Listing, listed bool, words map[string]bool) Candidate {
	f := &features{category: -1, sector: -1, district: -1, remote: l.Remote,
		published: l.Status == marketplace.StatusPublished, radius: float64(l.RadiusKM)}
	if c, sec, ok := marketplace.Taxonomy.CategoryIndex(l.Category); ok {
		f.category, f.sector = c, sec
	}
	if i, ok := marketplace.DistrictIndex(l.District); ok && !l.Remote {
		f.district = i
	}
	for w := range words {
		f.words = append(f.words, hashWord(w))
	}
	for _, t := range l.Tags {
		f.tags = append(f.tags, hashWord(t))
	}
	sortHashes(f.words)
	sortHashes(f.tags)
	if l.ExpiresAt != nil {
		f.expires = l.ExpiresAt.Unix()
	}
	if l.Deadline != nil {
		f.deadline = l.Deadline.Unix()
	}
	f.newest = publishedOrCreated(l).Unix()
	return Candidate{Listing: l, Listed: listed, Words: words, f: f}
}

func (c *Candidate) features() *features {
	if c.f == nil {
		*c = newCandidate(c.Listing, c.Listed, c.Words)
	}
	return c.f
}

// open reports whether the listing can be matched at now (Unix seconds).
func (f *features) open(now int64) bool {
	return f.published && (f.expires == 0 || f.expires > now) && (f.deadline == 0 || f.deadline > now)
}

func hashWord(w string) uint64 {
	// FNV-1a: fast, and collisions between a listing's few words are
	// rare enough not to matter for ranking.
	h := uint64(14695981039346656037)
	for i := 0; i < len(w); i++ {
		h ^= uint64(w[i])
		h *= 1099511628211
	}
	return h
}

func sortHashes(h []uint64) {
	sort.Slice(h, func(i, j int) bool { return h[i] < h[j] })
}

// common counts the hashes two sorted lists share.
func common(a, b []uint64) int {
	n, i, j := 0, 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] == b[j]:
			n++
			i++
			j++
		case a[i] < b[j]:
			i++
		default:
			j++
		}
	}
	return n
}

// Eligible checks the hard constraints between two candidates: opposite
// kinds, both open, members in good standing, different members, related
// categories, within reach. Scoring only ranks pairs that pass.
func Eligible(a, b Candidate, now time.Time) bool {
	x, y := a.Listing, b.Listing
	if x.Kind == y.Kind || !a.Listed || !b.Listed || x.MemberID == y.MemberID {
		return false
	}
	fa, fb := a.features(), b.features()
	t := now.Unix()
	if !fa.open(t) || !fb.open(t) {
		return false
	}
	if fa.category < 0 || fb.category < 0 || !marketplace.Taxonomy.RelatedByIndex(fa.category, fb.category) {
		return false
	}
	offer := fa
	need := fb
	if x.Kind == marketplace.KindNeed {
		offer, need = fb, fa
	}
	if offer.remote || need.remote {
		return true
	}
	if offer.district < 0 || need.district < 0 {
		return false
	}
	return marketplace.DistrictDistanceByIndex(offer.district, need.district) <= offer.radius
}

// Score rates how well an offer answers a need, out of 100, with the
// reasons. It assumes Eligible.
func Score(offer, need Candidate, now time.Time) (float64, []marketplace.MatchReason) {
	return score(offer, need, now, true)
}

// QuickScore is Score without the reasons, for ranking many candidates:
// the same total, none of the words.
func QuickScore(offer, need Candidate, now time.Time) float64 {
	fr := fractions(offer.features(), need.features(), offer.Listing, need.Listing, now.Unix(), true)
	return fr.total()
}

// The parts of a score, in the order of the reasons.
const (
	partCategory = iota
	partDistance
	partTags
	partWords
	partPrice
	partDeadline
	partFreshness
	parts
)

var partCodes = [parts]string{"category", "distance", "tags", "words", "price", "deadline", "freshness"}

func partWeights() [parts]float64 {
	w := MatchWeights
	return [parts]float64{w.Category, w.Distance, w.Tags, w.Words, w.Price, w.Deadline, w.Freshness}
}

// scoreParts are the fractions (0 to 1) of each part's weight a pair earns.
type scoreParts [parts]float64

func (p *scoreParts) points(i int, weights *[parts]float64) float64 {
	return round1(weights[i] * math.Max(0, math.Min(1, p[i])))
}

func (p *scoreParts) total() float64 {
	weights := partWeights()
	t := 0.0
	for i := range p {
		t += p.points(i, &weights)
	}
	return round1(t)
}

// fractions computes the parts of a score. Without text, the tags and words
// parts are taken at their best, which bounds the score from above cheaply.
func fractions(fo, fn *features, o, n *marketplace.Listing, now int64, text bool) scoreParts {
	var p scoreParts
	switch {
	case fo.category == fn.category:
		p[partCategory] = 1
	case fo.sector == fn.sector:
		p[partCategory] = 0.6
	default:
		p[partCategory] = 0.15
	}
	switch {
	case fo.remote && fn.remote:
		p[partDistance] = 1
	case fo.remote || fn.remote:
		p[partDistance] = 0.8
	case fo.district < 0 || fn.district < 0:
		p[partDistance] = 0
	default:
		p[partDistance] = 1
		if d := marketplace.DistrictDistanceByIndex(fo.district, fn.district); d > 10 {
			p[partDistance] = 1 - 0.7*(d-10)/math.Max(fo.radius-10, 1)
		}
	}
	if text {
		if shorter := min(len(fo.tags), len(fn.tags)); shorter > 0 {
			p[partTags] = float64(common(fo.tags, fn.tags)) / float64(min(shorter, 3))
		}
		p[partWords] = float64(common(fo.words, fn.words)) / 4
	} else {
		p[partTags], p[partWords] = 1, 1
	}
	_, p[partPrice] = comparePrice(o, n)
	if fn.deadline == 0 {
		p[partDeadline] = 0.7
	} else {
		p[partDeadline] = float64(fn.deadline-now) / 86400 / 14
	}
	age := float64(now-max(fo.newest, fn.newest)) / 86400
	p[partFreshness] = 1 - (age-30)/150
	return p
}

// score computes the score; explain asks for the reasons too.
func score(offer, need Candidate, now time.Time, explain bool) (float64, []marketplace.MatchReason) {
	o, n := offer.Listing, need.Listing
	fo, fn := offer.features(), need.features()
	t := now.Unix()
	p := fractions(fo, fn, o, n, t, true)
	if !explain {
		return p.total(), nil
	}
	weights := partWeights()
	reasons := make([]marketplace.MatchReason, parts)
	for i := range parts {
		reasons[i] = marketplace.MatchReason{Code: partCodes[i], Points: p.points(i, &weights), Max: weights[i]}
	}
	switch p[partCategory] {
	case 1:
		reasons[partCategory].Detail = "Both in " + categoryName(n.Category)
	case 0.6:
		reasons[partCategory].Detail = fmt.Sprintf("%s and %s are in the same sector", categoryName(o.Category), categoryName(n.Category))
	default:
		reasons[partCategory].Detail = fmt.Sprintf("%s can help with %s", categoryName(o.Category), categoryName(n.Category))
	}
	switch {
	case fo.remote && fn.remote:
		reasons[partDistance].Detail = "Both can work remotely"
	case fo.remote || fn.remote:
		reasons[partDistance].Detail = "Can be done remotely or UK-wide"
	default:
		reasons[partDistance].Detail = fmt.Sprintf("%.0f km apart, within the %d km the supplier covers",
			marketplace.DistrictDistance(o.District, n.District), o.RadiusKM)
	}
	if len(o.Tags) == 0 || len(n.Tags) == 0 {
		reasons[partTags].Detail = "No tags to compare"
	} else {
		reasons[partTags].Detail = tagDetail(sharedStrings(o.Tags, n.Tags))
	}
	reasons[partWords].Detail = wordsDetail(need.Words, offer.Words)
	reasons[partPrice].Detail = priceDetail(o, n)
	if fn.deadline == 0 {
		reasons[partDeadline].Detail = "No deadline given"
	} else {
		reasons[partDeadline].Detail = fmt.Sprintf("Deadline in %.0f days", math.Max(float64(fn.deadline-t)/86400, 0))
	}
	reasons[partFreshness].Detail = fmt.Sprintf("Posted %.0f days ago", math.Max(float64(t-max(fo.newest, fn.newest))/86400, 0))
	return p.total(), reasons
}

func categoryName(slug string) string {
	c, _ := marketplace.Taxonomy.Category(slug)
	return c.Name
}

func wordsDetail(a, b map[string]bool) string {
	var some []string
	for word := range a {
		if b[word] {
			some = append(some, word)
		}
	}
	if len(some) == 0 {
		return "No words in common"
	}
	sort.Strings(some)
	if len(some) > 5 {
		some = some[:5]
	}
	return "Words in common: " + strings.Join(some, ", ")
}

// How an offer's price stands against a need's budget.
const (
	priceUnknown   = iota // either side names no price
	priceOtherUnit        // priced per another unit
	priceWithin           // the ranges overlap
	priceAbove            // the price starts above the budget
	priceBelow            // the price ends below the budget
)

// comparePrice places an offer's price against a need's budget and says
// what fraction of the price points the pair earns.
func comparePrice(o, n *marketplace.Listing) (int, float64) {
	oPriced := o.PriceMinPence > 0 || o.PriceMaxPence > 0
	nPriced := n.PriceMinPence > 0 || n.PriceMaxPence > 0
	switch {
	case !oPriced || !nPriced:
		return priceUnknown, 0.5
	case o.PriceUnit != n.PriceUnit:
		return priceOtherUnit, 0.3
	case o.PriceMinPence <= n.PriceMaxPence && n.PriceMinPence <= o.PriceMaxPence:
		return priceWithin, 1
	case o.PriceMinPence > n.PriceMaxPence:
		return priceAbove, 1 - 2*float64(o.PriceMinPence-n.PriceMaxPence)/float64(n.PriceMaxPence)
	default:
		return priceBelow, 0.8
	}
}

// priceDetail says in words what comparePrice found.
func priceDetail(o, n *marketplace.Listing) string {
	c, _ := comparePrice(o, n)
	switch c {
	case priceUnknown:
		return "No price or no budget to compare"
	case priceOtherUnit:
		return fmt.Sprintf("Priced per %s, budget per %s", o.PriceUnit, n.PriceUnit)
	case priceWithin:
		return fmt.Sprintf("Price %s–%s within the budget %s–%s", marketplace.Pounds(o.PriceMinPence), marketplace.Pounds(o.PriceMaxPence), marketplace.Pounds(n.PriceMinPence), marketplace.Pounds(n.PriceMaxPence))
	case priceAbove:
		return fmt.Sprintf("Price from %s, above the budget of %s", marketplace.Pounds(o.PriceMinPence), marketplace.Pounds(n.PriceMaxPence))
	default:
		return fmt.Sprintf("Price up to %s, below the budget of %s", marketplace.Pounds(o.PriceMaxPence), marketplace.Pounds(n.PriceMinPence))
	}
}

func publishedOrCreated(l *marketplace.Listing) time.Time {
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

func round1(x float64) float64 { return math.Round(x*10) / 10 }

// listingWords are words of listings' own vocabulary that say nothing
// about a fit ("need", "offer", "co-op"…); the common English words are
// marketplace.IsStopWord's, which search drops too.
var listingWords = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`can will co coop cooperative per need needs needed offer offers
		looking want wanted help new ltd limited workers worker`) {
		listingWords[w] = true
	}
}

// SignificantWords returns the distinct words of s that say something,
// folded as search folds them (marketplace.Fold: lower case, accents
// removed, "co-op" one word): stop words, listing vocabulary and words of
// fewer than three letters left out, plural "s" trimmed.
func SignificantWords(s string) map[string]bool {
	words := map[string]bool{}
	for _, f := range strings.Fields(marketplace.Fold(s)) {
		if len(f) < 3 || marketplace.IsStopWord(f) || listingWords[f] {
			continue
		}
		if len(f) > 4 && strings.HasSuffix(f, "s") && !strings.HasSuffix(f, "ss") {
			f = f[:len(f)-1]
		}
		words[f] = true
	}
	return words
}
