package marketplace

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// MemberKind says whether a member is a co-operative enterprise or an
// individual worker member.
type MemberKind string

// Member kinds.
const (
	MemberEnterprise MemberKind = "enterprise"
	MemberWorker     MemberKind = "worker"
)

// Standing is where a member is in the cycle of membership and dues.
type Standing string

// Standings, in the order a member usually passes through them.
const (
	StandingPending         Standing = "pending"
	StandingAwaitingPayment Standing = "awaiting_payment"
	StandingActive          Standing = "active"
	StandingPastDue         Standing = "past_due"
	StandingLapsed          Standing = "lapsed"
	StandingCancelled       Standing = "cancelled"
)

// Standings lists every standing.
var Standings = []Standing{StandingPending, StandingAwaitingPayment, StandingActive, StandingPastDue, StandingLapsed, StandingCancelled}

// standingNames returns the names of the standings, in order.
func standingNames() []string {
	names := make([]string, len(Standings))
	for i, st := range Standings {
		names[i] = string(st)
	}
	return names
}

// Valid reports whether s is a known standing.
func (s Standing) Valid() bool {
	for _, v := range Standings {
		if s == v {
			return true
		}
	}
	return false
}

// MayPost reports whether a member of this standing may post and publish
// listings: dues paid (or waived), or an approved worker member.
func (s Standing) MayPost() bool {
	return s.PostBlock() == ""
}

// Why a member may not post or publish listings, as Standing.PostBlock
// returns it.
const (
	PostBlockPending   = "pending"   // awaiting approval by staff
	PostBlockCancelled = "cancelled" // the membership has ended
	PostBlockDues      = "dues"      // the dues are unpaid
)

// PostBlock returns why a member of this standing may not post or publish
// listings, or "" when it may.
func (s Standing) PostBlock() string {
	switch s {
	case StandingActive:
		return ""
	case StandingPending:
		return PostBlockPending
	case StandingCancelled:
		return PostBlockCancelled
	default:
		return PostBlockDues
	}
}

// Listed reports whether the published listings of a member of this standing
// are shown to buyers and matched. A member in its grace period after a
// failed payment (past_due) stays listed; a lapsed one does not.
func (s Standing) Listed() bool {
	return s == StandingActive || s == StandingPastDue
}

// Member is a co-operative enterprise or an individual worker member of the
// federation.
type Member struct {
	ID                 string     `json:"id"`
	Kind               MemberKind `json:"kind" validate:"required,oneof=enterprise worker"`
	Name               string     `json:"name" validate:"required,min=2,max=120"`
	Slug               string     `json:"slug" validate:"max=60"`
	Description        string     `json:"description" validate:"max=5000"`
	Website            string     `json:"website" validate:"omitempty,http_url,max=300"`
	Email              string     `json:"email" validate:"required,email,max=254"`
	Sectors            []string   `json:"sectors" validate:"max=5"`
	Postcode           string     `json:"postcode" validate:"required"`
	District           string     `json:"district,omitempty"`
	Area               string     `json:"area"`
	Headcount          int        `json:"headcount" validate:"min=0,max=100000"`
	Values             []string   `json:"values" validate:"max=10"`
	RegistrationNumber string     `json:"registration_number" validate:"max=20"`
	Standing           Standing   `json:"standing"`
	Version            int64      `json:"version"`
	CreatedAt          time.Time  `json:"created_at"`
	UpdatedAt          time.Time  `json:"updated_at"`

	// Lat and Lon are the centroid of the member's postcode district.
	Lat float64 `json:"-"`
	Lon float64 `json:"-"`
}

var (
	slugPattern         = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	registrationPattern = regexp.MustCompile(`^[A-Z0-9]{2,20}$`)
	hexID               = regexp.MustCompile(`^[0-9a-f]{24}$`)
)

// Normalize tidies what people type (spaces, case, the postcode) and derives
// the slug from the name when none is given. Call it before Validate.
func (m *Member) Normalize() {
	m.Name = strings.TrimSpace(m.Name)
	m.Email = strings.ToLower(strings.TrimSpace(m.Email))
	m.Website = strings.TrimSpace(m.Website)
	m.Slug = strings.TrimSpace(m.Slug)
	if m.Slug == "" {
		m.Slug = Slugify(m.Name)
	}
	m.RegistrationNumber = strings.ToUpper(strings.Join(strings.Fields(m.RegistrationNumber), ""))
	m.Sectors = dedupe(m.Sectors)
	m.Values = dedupe(m.Values)
	if m.Sectors == nil {
		m.Sectors = []string{}
	}
	if m.Values == nil {
		m.Values = []string{}
	}
	if p, ok := PlaceOf(m.Postcode); ok {
		m.Postcode, m.District, m.Area, m.Lat, m.Lon = p.Postcode, p.District, p.Area, p.Lat, p.Lon
	}
}

