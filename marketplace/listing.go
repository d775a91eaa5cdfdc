package marketplace

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
)

// ListingKind says whether a listing offers work or seeks it.
type ListingKind string

// Listing kinds.
const (
	KindOffer ListingKind = "offer" // what a member sells
	KindNeed  ListingKind = "need"  // what a member wants to source
)

// ListingStatus is where a listing is in its life.
type ListingStatus string

// Listing statuses. Only published listings are shown to everyone; removed is
// set by staff.
const (
	StatusDraft     ListingStatus = "draft"
	StatusPublished ListingStatus = "published"
	StatusPaused    ListingStatus = "paused"
	StatusClosed    ListingStatus = "closed"
	StatusExpired   ListingStatus = "expired"
	StatusRemoved   ListingStatus = "removed"
)

// ListingStatuses lists every status.
var ListingStatuses = []ListingStatus{StatusDraft, StatusPublished, StatusPaused, StatusClosed, StatusExpired, StatusRemoved}

// Valid reports whether s is a known status.
func (s ListingStatus) Valid() bool {
	for _, v := range ListingStatuses {
		if s == v {
			return true
		}
	}
	return false
}

// Open reports whether a listing in this status can still be edited.
func (s ListingStatus) Open() bool {
	return s == StatusDraft || s == StatusPublished || s == StatusPaused || s == StatusExpired
}

// PriceUnits are the units a price or budget may be quoted in.
var PriceUnits = []string{"job", "hour", "day", "week", "month", "year", "item"}

// Currency is the only currency the federation trades in.
const Currency = "GBP"

// Limits on listings.
const (
	MaxRadiusKM       = 1000
	DefaultRadiusKM   = 50
	MaxTags           = 10
	MaxPricePence     = 10_000_000_00 // £10 million
	DefaultListingTTL = 90 * 24 * time.Hour
	MaxListingTTL     = 365 * 24 * time.Hour
)

// Listing is an offer or a need posted by a member.
type Listing struct {
	ID            string        `json:"id"`
	MemberID      string        `json:"member_id"`
	Kind          ListingKind   `json:"kind" validate:"required,oneof=offer need"`
	Title         string        `json:"title" validate:"required,min=5,max=120"`
	Description   string        `json:"description" validate:"max=5000"`
	Category      string        `json:"category" validate:"required"`
	Tags          []string      `json:"tags" validate:"max=10,dive,min=1,max=32"`
	Postcode      string        `json:"postcode"`
	District      string        `json:"district,omitempty"`
	Area          string        `json:"area,omitempty"`
	Remote        bool          `json:"remote"`
	RadiusKM      int           `json:"radius_km" validate:"min=0,max=1000"`
	PriceMinPence int64         `json:"price_min_pence" validate:"min=0"`
	PriceMaxPence int64         `json:"price_max_pence" validate:"min=0"`
	PriceUnit     string        `json:"price_unit,omitempty"`
	Currency      string        `json:"currency"`
	Deadline      *time.Time    `json:"deadline"`
	Status        ListingStatus `json:"status"`
	ExpiresAt     *time.Time    `json:"expires_at"`
	Version       int64         `json:"version"`
	CreatedAt     time.Time     `json:"created_at"`
	UpdatedAt     time.Time     `json:"updated_at"`
	PublishedAt   *time.Time    `json:"published_at,omitempty"`

	// Lat and Lon are the centroid of the listing's postcode district.
	Lat float64 `json:"-"`
	Lon float64 `json:"-"`
	// IndexedVersion and MatchedVersion are the versions the search index
	// and the matcher last handled; the reconciler compares them to Version.
	IndexedVersion int64 `json:"-"`
	MatchedVersion int64 `json:"-"`
}

var tagPattern = regexp.MustCompile(`^[\p{L}\p{N}][\p{L}\p{N} &'-]*$`)

// Normalize tidies what people type and fills defaults. Call it before
// Validate.
func (l *Listing) Normalize() {
	l.Title = strings.Join(strings.Fields(l.Title), " ")
	l.Description = strings.TrimSpace(l.Description)
	l.Category = strings.TrimSpace(l.Category)
	tags := make([]string, 0, len(l.Tags))
	for _, t := range l.Tags {
		tags = append(tags, strings.ToLower(strings.Join(strings.Fields(t), " ")))
	}
	l.Tags = dedupe(tags)
	l.Currency = Currency
	l.PriceUnit = strings.ToLower(strings.TrimSpace(l.PriceUnit))
	l.Postcode = strings.TrimSpace(l.Postcode)
	l.District, l.Area, l.Lat, l.Lon = "", "", 0, 0
	if l.Postcode != "" {
		if p, ok := PlaceOf(l.Postcode); ok {
			l.Postcode, l.District, l.Area, l.Lat, l.Lon = p.Postcode, p.District, p.Area, p.Lat, p.Lon
		}
	}
}

