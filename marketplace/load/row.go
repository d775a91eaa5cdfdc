package load

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"cooptrade/marketplace"
)

// parse understands each record on its own: its fields, and what the
// domain's validation says of them.
func (f *File) parse(records []record) {
	for _, rec := range records {
		if rec.err != "" {
			f.refuse(rec.line, marketplace.FieldError{Message: rec.err})
			continue
		}
		r := &rowReader{rec: rec}
		switch typ := r.str("type"); typ {
		case "member":
			r.only(memberFields, "member")
			mem := r.member(f.now)
			if r.failed() {
				f.refuse(rec.line, r.errs...)
			}
			f.members = append(f.members, &memberRow{line: rec.line, member: mem, accepted: !r.failed()})
		case "listing":
			r.only(listingFields, "listing")
			l, slug := r.listing(f.now)
			if r.failed() {
				f.refuse(rec.line, r.errs...)
				continue
			}
			f.listings = append(f.listings, &listingRow{line: rec.line, listing: l, member: slug})
		case "":
			f.refuse(rec.line, marketplace.FieldError{Field: "type", Message: "is required (member or listing)"})
		default:
			f.refuse(rec.line, marketplace.FieldError{Field: "type", Message: fmt.Sprintf("%q is not member or listing", typ)})
		}
	}
}

// rowReader reads the fields of a record, collecting what is wrong with
// them.
type rowReader struct {
	rec  record
	errs []marketplace.FieldError
}