// Validate returns an EINVALID error naming every field at fault.
func (m *Member) Validate() error {
	var fe fieldErrors
	checkShape(m, &fe)
	if m.Slug != "" && (!slugPattern.MatchString(m.Slug) || hexID.MatchString(m.Slug)) {
		fe.broke("slug", RuleSlug, RuleParams{})
	}
	if hasControl(m.Name, false) {
		fe.broke("name", RuleControl, RuleParams{})
	}
	if hasControl(m.Description, true) {
		fe.broke("description", RuleControl, RuleParams{})
	}
	if m.Postcode != "" {
		if _, rule, p := parsePostcode(m.Postcode); rule != "" {
			fe.broke("postcode", rule, p)
		}
	}
	for i, s := range m.Sectors {
		if _, ok := Taxonomy.Sector(s); !ok {
			fe.broke(indexed("sectors", i), RuleSector, RuleParams{Value: s, Hint: " (see GET /v1/categories)"})
		}
	}
	for i, v := range m.Values {
		if !IsValue(v) {
			fe.broke(indexed("values", i), RuleKnownValue, RuleParams{Value: v})
		}
	}
	if m.RegistrationNumber != "" && !registrationPattern.MatchString(m.RegistrationNumber) {
		fe.broke("registration_number", RuleRegistration, RuleParams{})
	}
	if !m.Standing.Valid() {
		fe.broke("standing", RuleOneOf, RuleParams{Options: standingNames()})
	}
	return fe.err()
}

// MemberUpdate is a partial change to a member; nil fields are left alone.
type MemberUpdate struct {
	Name               *string   `json:"name"`
	Slug               *string   `json:"slug"`
	Description        *string   `json:"description"`
	Website            *string   `json:"website"`
	Email              *string   `json:"email"`
	Sectors            *[]string `json:"sectors"`
	Postcode           *string   `json:"postcode"`
	Headcount          *int      `json:"headcount"`
	Values             *[]string `json:"values"`
	RegistrationNumber *string   `json:"registration_number"`
	// Standing may be changed by staff only.
	Standing *Standing `json:"standing"`
	// Reason says why staff changed the standing; it goes to the audit log.
	Reason string `json:"reason"`
}

func (u *MemberUpdate) apply(m *Member) {
	set(&m.Name, u.Name)
	set(&m.Slug, u.Slug)
	set(&m.Description, u.Description)
	set(&m.Website, u.Website)
	set(&m.Email, u.Email)
	set(&m.Sectors, u.Sectors)
	set(&m.Postcode, u.Postcode)
	set(&m.Headcount, u.Headcount)
	set(&m.Values, u.Values)
	set(&m.RegistrationNumber, u.RegistrationNumber)
	set(&m.Standing, u.Standing)
}

// MemberFilter selects members. Lists are ordered newest first.
type MemberFilter struct {
	Standing Standing
	Kind     MemberKind
	Cursor   string
	Limit    int
}

// MemberStore keeps members.
type MemberStore interface {
	// FindMemberByID returns ENOTFOUND when there is no such member.
	FindMemberByID(ctx context.Context, id string) (*Member, error)
	// FindMemberBySlug returns ENOTFOUND when there is no such member.
	FindMemberBySlug(ctx context.Context, slug string) (*Member, error)
	// FindMembers returns a page of members and the cursor of the next page
	// ("" at the end).
	FindMembers(ctx context.Context, filter MemberFilter) ([]*Member, string, error)
	// CreateMember stores a new member and sets its ID, returning ECONFLICT
	// when the slug is taken.
	CreateMember(ctx context.Context, m *Member) error
	// UpdateMember writes m if the stored version is still version, then
	// sets m.Version to the new version. It returns EPRECONDITION when
	// someone else wrote first, ENOTFOUND, or ECONFLICT for a taken slug.
	UpdateMember(ctx context.Context, m *Member, version int64) error
	// FindMembersByIDs returns the members with the given IDs, keyed by
	// ID, in one query; unknown IDs are left out.
	FindMembersByIDs(ctx context.Context, ids []string) (map[string]*Member, error)
	// WalkMembers calls fn for every member, in one pass, stopping at fn's
	// first error.
	WalkMembers(ctx context.Context, fn func(*Member) error) error
}

// MemberQueue is told of every new version of a member, so that its
// listings follow it (its standing, its name): their search entries are
// rebuilt.
type MemberQueue interface {
	EnqueueMemberChanged(ctx context.Context, memberID string, version int64) error
}

// Slugify makes a URL slug from a name: "Leeds Print Co-op Ltd." becomes
// "leeds-print-co-op-ltd".
func Slugify(name string) string {
	var b strings.Builder
	hyphen := false
	for _, r := range norm.NFKD.String(strings.ToLower(name)) {
		switch {
		case unicode.Is(unicode.Mn, r): // accents fall away: "café" → "cafe"
		case r == '&':
			if b.Len() > 0 && !hyphen {
				b.WriteByte('-')
			}
			b.WriteString("and-")
			hyphen = true
		case r < 0x80 && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			b.WriteRune(r)
			hyphen = false
		default:
			if b.Len() > 0 && !hyphen {
				b.WriteByte('-')
				hyphen = true
			}
		}
	}
	s := strings.Trim(b.String(), "-")
	if len(s) > 60 {
		s = strings.Trim(s[:60], "-")
	}
	return s
}

func set[T any](dst *T, src *T) {
	if src != nil {
		*dst = *src
	}
}

func dedupe(in []string) []string {
	if in == nil {
		return nil
	}
	out := make([]string, 0, len(in))
	seen := make(map[string]bool, len(in))
	for _, s := range in {
		s = strings.TrimSpace(s)
		if s == "" || seen[s] {
			continue
		}
		seen[s] = true
		out = append(out, s)
	}
	return out
}

func indexed(field string, i int) string {
	return field + "[" + strconv.Itoa(i) + "]"
}
