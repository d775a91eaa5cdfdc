package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"cooptrade/marketplace"
	"cooptrade/marketplace/mongo/mongodb"
)

// The fields of an import row. A row is a member or a listing, as its
// "type" says; the README describes each field.
var (
	memberFields = []string{"type", "id", "kind", "name", "slug", "email", "website", "description",
		"postcode", "sectors", "values", "headcount", "registration_number", "standing"}
	listingFields = []string{"type", "id", "member", "kind", "title", "description", "category", "tags",
		"postcode", "remote", "radius_km", "price_min_pence", "price_max_pence", "price_unit",
		"deadline", "expires_at", "status"}
)

// maxLine bounds one line of a JSON Lines file.
const maxLine = 1 << 20

// Import runs `marketplace import FILE`: it reads members and listings
// from CSV or JSON Lines, reports each bad row with its line number and
// reason, stores the good ones and indexes them. It returns an error when
// any row was not imported.
func (m *Main) Import(ctx context.Context, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	fs.SetOutput(stderr)
	format := fs.String("format", "", "csv or jsonl (default: from the file's extension)")
	dryRun := fs.Bool("dry-run", false, "check every row and report, but store nothing")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: marketplace import [--format csv|jsonl] [--dry-run] FILE\n\nImports members and listings from CSV or JSON Lines; see the README for the fields. With the embedded engines, stop `marketplace serve` first.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return errors.New("import: name one file")
	}
	path := fs.Arg(0)
	if *format == "" {
		switch strings.ToLower(filepath.Ext(path)) {
		case ".csv":
			*format = "csv"
		case ".jsonl", ".ndjson", ".json":
			*format = "jsonl"
		default:
			return fmt.Errorf("import: cannot tell the format of %s from its extension; give --format csv or --format jsonl", path)
		}
	}
	if *format != "csv" && *format != "jsonl" {
		return fmt.Errorf("import: --format must be csv or jsonl, not %q", *format)
	}
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}

	start := time.Now()
	if *dryRun {
		err = m.OpenStorage(ctx)
	} else {
		err = m.openForBulk(ctx, stderr)
	}
	if err != nil {
		return err
	}
	p := newProgress(stderr)
	ld := m.loader(p)
	bar := p.step("reading "+filepath.Base(path), "bytes", int(info.Size()))
	records, err := readRecords(&countingReader{r: f, bar: bar}, *format)
	if err != nil {
		return fmt.Errorf("import: %s: %w", path, err)
	}
	bar.Done()

	now := time.Now().UTC()
	im := &importer{now: now, bad: map[int]string{}}
	im.parse(records)
	stored, err := ld.StoredMembers(ctx)
	if err != nil {
		return err
	}
	im.resolve(stored)
	im.report(stderr, path)

	members, listings := im.accepted()
	reported := len(im.bad)
	if *dryRun {
		if err := m.checkListingIDs(ctx, im); err != nil {
			return err
		}
		im.report(stderr, path)
		fmt.Fprintf(m.Stdout, "checked in %s: %s members and %s listings would be imported; %s rows would not\n",
			since(start), count(len(members)), count(len(listings)-(len(im.bad)-reported)), count(len(im.bad)))
		return im.err(len(records))
	}
	// Imported co-ops are real: both sides hear of their new matches.
	res, err := ld.Load(ctx, stored, members, listings, true)
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	for i := range res.Taken {
		im.bad[im.listingLines[i]] = "id: is taken by a stored listing"
	}
	if len(im.bad) > reported {
		im.report(stderr, path)
	}
	fmt.Fprintf(m.Stdout, "imported in %s: %s members and %s listings, of which %s are searchable; %s rows not imported\n",
		since(start), count(len(members)), count(res.Stored), count(res.NewIndexed), count(len(im.bad)))
	return im.err(len(records))
}

// record is one row of the file, before it is understood.
type record struct {
	line  int
	cells map[string]cell
	// err says why the row could not be read at all.
	err string
}

// cell is one field of a row: the text of a CSV cell, or a JSON value.
type cell struct {
	text string
	json json.RawMessage // nil for CSV
}

// readRecords reads every row of the file.
func readRecords(r io.Reader, format string) ([]record, error) {
	if format == "csv" {
		return readCSV(r)
	}
	return readJSONLines(r)
}