// ApplyDefaults fills what a new listing may leave out: an offer that is
// not UK-wide or remote reaches DefaultRadiusKM.
func (l *Listing) ApplyDefaults() {
	if l.Kind == KindOffer && !l.Remote && l.RadiusKM == 0 {
		l.RadiusKM = DefaultRadiusKM
	}
}

// Publish shows the listing from now on. It expires after
// DefaultListingTTL unless its expiry lies ahead, and a need no later than
// its deadline; a deadline already past is left for Validate to refuse.
func (l *Listing) Publish(now time.Time) {
	if l.ExpiresAt == nil || !l.ExpiresAt.After(now) {
		e := now.Add(DefaultListingTTL)
		l.ExpiresAt = &e
	}
	if l.Deadline != nil && l.Deadline.After(now) && l.Deadline.Before(*l.ExpiresAt) {
		e := *l.Deadline
		l.ExpiresAt = &e
	}
	l.Status = StatusPublished
	if l.PublishedAt == nil {
		p := now
		l.PublishedAt = &p
	}
}

// Validate returns an EINVALID error naming every field at fault. now is
// used to check that deadlines and expiry lie ahead.
func (l *Listing) Validate(now time.Time) error {
	var fe fieldErrors
	checkShape(l, &fe)
	if hasControl(l.Title, false) {
		fe.broke("title", RuleControl, RuleParams{})
	}
	if hasControl(l.Description, true) {
		fe.broke("description", RuleControl, RuleParams{})
	}
	if l.Category != "" {
		if _, ok := Taxonomy.Category(l.Category); !ok {
			fe.broke("category", RuleCategory, RuleParams{Value: l.Category, Hint: " (see GET /v1/categories)"})
		}
	}
	for i, t := range l.Tags {
		if t != "" && len(t) <= 32 && !tagPattern.MatchString(t) {
			fe.broke(indexed("tags", i), RuleTag, RuleParams{})
		}
	}
	switch {
	case l.Postcode != "":
		if _, rule, p := parsePostcode(l.Postcode); rule != "" {
			fe.broke("postcode", rule, p)
		}
	case !l.Remote:
		fe.broke("postcode", RulePostcodeOrRemote, RuleParams{})
	}
	if l.Kind == KindOffer && !l.Remote && l.RadiusKM < 1 {
		fe.broke("radius_km", RuleBetween, RuleParams{Min: 1, Max: MaxRadiusKM, Hint: " for an offer that is not UK-wide or remote"})
	}
	if l.Kind == KindNeed && l.RadiusKM != 0 {
		fe.broke("radius_km", RuleOffersOnly, RuleParams{Hint: "; leave it out of a need"})
	}
	if l.PriceMaxPence > MaxPricePence {
		fe.broke("price_max_pence", RuleMax, RuleParams{Max: MaxPricePence})
	}
	priced := l.PriceMinPence > 0 || l.PriceMaxPence > 0
	if priced && l.PriceMinPence > l.PriceMaxPence {
		fe.broke("price_min_pence", RuleNotMoreThan, RuleParams{Other: "price_max_pence"})
	}
	if priced && !slices.Contains(PriceUnits, l.PriceUnit) {
		fe.broke("price_unit", RuleOneOf, RuleParams{Options: PriceUnits})
	}
	if !priced && l.PriceUnit != "" && !slices.Contains(PriceUnits, l.PriceUnit) {
		fe.broke("price_unit", RuleOneOf, RuleParams{Options: PriceUnits})
	}
	if l.Deadline != nil {
		if l.Kind == KindOffer {
			fe.broke("deadline", RuleNeedsOnly, RuleParams{Hint: "; leave it out of an offer"})
		} else if !l.Deadline.After(now) {
			fe.broke("deadline", RuleFuture, RuleParams{})
		}
	}
	if l.ExpiresAt != nil {
		if !l.ExpiresAt.After(now) {
			fe.broke("expires_at", RuleFuture, RuleParams{})
		} else if l.ExpiresAt.After(now.Add(MaxListingTTL)) {
			fe.broke("expires_at", RuleWithinYears, RuleParams{Max: 1})
		}
	}
	if l.Status != "" && !l.Status.Valid() {
		fe.broke("status", RuleListingStatus, RuleParams{})
	}
	return fe.err()
}

// ListingUpdate is a partial change to a listing; nil fields are left alone.
// Kind, member and status cannot be changed this way.
type ListingUpdate struct {
	Title         *string
	Description   *string
	Category      *string
	Tags          *[]string
	Postcode      *string
	Remote        *bool
	RadiusKM      *int
	PriceMinPence *int64
	PriceMaxPence *int64
	PriceUnit     *string
	Deadline      *time.Time
	ClearDeadline bool
	ExpiresAt     *time.Time
}