func (r *rowReader) bad(field, format string, args ...any) {
	r.errs = append(r.errs, marketplace.FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
}

func (r *rowReader) failed() bool { return len(r.errs) > 0 }

// only refuses the fields a row of this type does not have.
func (r *rowReader) only(fields []string, typ string) {
	var extra []string
	for name := range r.rec.cells {
		if !slices.Contains(fields, name) {
			extra = append(extra, name)
		}
	}
	slices.Sort(extra)
	for _, name := range extra {
		r.bad(name, "is not a field of a %s row", typ)
	}
}

// validate adds the domain's verdict on the row, leaving out fields whose
// value could not even be read.
func (r *rowReader) validate(err error) {
	if err == nil {
		return
	}
	fields := marketplace.ErrorFields(err)
	if len(fields) == 0 {
		r.bad("", "%s", marketplace.ErrorMessage(err))
		return
	}
	for _, f := range fields {
		name, _, _ := strings.Cut(f.Field, "[")
		if !slices.ContainsFunc(r.errs, func(e marketplace.FieldError) bool { return e.Field == name }) {
			r.errs = append(r.errs, f)
		}
	}
}

func (r *rowReader) has(name string) bool {
	_, ok := r.rec.cells[name]
	return ok
}

func (r *rowReader) str(name string) string {
	c, ok := r.rec.cells[name]
	if !ok {
		return ""
	}
	if c.json == nil {
		return strings.TrimSpace(c.text)
	}
	var s string
	if err := json.Unmarshal(c.json, &s); err != nil {
		r.bad(name, "must be a string")
	}
	return strings.TrimSpace(s)
}

// list reads a list: in CSV, items separated by semicolons ("flyers;
// menus"); in JSON, an array of strings.
func (r *rowReader) list(name string) []string {
	c, ok := r.rec.cells[name]
	if !ok {
		return nil
	}
	var items []string
	if c.json == nil {
		items = strings.Split(c.text, ";")
	} else if err := json.Unmarshal(c.json, &items); err != nil {
		r.bad(name, "must be a list of strings")
		return nil
	}
	out := make([]string, 0, len(items))
	for _, s := range items {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

func (r *rowReader) integer(name string) int64 {
	c, ok := r.rec.cells[name]
	if !ok {
		return 0
	}
	var n int64
	var err error
	if c.json == nil {
		n, err = strconv.ParseInt(strings.TrimSpace(c.text), 10, 64)
	} else {
		err = json.Unmarshal(c.json, &n)
	}
	if err != nil {
		r.bad(name, "must be a whole number")
	}
	return n
}

func (r *rowReader) boolean(name string) bool {
	c, ok := r.rec.cells[name]
	if !ok {
		return false
	}
	if c.json != nil {
		var b bool
		if err := json.Unmarshal(c.json, &b); err != nil {
			r.bad(name, "must be true or false")
		}
		return b
	}
	switch strings.ToLower(strings.TrimSpace(c.text)) {
	case "true", "yes", "y", "1":
		return true
	case "false", "no", "n", "0":
		return false
	}
	r.bad(name, "must be true or false")
	return false
}

// date reads a day (2027-03-31, midnight UTC) or a time (RFC 3339).
func (r *rowReader) date(name string) *time.Time {
	if !r.has(name) {
		return nil
	}
	s := r.str(name)
	for _, layout := range []string{time.DateOnly, time.RFC3339} {
		if t, err := time.Parse(layout, s); err == nil {
			t = t.UTC()
			return &t
		}
	}
	r.bad(name, "%q is not a date (YYYY-MM-DD) or a time (RFC 3339)", s)
	return nil
}

// hexID is the form of the IDs the stores give: a file may keep the IDs of
// another system only in that form.
var hexID = regexp.MustCompile(`^[0-9a-f]{24}$`)

func (r *rowReader) id() string {
	id := strings.ToLower(r.str("id"))
	if id != "" && !hexID.MatchString(id) {
		r.bad("id", "must be 24 hexadecimal digits, or left out for a new ID")
		return ""
	}
	return id
}

// member reads a member row. Defaults are those of a member admitted
// through the API: an enterprise, pending.
func (r *rowReader) member(now time.Time) *marketplace.Member {
	m := &marketplace.Member{
		ID:                 r.id(),
		Kind:               marketplace.MemberKind(r.str("kind")),
		Name:               r.str("name"),
		Slug:               r.str("slug"),
		Email:              r.str("email"),
		Website:            r.str("website"),
		Description:        r.str("description"),
		Postcode:           r.str("postcode"),
		Sectors:            r.list("sectors"),
		Values:             r.list("values"),
		Headcount:          int(r.integer("headcount")),
		RegistrationNumber: r.str("registration_number"),
		Standing:           marketplace.Standing(r.str("standing")),
		Version:            1,
		CreatedAt:          now,
		UpdatedAt:          now,
	}
	if m.Kind == "" {
		m.Kind = marketplace.MemberEnterprise
	}
	if m.Standing == "" {
		m.Standing = marketplace.StandingPending
	}
	m.Normalize()
	r.validate(m.Validate())
	return m
}

// listing reads a listing row and the slug of its member. Defaults are
// those of the API (Listing.ApplyDefaults, and Listing.Publish for a
// published row); the status a draft.
func (r *rowReader) listing(now time.Time) (*marketplace.Listing, string) {
	l := &marketplace.Listing{
		ID:            r.id(),
		Kind:          marketplace.ListingKind(r.str("kind")),
		Title:         r.str("title"),
		Description:   r.str("description"),
		Category:      r.str("category"),
		Tags:          r.list("tags"),
		Postcode:      r.str("postcode"),
		Remote:        r.boolean("remote"),
		RadiusKM:      int(r.integer("radius_km")),
		PriceMinPence: r.integer("price_min_pence"),
		PriceMaxPence: r.integer("price_max_pence"),
		PriceUnit:     r.str("price_unit"),
		Deadline:      r.date("deadline"),
		ExpiresAt:     r.date("expires_at"),
		Status:        marketplace.ListingStatus(r.str("status")),
		Version:       1,
		CreatedAt:     now,
		UpdatedAt:     now,
	}
	slug := r.str("member")
	if slug == "" {
		r.bad("member", "is required: the slug of a member in this file or already stored")
	}
	if l.Status == "" {
		l.Status = marketplace.StatusDraft
	}
	l.ApplyDefaults()
	l.Normalize()
	if l.Status == marketplace.StatusPublished {
		l.Publish(now)
	}
	r.validate(l.Validate(now))
	return l, slug
}
