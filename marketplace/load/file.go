package load

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"cooptrade/marketplace"
)

// Format is the format of an import file.
type Format string

// The formats an import file may have.
const (
	CSV       Format = "csv"   // with a header row naming the columns
	JSONLines Format = "jsonl" // one JSON object a line
)

// FormatOf tells a file's format from its name's extension; false when the
// extension says nothing.
func FormatOf(name string) (Format, bool) {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".csv":
		return CSV, true
	case ".jsonl", ".ndjson", ".json":
		return JSONLines, true
	}
	return "", false
}

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

// RowError is why a row of an import file is not imported: the fields at
// fault, or (Field "") the row as a whole.
type RowError struct {
	// Line is the line the row starts on, counted from 1.
	Line     int
	Problems []marketplace.FieldError
}

// Reason is every problem of the row, in one line: "field: what; …".
func (e RowError) Reason() string {
	parts := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		if p.Field == "" {
			parts[i] = p.Message
		} else {
			parts[i] = p.Field + ": " + p.Message
		}
	}
	return strings.Join(parts, "; ")
}

// File is an import file read: its rows understood on their own, then
// (Resolve) against each other and the stored members.
type File struct {
	// Rows is how many rows the file has, leaving out blank lines and
	// rows of empty cells.
	Rows int

	now      time.Time
	members  []*memberRow
	listings []*listingRow
	// bad holds, by line, why a row is not imported.
	bad map[int]RowError
	// reported are the lines of bad rows NewBad has returned.
	reported map[int]bool
	// givenIDs are the IDs the file gives listings, with their lines.
	givenIDs map[string]int
}

type memberRow struct {
	line     int
	member   *marketplace.Member
	accepted bool
}

type listingRow struct {
	line    int
	listing *marketplace.Listing // nil once refused
	member  string               // slug
}

// ReadFile reads an import file and checks each row on its own: its fields,
// and what the domain's validation says of them, with the defaults of the
// API filled in. now is when the rows are created. The error is about the
// file as a whole (an empty file, an unknown column, a CSV quoting error),
// naming its line; a bad row is not an error but one of File.Bad.
func ReadFile(r io.Reader, format Format, now time.Time) (*File, error) {
	var records []record
	var err error
	switch format {
	case CSV:
		records, err = readCSV(r)
	case JSONLines:
		records, err = readJSONLines(r)
	default:
		return nil, fmt.Errorf("the format must be csv or jsonl, not %q", format)
	}
	if err != nil {
		return nil, err
	}
	f := &File{Rows: len(records), now: now, bad: map[int]RowError{}, reported: map[int]bool{}}
	f.parse(records)
	return f, nil
}

// Bad returns every bad row found so far, in the order of their lines.
func (f *File) Bad() []RowError {
	lines := make([]int, 0, len(f.bad))
	for line := range f.bad {
		lines = append(lines, line)
	}
	slices.Sort(lines)
	out := make([]RowError, len(lines))
	for i, line := range lines {
		out[i] = f.bad[line]
	}
	return out
}

// NewBad returns the bad rows found since it was last called, in the order
// of their lines.
func (f *File) NewBad() []RowError {
	var out []RowError
	for _, e := range f.Bad() {
		if !f.reported[e.Line] {
			f.reported[e.Line] = true
			out = append(out, e)
		}
	}
	return out
}

func (f *File) refuse(line int, problems ...marketplace.FieldError) {
	f.bad[line] = RowError{Line: line, Problems: problems}
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

func readCSV(r io.Reader) ([]record, error) {
	cr := csv.NewReader(r)
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, errors.New("the file is empty; it needs a header row naming the columns")
	} else if err != nil {
		var perr *csv.ParseError
		if errors.As(err, &perr) {
			return nil, fmt.Errorf("line %d: %v; nothing was imported", perr.StartLine, perr.Err)
		}
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
