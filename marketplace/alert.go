package marketplace

import (
	"context"
	"strings"
	"time"
)

// AlertFrequency is how often a saved search sends what it found.
type AlertFrequency string

// Alert frequencies.
const (
	AlertInstant AlertFrequency = "instant" // one message per new listing, at once
	AlertDaily   AlertFrequency = "daily"   // one digest a day of what is new
	AlertWeekly  AlertFrequency = "weekly"  // one digest a week of what is new
)

// AlertFrequencies lists every frequency.
var AlertFrequencies = []AlertFrequency{AlertInstant, AlertDaily, AlertWeekly}

// Valid reports whether f is a known frequency.
func (f AlertFrequency) Valid() bool {
	for _, v := range AlertFrequencies {
		if f == v {
			return true
		}
	}
	return false
}

// Limits on alerts.
const (
	// MaxAlertsPerUser bounds the saved searches of one user.
	MaxAlertsPerUser = 50
	// MaxAlertQueryLen bounds a saved search's query string, in bytes.
	MaxAlertQueryLen = 1000
	// MaxDigestItems is the most listings one digest shows; the rest are
	// counted.
	MaxDigestItems = 10
	// AlertCatchUpWindow is how far back the catch-up after a restart
	// looks for listings whose alerts may not have been evaluated.
	AlertCatchUpWindow = 48 * time.Hour
)

// Alert is a saved search: a signed-in user asks to hear about new listings
// that satisfy a query of GET /v1/search, at once or in a digest.
//
// A listing is new to an alert when it was first published after the alert
// was saved. Each listing reaches the user at most once per alert.
type Alert struct {
	ID       string `json:"id"`
	UserID   string `json:"user_id"`
	MemberID string `json:"member_id,omitempty"`
	// Name is a label for people; it defaults to a description of the
	// query.
	Name string `json:"name"`
	// Query is the query string of a search (q=leaflets&kind=need&near=LS6),
	// kept as it was given.
	Query     string         `json:"query"`
	Frequency AlertFrequency `json:"frequency"`
	// Paused alerts collect and send nothing; unsubscribing from an
	// alert's e-mails pauses it.
	Paused bool `json:"paused"`
	// SourceListingID is the member's offer an alert was seeded from
	// (POST /v1/alerts/from-listings).
	SourceListingID string    `json:"source_listing_id,omitempty"`
	Version         int64     `json:"version"`
	CreatedAt       time.Time `json:"created_at"`
	UpdatedAt       time.Time `json:"updated_at"`
}

// NewAlert is what a user sends to save a search.
type NewAlert struct {
	Name      string         `json:"name"`
	Query     string         `json:"query"`
	Frequency AlertFrequency `json:"frequency"`
}

// AlertUpdate is a partial change to an alert; nil fields are left alone.
// The query cannot be changed: save another alert instead.
type AlertUpdate struct {
	Name      *string         `json:"name"`
	Frequency *AlertFrequency `json:"frequency"`
	Paused    *bool           `json:"paused"`
}

// AlertHit is a listing an alert found, kept until it is sent. What a
// message shows of the listing is copied into the hit, so that a digest is
// written without reading the listings again.
type AlertHit struct {
	AlertID       string
	ListingID     string
	UserID        string
	Kind          ListingKind
	Title         string
	MemberName    string
	Area          string
	Remote        bool
	PriceMinPence int64
	PriceMaxPence int64
	PriceUnit     string
	PublishedAt   time.Time
	// CreatedAt is when the hit was collected.
	CreatedAt time.Time
	// Digest is "" until the hit is sent: then DigestInstant for an
	// instant alert, or the period of the digest that carried it
	// ("day:2026-11-26", "week:2026-11-23").
	Digest string
}

// DigestInstant marks the hits of instant alerts, which are sent one by one
// and never wait for a digest.
const DigestInstant = "instant"

// AlertHitID is the ID of the hit of a listing for an alert: one per pair.
func AlertHitID(alertID, listingID string) string {
	return alertID + "~" + listingID
}

// AlertHitFilter selects hits.
type AlertHitFilter struct {
	// AlertIDs are the alerts whose hits are wanted (none: no hits).
	AlertIDs []string
	// Digests are the digest values wanted ("" for hits not yet sent).
	Digests []string
	// Before keeps the hits collected before this time (zero: any).
	Before time.Time
}