func readCSV(r io.Reader) ([]record, error) {
	cr := csv.NewReader(r)
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, errors.New("the file is empty; it needs a header row naming the columns")
	} else if err != nil {
		return nil, err
	}
	known := append(slices.Clone(memberFields), listingFields...)
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		if !slices.Contains(known, h) {
			return nil, fmt.Errorf("line 1: column %q is not an import field; the fields are: %s", header[i], strings.Join(slices.Compact(slices.Sorted(slices.Values(known))), ", "))
		}
		if slices.Contains(header[:i], h) {
			return nil, fmt.Errorf("line 1: column %q appears twice", h)
		}
		header[i] = h
	}
	var records []record
	for {
		row, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return records, nil
		}
		var perr *csv.ParseError
		if errors.As(err, &perr) {
			if errors.Is(perr.Err, csv.ErrFieldCount) {
				records = append(records, record{line: perr.StartLine, err: fmt.Sprintf("has %d fields; the header has %d", len(row), len(header))})
				continue
			}
			// The reader cannot find its way after a quoting error.
			return records, fmt.Errorf("line %d: %v; nothing was imported", perr.StartLine, perr.Err)
		} else if err != nil {
			return records, err
		}
		line, _ := cr.FieldPos(0)
		rec := record{line: line, cells: map[string]cell{}}
		for i, v := range row {
			if strings.TrimSpace(v) != "" {
				rec.cells[header[i]] = cell{text: v}
			}
		}
		if len(rec.cells) > 0 { // spreadsheets leave rows of empty cells
			records = append(records, rec)
		}
	}
}

func readJSONLines(r io.Reader) ([]record, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	var records []record
	for line := 1; ; line++ {
		b, err := br.ReadBytes('\n')
		if len(b) == 0 && errors.Is(err, io.EOF) {
			return records, nil
		} else if err != nil && !errors.Is(err, io.EOF) {
			return records, err
		}
		b = bytes.TrimSpace(b)
		if len(b) == 0 {
			continue
		}
		if len(b) > maxLine {
			records = append(records, record{line: line, err: "is longer than 1 MiB"})
			continue
		}
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(b, &obj); err != nil {
			records = append(records, record{line: line, err: "is not a JSON object: " + jsonProblem(err)})
			continue
		}
		rec := record{line: line, cells: map[string]cell{}}
		for k, v := range obj {
			if string(v) != "null" {
				rec.cells[k] = cell{json: v}
			}
		}
		records = append(records, rec)
	}
}

func jsonProblem(err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return fmt.Sprintf("%s (at byte %d)", se.Error(), se.Offset)
	case errors.As(err, &te):
		return "it is a JSON " + te.Value
	}
	return err.Error()
}

// countingReader reports the bytes read to a progress step.
type countingReader struct {
	r   io.Reader
	bar *stepProgress
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.bar.Add(n)
	return n, err
}

// importer turns records into members and listings and keeps what is
// wrong with each bad row.
type importer struct {
	now time.Time
	// bad holds, by line, why a row is not imported.
	bad map[int]string

	members     []*memberRow
	listings    []*listingRow
	memberSlugs map[string]*memberRow
	// givenIDs are the IDs the file gives listings, with their lines.
	givenIDs map[string]int
	// listingLines are the lines of the accepted listings, in the order
	// accepted returns them.
	listingLines []int
}

type memberRow struct {
	line     int
	member   *marketplace.Member
	accepted bool
}

type listingRow struct {
	line    int
	listing *marketplace.Listing
	member  string // slug
}

var hexID = regexp.MustCompile(`^[0-9a-f]{24}$`)

// parse understands each record on its own: its fields, and what the
// domain's validation says of them.
func (im *importer) parse(records []record) {
	for _, rec := range records {
		if rec.err != "" {
			im.bad[rec.line] = rec.err
			continue
		}
		r := &rowReader{rec: rec}
		switch typ := r.str("type"); typ {
		case "member":
			r.only(memberFields, "member")
			mem := r.member(im.now)
			if r.failed() {
				im.bad[rec.line] = r.reason()
			}
			im.members = append(im.members, &memberRow{line: rec.line, member: mem, accepted: !r.failed()})
		case "listing":
			r.only(listingFields, "listing")
			l, slug := r.listing(im.now)
			if r.failed() {
				im.bad[rec.line] = r.reason()
				continue
			}
			im.listings = append(im.listings, &listingRow{line: rec.line, listing: l, member: slug})
		case "":
			im.bad[rec.line] = "type: is required (member or listing)"
		default:
			im.bad[rec.line] = fmt.Sprintf("type: %q is not member or listing", typ)
		}
	}
}

