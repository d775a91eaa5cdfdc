package marketplace

import (
	"context"
	"time"
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
	// Category, Area and District are the need's, for staff to filter
	// the queue and for the figures by region.
	Category string `json:"category"`
	Area     string `json:"area,omitempty"`
	District string `json:"district,omitempty"`
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

// Other returns the ID of the listing on the other side of the match from
// listingID.
func (m *Match) Other(listingID string) string {
	if m.OfferID == listingID {
		return m.NeedID
	}
	return m.OfferID
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
// need's district (from the offer's district, as search has it).
func Reaches(offer, need *Listing) bool {
	if offer.Remote || need.Remote {
		return true
	}
	if offer.District == "" || need.District == "" {
		return false
	}
	return DistrictDistance(offer.District, need.District) <= float64(offer.RadiusKM)
}

// CategoriesRelated reports whether two categories may answer each other:
// the same, in one sector, or in related sectors.
func CategoriesRelated(a, b string) bool {
	return Taxonomy.Related(a, b)
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
	// WalkMatches calls fn for every match created from from (inclusive)
	// to to (exclusive), in one pass.
	WalkMatches(ctx context.Context, from, to time.Time, fn func(*Match) error) error
}