// AlertStore keeps alerts and the hits they collect.
type AlertStore interface {
	// CreateAlert stores a new alert and sets its ID.
	CreateAlert(ctx context.Context, a *Alert) error
	// FindAlertByID returns ENOTFOUND when there is no such alert.
	FindAlertByID(ctx context.Context, id string) (*Alert, error)
	// FindAlertsByUser returns a user's alerts, newest first.
	FindAlertsByUser(ctx context.Context, userID string) ([]*Alert, error)
	// UpdateAlert writes a if the stored version is still version, then
	// sets a.Version to the new version. It returns EPRECONDITION when
	// someone else wrote first, or ENOTFOUND.
	UpdateAlert(ctx context.Context, a *Alert, version int64) error
	// DeleteAlert removes an alert and its hits; ENOTFOUND when there is
	// no such alert.
	DeleteAlert(ctx context.Context, id string) error
	// WalkAlerts calls fn for every alert, in one pass, stopping at fn's
	// first error.
	WalkAlerts(ctx context.Context, fn func(*Alert) error) error
	// AlertGeneration returns a number that changes whenever an alert is
	// created, changed or deleted, so that a cache of alerts knows when to
	// load them again. It is cheap to read.
	AlertGeneration(ctx context.Context) (int64, error)

	// CreateAlertHit stores a hit unless the alert already has a hit for
	// the listing, and reports whether it stored it.
	CreateAlertHit(ctx context.Context, h *AlertHit) (bool, error)
	// FindAlertHits returns the hits the filter selects, in no order.
	FindAlertHits(ctx context.Context, f AlertHitFilter) ([]*AlertHit, error)
	// MarkAlertHits sets the digest of the named hits to digest, for
	// those whose digest is still "".
	MarkAlertHits(ctx context.Context, hitIDs []string, digest string) error
}

// AlertEvaluator reads the query strings of saved searches. The search
// package implements it with the query model of GET /v1/search, so that an
// alert finds what the search would find.
type AlertEvaluator interface {
	// CompileAlert checks a query string as GET /v1/search would for a
	// signed-in user and returns it ready to test listings. It returns
	// EINVALID naming each bad parameter.
	CompileAlert(query string) (AlertQuery, error)
}

// AlertQuery is a saved search, compiled.
type AlertQuery interface {
	// Matches reports whether a listing satisfies the search. It does not
	// check that the listing is visible.
	Matches(l *AlertListing) bool
	// Scope returns the kinds of listing the search can find, and the
	// categories (nil: any), so that an alert is tried only on listings
	// that may satisfy it.
	Scope() (kinds []ListingKind, categories []string)
	// Describe says in a few words what the search looks for.
	Describe() string
}

// AlertListing is a listing, and the member that posted it, as alerts test
// it. One is made per listing evaluated, whatever the number of alerts.
type AlertListing struct {
	Listing *Listing
	Member  *Member
	// Memo is for the AlertQuery implementation: what it derives from the
	// listing (its words, say) the first time, to reuse for every other
	// alert. An AlertListing is used by one goroutine at a time.
	Memo any
}

// normalizeAlertQuery trims what surrounds a query string: spaces and a
// leading "?".
func normalizeAlertQuery(q string) string {
	return strings.TrimPrefix(strings.TrimSpace(q), "?")
}

// DigestPeriod returns the period a digest of the frequency sent at now
// covers: daily digests cover the UTC day before now's, weekly ones the
// week (Monday to Monday, UTC) before now's. key names the period
// ("day:2026-11-26", "week:2026-11-23").
func DigestPeriod(f AlertFrequency, now time.Time) (start, end time.Time, key string) {
	now = now.UTC()
	day := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	switch f {
	case AlertWeekly:
		// Monday is 1; Sunday (0) belongs to the week that began six
		// days before.
		back := (int(day.Weekday()) + 6) % 7
		end = day.AddDate(0, 0, -back)
		start = end.AddDate(0, 0, -7)
		return start, end, "week:" + start.Format(time.DateOnly)
	default:
		end = day
		start = end.AddDate(0, 0, -1)
		return start, end, "day:" + start.Format(time.DateOnly)
	}
}
