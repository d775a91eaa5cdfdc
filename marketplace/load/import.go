package load

import (
	"context"
	"errors"
	"fmt"
	"io"

	"cooptrade/marketplace"
)

// Resolve checks the rows against each other and against the stored
// members (by ID): slugs and IDs must be free, and a listing's member must
// be imported or stored. It gives new members and listings their IDs from
// newID, and listings the IDs of their members.
func (f *File) Resolve(stored map[string]*marketplace.Member, newID func() string) {
	storedSlugs := make(map[string]*marketplace.Member, len(stored))
	for _, mem := range stored {
		storedSlugs[mem.Slug] = mem
	}
	memberSlugs := map[string]*memberRow{}
	f.givenIDs = map[string]int{}
	ids := map[string]int{}
	for _, row := range f.members {
		if !row.accepted {
			continue
		}
		mem := row.member
		var problems []marketplace.FieldError
		if _, ok := storedSlugs[mem.Slug]; ok {
			problems = append(problems, problem("slug", "%q is taken by a stored member", mem.Slug))
		} else if other, ok := memberSlugs[mem.Slug]; ok {
			problems = append(problems, problem("slug", "%q is also on line %d", mem.Slug, other.line))
		}
		if mem.ID != "" {
			if _, ok := stored[mem.ID]; ok {
				problems = append(problems, problem("id", "is taken by a stored member"))
			} else if line, ok := ids[mem.ID]; ok {
				problems = append(problems, problem("id", "is also on line %d", line))
			}
		}
		if len(problems) > 0 {
			row.accepted = false
			f.refuse(row.line, problems...)
			continue
		}
		if mem.ID == "" {
			mem.ID = newID()
		}
		ids[mem.ID] = row.line
		memberSlugs[mem.Slug] = row
	}
	fileRows := map[string]*memberRow{}
	for _, row := range f.members {
		if _, ok := fileRows[row.member.Slug]; !ok && row.member.Slug != "" {
			fileRows[row.member.Slug] = row
		}
	}
	listingIDs := map[string]int{}
	for _, row := range f.listings {
		l := row.listing
		if l == nil {
			continue
		}
		var problems []marketplace.FieldError
		// The slug names the member that has it once the file is in:
		// one of the file's, or a stored one.
		if own, ok := memberSlugs[row.member]; ok {
			l.MemberID = own.member.ID
		} else if mem, ok := storedSlugs[row.member]; ok {
			l.MemberID = mem.ID
		} else if other, ok := fileRows[row.member]; ok {
			problems = append(problems, problem("member", "%q is on line %d, which is not imported", row.member, other.line))
		} else {
			problems = append(problems, problem("member", "no member has the slug %q", row.member))
		}
		if l.ID != "" {
			if line, ok := listingIDs[l.ID]; ok {
				problems = append(problems, problem("id", "is also on line %d", line))
			} else if _, ok := ids[l.ID]; ok {
				problems = append(problems, problem("id", "is a member's ID"))
			}
		}
		if len(problems) > 0 {
			f.refuse(row.line, problems...)
			row.listing = nil
			continue
		}
		if l.ID == "" {
			l.ID = newID()
		} else {
			f.givenIDs[l.ID] = row.line
		}
		listingIDs[l.ID] = row.line
	}
}

func problem(field, format string, args ...any) marketplace.FieldError {
	return marketplace.FieldError{Field: field, Message: fmt.Sprintf(format, args...)}
}

// Accepted returns the members and listings to import, and the lines of
// the listings.
func (f *File) Accepted() ([]*marketplace.Member, []*marketplace.Listing, []int) {
	var members []*marketplace.Member
	for _, row := range f.members {
		if row.accepted {
			members = append(members, row.member)
		}
	}
	var listings []*marketplace.Listing
	var lines []int
	for _, row := range f.listings {
		if row.listing != nil {
			listings = append(listings, row.listing)
			lines = append(lines, row.line)
		}
	}
	return members, listings, lines
}

// takenListing is the problem of a listing whose given ID a stored listing
// has.
var takenListing = problem("id", "is taken by a stored listing")

// ImportOptions say how to import a file.
type ImportOptions struct {
	Format Format
	// Name names the file in the progress of reading it.
	Name string
	// Size is the file's size in bytes, for the progress of reading it (-1
	// when not known).
	Size int64
	// DryRun checks every row, against the stored records too, and stores
	// nothing.
	DryRun bool
	// Report, when set, hears of bad rows as they are found, in the order
	// of their lines: first those the file shows, then those the stored
	// records show.
	Report func([]RowError)
}

// ImportResult is what an import did, or (a dry run) would do.
type ImportResult struct {
	// Result is the load's; zero for a dry run.
	Result
	// Rows is how many rows the file has.
	Rows int
	// Members and Listings are how many were imported, or would be.
	Members, Listings int
	// Bad are the rows not imported, in the order of their lines.
	Bad []RowError
}

// Import reads members and listings from an import file (ReadFile) and
// loads the good rows beside the stored ones (Load), their new matches
// announced to both sides: imported co-ops are real. The error is about
// the file as a whole or the load; bad rows are in the result, and the
// rows after them are imported all the same. Loader.NewID must be set.
func (ld *Loader) Import(ctx context.Context, r io.Reader, opt ImportOptions) (ImportResult, error) {
	if ld.NewID == nil {
		return ImportResult{}, errors.New("import: the loader has no NewID")
	}
	s := ld.step("reading "+opt.Name, "bytes", int(opt.Size))
	f, err := ReadFile(&countingReader{r: r, step: s}, opt.Format, ld.now())
	if err != nil {
		return ImportResult{}, err
	}
	s.Done()
	report := func() {
		if bad := f.NewBad(); len(bad) > 0 && opt.Report != nil {
			opt.Report(bad)
		}
	}
	stored, err := ld.StoredMembers(ctx)
	if err != nil {
		return ImportResult{}, err
	}
	f.Resolve(stored, ld.NewID)
	report()
	members, listings, lines := f.Accepted()
	res := ImportResult{Rows: f.Rows, Members: len(members)}
	if opt.DryRun {
		// An import finds the taken listing IDs as it indexes; a dry run
		// reads the listings for them.
		taken := 0
		if len(f.givenIDs) > 0 {
			err := ld.Listings.WalkListings(ctx, nil, func(l *marketplace.Listing) error {
				if line, ok := f.givenIDs[l.ID]; ok {
					f.refuse(line, takenListing)
					taken++
				}
				return nil
			})
			if err != nil {
				return res, err
			}
		}
		report()
		res.Listings, res.Bad = len(listings)-taken, f.Bad()
		return res, nil
	}
	if res.Result, err = ld.Load(ctx, stored, members, listings, true); err != nil {
		return res, err
	}
	for i := range res.Taken {
		f.refuse(lines[i], takenListing)
	}
	report()
	res.Listings, res.Bad = res.Stored, f.Bad()
	return res, nil
}

// countingReader tells a progress step of the bytes read.
type countingReader struct {
	r    io.Reader
	step Step
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.step.Add(n)
	return n, err
}
