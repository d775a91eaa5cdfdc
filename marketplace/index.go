package marketplace

import (
	"context"
	"errors"
)

// SearchIndex keeps the searchable copy of the listings buyers may see.
// The search package satisfies it for each engine.
type SearchIndex interface {
	// IndexListings adds or replaces the entries of visible listings.
	IndexListings(ctx context.Context, entries []IndexEntry) error
	// RemoveListings removes listings; unknown IDs are no error.
	RemoveListings(ctx context.Context, ids []string) error
}

// IndexEntry is a listing with the member that posted it, which is what a
// search entry is made from.
type IndexEntry struct {
	Listing *Listing
	Member  *Member
}

// VisibleTo reports whether buyers may find the listing: published, by a
// member whose standing keeps its listings listed. The search index holds
// exactly these; who may see which of them is ShownTo.
func (l *Listing) VisibleTo(m *Member) bool {
	return m != nil && l.MemberID == m.ID && l.Status == StatusPublished && m.Standing.Listed()
}

// ShownTo is the one rule of who sees a listing posted by m, for search,
// the API and the pages alike: its own member's users and staff see every
// listing of the member; anyone else sees it while it is visible (see
// VisibleTo), and a need only when signed in (viewer nil is the public).
// A worker member is a person, never public: the public sees no listing
// of one.
func (l *Listing) ShownTo(viewer *User, m *Member) bool {
	if viewer.IsStaff() || viewer.BelongsTo(l.MemberID) {
		return true
	}
	if viewer == nil && (m == nil || m.Kind != MemberEnterprise) {
		return false
	}
	return l.VisibleTo(m) && (l.Kind != KindNeed || SeesNeeds(viewer))
}

// For returns l as viewer may see it: whole to staff and its member's own
// users; to anyone else with its place given by postcode district ("LS6"),
// never the full postcode, which may be someone's address.
func (l *Listing) For(viewer *User) *Listing {
	if viewer.IsStaff() || viewer.BelongsTo(l.MemberID) {
		return l
	}
	c := *l
	c.Postcode = PostcodeDistrict(l.Postcode)
	return &c
}

// SeesNeeds reports whether viewer may see needs at all: needs are what
// members want to source, for signed-in users only.
func SeesNeeds(viewer *User) bool { return viewer != nil }

// Indexer keeps the search index in step with the listings and their
// members. It is apart from the Service because only the job workers and
// the bulk commands hold the search engine: the embedded one is open in
// one process at a time.
type Indexer struct {
	listings ListingStore
	members  MemberStore
	index    SearchIndex
	queue    ListingQueue
}

// NewIndexer returns the indexing use cases; every argument is required.
func NewIndexer(stores Stores, index SearchIndex, queue ListingQueue) (*Indexer, error) {
	if stores.Listings == nil || stores.Members == nil || index == nil || queue == nil {
		return nil, errors.New("marketplace: the indexer needs the listing and member stores, an index and a queue")
	}
	return &Indexer{listings: stores.Listings, members: stores.Members, index: index, queue: queue}, nil
}

// IndexListing brings the search index in line with a listing: adds it when
// visible, removes it otherwise, then records the version handled. It is
// idempotent; version is the version the job was made for, and work for an
// older version simply handles the newest one.
func (x *Indexer) IndexListing(ctx context.Context, id string, version int64) error {
	// Two jobs may handle one listing at once (an old version's and a new
	// one's, or a member's reindex): each reads, writes the index, and
	// reads again; when the listing or its member changed meanwhile, the
	// write may have undone a newer one, so it is made again from what is
	// read now. The last writer then always wrote the current state.
	for range maxIndexAttempts {
		l, m, err := x.read(ctx, id)
		if ErrorCode(err) == ENOTFOUND {
			// Listings are never deleted; a missing one was never stored.
			return x.index.RemoveListings(ctx, []string{id})
		} else if err != nil {
			return err
		}
		if err := x.indexOne(ctx, l, m); err != nil {
			return err
		}
		l2, m2, err := x.read(ctx, id)
		if err != nil {
			return err
		}
		if l2.Version == l.Version && memberVersion(m2) == memberVersion(m) {
			return x.listings.MarkListingIndexed(ctx, l.ID, l.Version)
		}
	}
	return Errorf(ECONFLICT, "Listing %s kept changing while it was indexed; the job will try again.", id)
}