// Apply sets the fields of l that u names.
func (u *ListingUpdate) Apply(l *Listing) {
	set(&l.Title, u.Title)
	set(&l.Description, u.Description)
	set(&l.Category, u.Category)
	set(&l.Tags, u.Tags)
	set(&l.Postcode, u.Postcode)
	set(&l.Remote, u.Remote)
	set(&l.RadiusKM, u.RadiusKM)
	set(&l.PriceMinPence, u.PriceMinPence)
	set(&l.PriceMaxPence, u.PriceMaxPence)
	set(&l.PriceUnit, u.PriceUnit)
	if u.Deadline != nil {
		d := *u.Deadline
		l.Deadline = &d
	}
	if u.ClearDeadline {
		l.Deadline = nil
	}
	if u.ExpiresAt != nil {
		e := *u.ExpiresAt
		l.ExpiresAt = &e
	}
}

// ListingFilter selects listings. Lists are ordered newest first.
type ListingFilter struct {
	MemberID string
	Kind     ListingKind
	Statuses []ListingStatus
	Cursor   string
	Limit    int
}

// Validate returns EINVALID naming each bad field of the filter.
func (f ListingFilter) Validate() error {
	var fe fieldErrors
	if f.Kind != "" && f.Kind != KindOffer && f.Kind != KindNeed {
		fe.broke("kind", RuleEither, RuleParams{Options: []string{"offer", "need"}})
	}
	for _, st := range f.Statuses {
		if !st.Valid() {
			fe.broke("status", RuleOneOf, RuleParams{Options: []string{"draft", "published", "paused", "closed", "expired", "removed"}})
			break
		}
	}
	return fe.err()
}

// ListingStore keeps listings.
type ListingStore interface {
	// FindListingByID returns ENOTFOUND when there is no such listing.
	FindListingByID(ctx context.Context, id string) (*Listing, error)
	// FindListings returns a page of listings and the cursor of the next
	// page ("" at the end). It returns EINVALID for a malformed cursor.
	FindListings(ctx context.Context, filter ListingFilter) ([]*Listing, string, error)
	// CreateListing stores a new listing and sets its ID.
	CreateListing(ctx context.Context, l *Listing) error
	// UpdateListing writes l if the stored version is still version, then
	// sets l.Version to the new version. It returns EPRECONDITION when
	// someone else wrote first, or ENOTFOUND. It never touches the
	// indexed and matched versions.
	UpdateListing(ctx context.Context, l *Listing, version int64) error

	// FindListingsBehind returns up to limit listings whose search index
	// entry or matches lag behind their version, changed before the
	// given time (so that work just enqueued is left to finish).
	FindListingsBehind(ctx context.Context, before time.Time, limit int) ([]ListingRef, error)
	// MarkListingIndexed records that version of the listing is in the
	// search index. An older version never overwrites a newer one.
	MarkListingIndexed(ctx context.Context, id string, version int64) error
	// MarkListingsIndexed is MarkListingIndexed for many listings at once.
	MarkListingsIndexed(ctx context.Context, refs []ListingRef) error
	// MarkListingMatched records that version of the listing was matched.
	MarkListingMatched(ctx context.Context, id string, version int64) error
	// FindPublishedExpiringBefore returns up to limit published listings
	// whose expiry or deadline is before t, soonest first.
	FindPublishedExpiringBefore(ctx context.Context, t time.Time, limit int) ([]*Listing, error)
	// FindListingsByIDs returns the listings with the given IDs, keyed by
	// ID, in one query; unknown IDs are left out.
	FindListingsByIDs(ctx context.Context, ids []string) (map[string]*Listing, error)
	// WalkListings calls fn for every listing in one of the statuses (all
	// when none are given), in one pass, stopping at fn's first error.
	WalkListings(ctx context.Context, statuses []ListingStatus, fn func(*Listing) error) error
}

// ListingRef names one version of a listing and the work it still needs.
type ListingRef struct {
	ID           string
	Version      int64
	NeedsIndex   bool
	NeedsMatches bool
}

// ListingQueue is told of every new version of a listing, so that the work
// that follows from it (indexing, matching) is done. Losing a message only
// delays that work: the reconciler finds listings whose version is ahead.
type ListingQueue interface {
	EnqueueListingChanged(ctx context.Context, id string, version int64) error
}

// Pounds writes an amount in pence as people read it: £12, £12.50.
func Pounds(pence int64) string {
	if pence%100 == 0 {
		return fmt.Sprintf("£%d", pence/100)
	}
	return fmt.Sprintf("£%d.%02d", pence/100, pence%100)
}