// resolve checks the rows against each other and against the stored
// members: slugs and IDs must be free, and a listing's member must be
// imported or stored. It gives new members their IDs.
func (im *importer) resolve(stored map[string]*marketplace.Member) {
	storedSlugs := make(map[string]*marketplace.Member, len(stored))
	for _, mem := range stored {
		storedSlugs[mem.Slug] = mem
	}
	im.memberSlugs = map[string]*memberRow{}
	im.givenIDs = map[string]int{}
	ids := map[string]int{}
	for _, row := range im.members {
		if !row.accepted {
			continue
		}
		mem := row.member
		var reasons []string
		if _, ok := storedSlugs[mem.Slug]; ok {
			reasons = append(reasons, fmt.Sprintf("slug: %q is taken by a stored member", mem.Slug))
		} else if other, ok := im.memberSlugs[mem.Slug]; ok {
			reasons = append(reasons, fmt.Sprintf("slug: %q is also on line %d", mem.Slug, other.line))
		}
		if mem.ID != "" {
			if _, ok := stored[mem.ID]; ok {
				reasons = append(reasons, "id: is taken by a stored member")
			} else if line, ok := ids[mem.ID]; ok {
				reasons = append(reasons, fmt.Sprintf("id: is also on line %d", line))
			}
		}
		if len(reasons) > 0 {
			row.accepted = false
			im.bad[row.line] = strings.Join(reasons, "; ")
			continue
		}
		if mem.ID == "" {
			mem.ID = mongodb.NewID()
		}
		ids[mem.ID] = row.line
		im.memberSlugs[mem.Slug] = row
	}
	var fileRows = map[string]*memberRow{}
	for _, row := range im.members {
		if _, ok := fileRows[row.member.Slug]; !ok && row.member.Slug != "" {
			fileRows[row.member.Slug] = row
		}
	}
	listingIDs := map[string]int{}
	for _, row := range im.listings {
		l := row.listing
		var reasons []string
		// The slug names the member that has it once the file is in:
		// one of the file's, or a stored one.
		if own, ok := im.memberSlugs[row.member]; ok {
			l.MemberID = own.member.ID
		} else if mem, ok := storedSlugs[row.member]; ok {
			l.MemberID = mem.ID
		} else if other, ok := fileRows[row.member]; ok {
			reasons = append(reasons, fmt.Sprintf("member: %q is on line %d, which is not imported", row.member, other.line))
		} else {
			reasons = append(reasons, fmt.Sprintf("member: no member has the slug %q", row.member))
		}
		if l.ID != "" {
			if line, ok := listingIDs[l.ID]; ok {
				reasons = append(reasons, fmt.Sprintf("id: is also on line %d", line))
			} else if _, ok := ids[l.ID]; ok {
				reasons = append(reasons, "id: is a member's ID")
			}
		}
		if len(reasons) > 0 {
			im.bad[row.line] = strings.Join(reasons, "; ")
			row.listing = nil
			continue
		}
		if l.ID == "" {
			l.ID = mongodb.NewID()
		} else {
			im.givenIDs[l.ID] = row.line
		}
		listingIDs[l.ID] = row.line
	}
}

// checkListingIDs reports the listings whose given ID a stored listing has,
// which an import finds as it indexes; a dry run reads the listings for it.
func (m *Main) checkListingIDs(ctx context.Context, im *importer) error {
	if len(im.givenIDs) == 0 {
		return nil
	}
	return m.Service.Listings.WalkListings(ctx, nil, func(l *marketplace.Listing) error {
		if line, ok := im.givenIDs[l.ID]; ok {
			im.bad[line] = "id: is taken by a stored listing"
		}
		return nil
	})
}

// accepted returns the members and listings to import.
func (im *importer) accepted() ([]*marketplace.Member, []*marketplace.Listing) {
	var members []*marketplace.Member
	for _, row := range im.members {
		if row.accepted {
			members = append(members, row.member)
		}
	}
	var listings []*marketplace.Listing
	im.listingLines = im.listingLines[:0]
	for _, row := range im.listings {
		if row.listing != nil {
			listings = append(listings, row.listing)
			im.listingLines = append(im.listingLines, row.line)
		}
	}
	return members, listings
}

// report writes the bad rows, in the order of their lines, as
// FILE:LINE: reason.
func (im *importer) report(w io.Writer, path string) {
	lines := slices.Sorted(func(yield func(int) bool) {
		for line := range im.bad {
			if !yield(line) {
				return
			}
		}
	})
	for _, line := range lines {
		if reason := im.bad[line]; reason != "" {
			fmt.Fprintf(w, "%s:%d: %s\n", path, line, reason)
			im.bad[line] = "" // reported
		}
	}
}

func (im *importer) err(rows int) error {
	if len(im.bad) == 0 {
		return nil
	}
	return fmt.Errorf("import: %s of %s rows were not imported (see above)", count(len(im.bad)), count(rows))
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

// reason is every problem of the row, in one line.
func (r *rowReader) reason() string {
	parts := make([]string, len(r.errs))
	for i, e := range r.errs {
		if e.Field == "" {
			parts[i] = e.Message
		} else {
			parts[i] = e.Field + ": " + e.Message
		}
	}
	return strings.Join(parts, "; ")
}

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
// those of the API: a draft; an offer that is not UK-wide reaches 50 km; a
// published listing expires after 90 days, or at its deadline.
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
	if l.Kind == marketplace.KindOffer && !l.Remote && !r.has("radius_km") {
		l.RadiusKM = marketplace.DefaultRadiusKM
	}
	l.Normalize()
	if l.Status == marketplace.StatusPublished {
		if l.ExpiresAt == nil {
			e := now.Add(marketplace.DefaultListingTTL)
			l.ExpiresAt = &e
		}
		if l.Deadline != nil && l.Deadline.After(now) && l.Deadline.Before(*l.ExpiresAt) {
			e := *l.Deadline
			l.ExpiresAt = &e
		}
		l.PublishedAt = &now
	}
	r.validate(l.Validate(now))
	return l, slug
}