// maxIndexAttempts bounds how often one job indexes a listing that keeps
// changing; the job is retried after that.
const maxIndexAttempts = 5

// read returns a listing and its member (nil when the member is gone).
func (x *Indexer) read(ctx context.Context, id string) (*Listing, *Member, error) {
	l, err := x.listings.FindListingByID(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	m, err := x.members.FindMemberByID(ctx, l.MemberID)
	if err != nil && ErrorCode(err) != ENOTFOUND {
		return nil, nil, err
	}
	return l, m, nil
}

func memberVersion(m *Member) int64 {
	if m == nil {
		return 0
	}
	return m.Version
}

func (x *Indexer) indexOne(ctx context.Context, l *Listing, m *Member) error {
	if l.VisibleTo(m) {
		return x.index.IndexListings(ctx, []IndexEntry{{Listing: l, Member: m}})
	}
	return x.index.RemoveListings(ctx, []string{l.ID})
}

// ReindexMember brings the search entries of all a member's listings in
// line with the member, after its standing or its name changed, and has
// its open listings matched again.
func (x *Indexer) ReindexMember(ctx context.Context, memberID string) error {
	m, err := x.members.FindMemberByID(ctx, memberID)
	if err != nil {
		return err
	}
	cursor, restarts := "", 0
	for {
		page, next, err := x.listings.FindListings(ctx, ListingFilter{MemberID: m.ID, Cursor: cursor, Limit: MaxPageSize})
		if err != nil {
			return err
		}
		var visible []IndexEntry
		var hidden []string
		for _, l := range page {
			if l.VisibleTo(m) {
				visible = append(visible, IndexEntry{Listing: l, Member: m})
			} else {
				hidden = append(hidden, l.ID)
			}
		}
		if len(visible) > 0 {
			if err := x.index.IndexListings(ctx, visible); err != nil {
				return err
			}
		}
		if len(hidden) > 0 {
			if err := x.index.RemoveListings(ctx, hidden); err != nil {
				return err
			}
		}
		// As IndexListing does: what changed while the page was written
		// may have had its own write undone by this one, so it is indexed
		// again; a changed member starts the whole member again.
		again, err := x.members.FindMemberByID(ctx, memberID)
		if err != nil {
			return err
		}
		if again.Version != m.Version {
			if restarts++; restarts == maxIndexAttempts {
				return Errorf(ECONFLICT, "Member %s kept changing while its listings were indexed; the job will try again.", memberID)
			}
			m, cursor = again, ""
			continue
		}
		ids := make([]string, len(page))
		for i, l := range page {
			ids[i] = l.ID
		}
		now, err := x.listings.FindListingsByIDs(ctx, ids)
		if err != nil {
			return err
		}
		refs := make([]ListingRef, 0, len(page))
		var errs []error
		for _, l := range page {
			if n := now[l.ID]; n != nil && n.Version != l.Version {
				errs = append(errs, x.IndexListing(ctx, l.ID, n.Version))
				continue
			}
			refs = append(refs, ListingRef{ID: l.ID, Version: l.Version})
		}
		errs = append(errs, x.listings.MarkListingsIndexed(ctx, refs))
		for _, l := range page {
			// Matching follows too: a lapsed member's open matches retire,
			// a returning member's listings are matched again.
			if l.Status == StatusPublished || l.Status == StatusPaused {
				errs = append(errs, x.queue.EnqueueListingChanged(ctx, l.ID, l.Version))
			}
		}
		if err := errors.Join(errs...); err != nil {
			return err
		}
		if next == "" {
			return nil
		}
		cursor = next
	}
}
