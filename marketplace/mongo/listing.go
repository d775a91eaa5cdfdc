package mongo

import (
	"bytes"
	"context"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/bson/primitive"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"cooptrade/marketplace"
	"cooptrade/mongodb"
)

var _ marketplace.ListingStore = (*ListingStore)(nil)

// ListingStore keeps listings in the listings collection.
//
// Besides the versions, each listing carries two flags, indexPending and
// matchPending, set by every write and cleared when the search index or the
// matcher has handled the newest version. The reconciler looks for the flags
// because comparing two fields of a document ($expr) is beyond FerretDB.
//
// A member's listings are found through a lookup of their own
// (mongodb.Keys), so that a member's pages and the re-indexing of a member
// read its listings by _id rather than every listing.
//
// On the embedded database the listings read by _id are kept in memory
// (mongodb.Cache): a listing's page then costs no query.
type ListingStore struct {
	db       *mongodb.DB
	coll     *mongo.Collection
	byMember *mongodb.Keys
	cache    *mongodb.Cache[*marketplace.Listing]
}

// listingsCached is how many listings the embedded database's stores keep
// in memory: a small federation's all, at a few megabytes.
const listingsCached = 50_000

// NewListingStore returns a listing store on db.
func NewListingStore(db *mongodb.DB) *ListingStore {
	return &ListingStore{db: db, coll: db.Database.Collection(listingsCollection), byMember: db.Keys(memberListingsCollection),
		cache: mongodb.NewCache[*marketplace.Listing](db, listingsCached)}
}

// cloneListing is a copy of a cached listing that its caller may change.
func cloneListing(l *marketplace.Listing) *marketplace.Listing {
	c := *l
	c.Tags = slices.Clone(l.Tags)
	for _, t := range []**time.Time{&c.Deadline, &c.ExpiresAt, &c.PublishedAt} {
		if *t != nil {
			v := **t
			*t = &v
		}
	}
	return &c
}

type listingDoc struct {
	ID             primitive.ObjectID `bson:"_id"`
	MemberID       primitive.ObjectID `bson:"memberId"`
	Kind           string             `bson:"kind"`
	Title          string             `bson:"title"`
	Description    string             `bson:"description"`
	Category       string             `bson:"category"`
	Tags           []string           `bson:"tags"`
	Postcode       string             `bson:"postcode"`
	District       string             `bson:"district,omitempty"`
	Area           string             `bson:"area"`
	Lat            float64            `bson:"lat"`
	Lon            float64            `bson:"lon"`
	Remote         bool               `bson:"remote"`
	RadiusKM       int                `bson:"radiusKm"`
	PriceMinPence  int64              `bson:"priceMinPence"`
	PriceMaxPence  int64              `bson:"priceMaxPence"`
	PriceUnit      string             `bson:"priceUnit"`
	Currency       string             `bson:"currency"`
	Deadline       *time.Time         `bson:"deadline"`
	Status         string             `bson:"status"`
	ExpiresAt      *time.Time         `bson:"expiresAt"`
	Version        int64              `bson:"version"`
	IndexedVersion int64              `bson:"indexedVersion"`
	MatchedVersion int64              `bson:"matchedVersion"`
	IndexPending   bool               `bson:"indexPending"`
	MatchPending   bool               `bson:"matchPending"`
	CreatedAt      time.Time          `bson:"createdAt"`
	UpdatedAt      time.Time          `bson:"updatedAt"`
	PublishedAt    *time.Time         `bson:"publishedAt"`
	// Schema is the version of the document's shape (mongodb.SchemaVersion).
	Schema int `bson:"schema"`
}

func (d *listingDoc) listing() *marketplace.Listing {
	l := &marketplace.Listing{
		ID: d.ID.Hex(), MemberID: d.MemberID.Hex(), Kind: marketplace.ListingKind(d.Kind),
		Title: d.Title, Description: d.Description, Category: d.Category, Tags: nonNil(d.Tags),
		Postcode: d.Postcode, Area: d.Area, Lat: d.Lat, Lon: d.Lon, Remote: d.Remote, RadiusKM: d.RadiusKM,
		PriceMinPence: d.PriceMinPence, PriceMaxPence: d.PriceMaxPence, PriceUnit: d.PriceUnit,
		Currency: d.Currency, Deadline: utc(d.Deadline), Status: marketplace.ListingStatus(d.Status),
		ExpiresAt: utc(d.ExpiresAt), Version: d.Version, IndexedVersion: d.IndexedVersion,
		MatchedVersion: d.MatchedVersion, CreatedAt: d.CreatedAt.UTC(), UpdatedAt: d.UpdatedAt.UTC(),
		PublishedAt: utc(d.PublishedAt),
	}
	l.District, l.Area, l.Lat, l.Lon = replaced(d.Postcode, d.District, d.Area, d.Lat, d.Lon)
	return l
}

// editable returns the fields a use case may write.
func editable(l *marketplace.Listing) bson.D {
	return bson.D{
		{Key: "kind", Value: string(l.Kind)}, {Key: "title", Value: l.Title},
		{Key: "description", Value: l.Description}, {Key: "category", Value: l.Category},
		{Key: "tags", Value: nonNil(l.Tags)}, {Key: "postcode", Value: l.Postcode}, {Key: "district", Value: l.District},
		{Key: "area", Value: l.Area},
		{Key: "lat", Value: l.Lat}, {Key: "lon", Value: l.Lon}, {Key: "remote", Value: l.Remote},
		{Key: "radiusKm", Value: l.RadiusKM}, {Key: "priceMinPence", Value: l.PriceMinPence},
		{Key: "priceMaxPence", Value: l.PriceMaxPence}, {Key: "priceUnit", Value: l.PriceUnit},
		{Key: "currency", Value: l.Currency}, {Key: "deadline", Value: l.Deadline},
		{Key: "status", Value: string(l.Status)}, {Key: "expiresAt", Value: l.ExpiresAt},
		{Key: "updatedAt", Value: l.UpdatedAt}, {Key: "publishedAt", Value: l.PublishedAt},
	}
}

// FindListingByID implements marketplace.ListingStore.
func (s *ListingStore) FindListingByID(ctx context.Context, id string) (*marketplace.Listing, error) {
	if l, ok := s.cache.Get(id); ok {
		return cloneListing(l), nil
	}
	ticket := s.cache.Begin()
	l, err := mongodb.FindByID(ctx, s.coll, id, "listing", (*listingDoc).listing)
	if err != nil {
		return nil, err
	}
	s.cache.Put(id, cloneListing(l), ticket)
	return l, nil
}

// FindListings implements marketplace.ListingStore.
func (s *ListingStore) FindListings(ctx context.Context, f marketplace.ListingFilter) ([]*marketplace.Listing, string, error) {
	if f.MemberID != "" {
		return s.findOfMember(ctx, f)
	}
	filter := bson.D{}
	if len(f.Statuses) > 0 {
		statuses := make([]string, len(f.Statuses))
		for i, st := range f.Statuses {
			statuses[i] = string(st)
		}
		filter = append(filter, bson.E{Key: "status", Value: bson.D{{Key: "$in", Value: statuses}}})
	}
	if f.Kind != "" {
		filter = append(filter, bson.E{Key: "kind", Value: string(f.Kind)})
	}
	return mongodb.PageByID(ctx, s.coll, filter, f.Cursor, f.Limit, "listings", (*listingDoc).listing, listingID)
}

func listingID(l *marketplace.Listing) string { return l.ID }

// CreateListing implements marketplace.ListingStore.
// findOfMember is FindListings for one member's listings: read through the
// member's lookup, then filtered, ordered and paged as the query would.
func (s *ListingStore) findOfMember(ctx context.Context, f marketplace.ListingFilter) ([]*marketplace.Listing, string, error) {
	var after primitive.ObjectID
	if f.Cursor != "" {
		var err error
		if after, err = mongodb.ParseCursor(f.Cursor); err != nil {
			return nil, "", err
		}
	}
	ids, err := s.byMember.IDs(ctx, f.MemberID)
	if err != nil {
		return nil, "", err
	}
	var docs []listingDoc
	err = mongodb.FindByIDs(ctx, s.db, s.coll, mongodb.ObjectIDs(ids), "listings", func(d *listingDoc) {
		switch {
		case d.MemberID.Hex() != f.MemberID,
			len(f.Statuses) > 0 && !slices.Contains(f.Statuses, marketplace.ListingStatus(d.Status)),
			f.Kind != "" && d.Kind != string(f.Kind),
			f.Cursor != "" && bytes.Compare(d.ID[:], after[:]) >= 0:
			return
		}
		docs = append(docs, *d)
	})
	if err != nil {
		return nil, "", err
	}
	slices.SortFunc(docs, func(a, b listingDoc) int { return bytes.Compare(b.ID[:], a.ID[:]) })
	docs, next := mongodb.Cut(docs, f.Limit, func(d listingDoc) string { return d.ID.Hex() })
	listings := make([]*marketplace.Listing, len(docs))
	for i := range docs {
		listings[i] = docs[i].listing()
	}
	return listings, next, nil
}

func (s *ListingStore) CreateListing(ctx context.Context, l *marketplace.Listing) error {
	mid, err := mongodb.ObjectID(l.MemberID, "member")
	if err != nil {
		return err
	}
	d := listingDoc{ID: primitive.NewObjectID(), MemberID: mid, Version: l.Version, CreatedAt: l.CreatedAt,
		IndexPending: true, MatchPending: true}
	if err := s.byMember.Add(ctx, l.MemberID, d.ID.Hex()); err != nil { // before: see Keys
		return err
	}
	if _, err := s.coll.InsertOne(ctx, append(bson.D{
		{Key: "_id", Value: d.ID}, {Key: "memberId", Value: d.MemberID},
	}, append(editable(l),
		bson.E{Key: "version", Value: d.Version}, bson.E{Key: "indexedVersion", Value: int64(0)},
		bson.E{Key: "matchedVersion", Value: int64(0)}, bson.E{Key: "indexPending", Value: true},
		bson.E{Key: "matchPending", Value: true}, bson.E{Key: "createdAt", Value: d.CreatedAt},
		bson.E{Key: mongodb.SchemaField, Value: mongodb.SchemaVersion})...)); err != nil {
		return mongodb.Wrap(err, "insert listing")
	}
	l.ID = d.ID.Hex()
	return nil
}

// InsertListings stores many listings at once, as they are (IDs included,
// or new ones when empty), for imports and seeding. Their IndexedVersion
// and MatchedVersion are stored too, and a listing whose marker is behind
// its version is marked as needing that work: leave the markers at 0
// unless the caller has already done the work (an import that indexed the
// listings before storing them sets IndexedVersion to Version).
func (s *ListingStore) InsertListings(ctx context.Context, listings []*marketplace.Listing) error {
	docs := make([]any, 0, len(listings))
	byMember := map[string][]string{}
	for _, l := range listings {
		oid, err := primitive.ObjectIDFromHex(l.ID)
		if err != nil {
			oid = primitive.NewObjectID()
		}
		mid, err := mongodb.ObjectID(l.MemberID, "member")
		if err != nil {
			return err
		}
		l.ID = oid.Hex()
		byMember[l.MemberID] = append(byMember[l.MemberID], l.ID)
		docs = append(docs, append(bson.D{{Key: "_id", Value: oid}, {Key: "memberId", Value: mid}},
			append(editable(l),
				bson.E{Key: "version", Value: l.Version}, bson.E{Key: "indexedVersion", Value: l.IndexedVersion},
				bson.E{Key: "matchedVersion", Value: l.MatchedVersion}, bson.E{Key: "indexPending", Value: l.IndexedVersion < l.Version},
				bson.E{Key: "matchPending", Value: l.MatchedVersion < l.Version}, bson.E{Key: "createdAt", Value: l.CreatedAt},
				bson.E{Key: mongodb.SchemaField, Value: mongodb.SchemaVersion})...))
	}
	if len(docs) == 0 {
		return nil
	}
	if err := s.byMember.AddAll(ctx, byMember); err != nil { // before: see Keys
		return err
	}
	_, err := s.coll.InsertMany(ctx, docs, options.InsertMany().SetOrdered(false))
	return mongodb.Wrap(err, "insert listings")
}

// UpdateListing implements marketplace.ListingStore.
func (s *ListingStore) UpdateListing(ctx context.Context, l *marketplace.Listing, version int64) error {
	oid, err := mongodb.ObjectID(l.ID, "listing")
	if err != nil {
		return err
	}
	defer s.db.Lock(listingsCollection, l.ID)()
	defer s.cache.Forget(l.ID)
	s.cache.Forget(l.ID)
	set := append(editable(l),
		bson.E{Key: "version", Value: version + 1},
		bson.E{Key: "indexPending", Value: true},
		bson.E{Key: "matchPending", Value: true})
	if err := s.db.UpdateVersion(ctx, s.coll, oid, version, "listing", l.ID, bson.D{{Key: "$set", Value: set}}); err != nil {
		return err
	}
	l.Version = version + 1
	return nil
}

// FindListingsBehind implements marketplace.ListingStore.
func (s *ListingStore) FindListingsBehind(ctx context.Context, before time.Time, limit int) ([]marketplace.ListingRef, error) {
	filter := bson.D{
		{Key: "$or", Value: bson.A{
			bson.D{{Key: "indexPending", Value: true}},
			bson.D{{Key: "matchPending", Value: true}},
		}},
		{Key: "updatedAt", Value: bson.D{{Key: "$lt", Value: before}}},
	}
	opts := options.Find().SetLimit(int64(limit)).SetSort(bson.D{{Key: "_id", Value: 1}}).
		SetProjection(bson.D{{Key: "version", Value: 1}, {Key: "indexPending", Value: 1}, {Key: "matchPending", Value: 1}})
	cur, err := s.coll.Find(ctx, filter, opts)
	if err != nil {
		return nil, mongodb.Wrap(err, "find listings behind")
	}
	var docs []struct {
		ID           primitive.ObjectID `bson:"_id"`
		Version      int64              `bson:"version"`
		IndexPending bool               `bson:"indexPending"`
		MatchPending bool               `bson:"matchPending"`
	}
	if err := cur.All(ctx, &docs); err != nil {
		return nil, mongodb.Wrap(err, "find listings behind")
	}
	refs := make([]marketplace.ListingRef, len(docs))
	for i, d := range docs {
		refs[i] = marketplace.ListingRef{ID: d.ID.Hex(), Version: d.Version, NeedsIndex: d.IndexPending, NeedsMatches: d.MatchPending}
	}
	return refs, nil
}

// Backlog is the listings whose search entry or matches lag behind their
// newest version: how many, and when the oldest of them last changed.
type Backlog struct {
	Index, Match           int
	IndexSince, MatchSince time.Time // zero when none waits
}

// Backlog counts the listings waiting to be indexed or matched. It reads
// every waiting listing (on FerretDB, every listing): callers keep the
// answer a while rather than ask on every scrape.
func (s *ListingStore) Backlog(ctx context.Context) (Backlog, error) {
	filter := bson.D{{Key: "$or", Value: bson.A{
		bson.D{{Key: "indexPending", Value: true}},
		bson.D{{Key: "matchPending", Value: true}},
	}}}
	opts := options.Find().SetProjection(bson.D{{Key: "updatedAt", Value: 1}, {Key: "indexPending", Value: 1}, {Key: "matchPending", Value: 1}})
	cur, err := s.coll.Find(ctx, filter, opts)
	if err != nil {
		return Backlog{}, mongodb.Wrap(err, "listing backlog")
	}
	defer cur.Close(ctx)
	var b Backlog
	oldest := func(since *time.Time, t time.Time) {
		if since.IsZero() || t.Before(*since) {
			*since = t
		}
	}
	for cur.Next(ctx) {
		var d struct {
			UpdatedAt    time.Time `bson:"updatedAt"`
			IndexPending bool      `bson:"indexPending"`
			MatchPending bool      `bson:"matchPending"`
		}
		if err := cur.Decode(&d); err != nil {
			return Backlog{}, mongodb.Wrap(err, "listing backlog")
		}
		if d.IndexPending {
			b.Index++
			oldest(&b.IndexSince, d.UpdatedAt)
		}
		if d.MatchPending {
			b.Match++
			oldest(&b.MatchSince, d.UpdatedAt)
		}
	}
	return b, mongodb.Wrap(cur.Err(), "listing backlog")
}

// MarkListingIndexed implements marketplace.ListingStore.
func (s *ListingStore) MarkListingIndexed(ctx context.Context, id string, version int64) error {
	return s.mark(ctx, id, version, "indexedVersion", "indexPending")
}

// MarkListingMatched implements marketplace.ListingStore.
func (s *ListingStore) MarkListingMatched(ctx context.Context, id string, version int64) error {
	return s.mark(ctx, id, version, "matchedVersion", "matchPending")
}

// mark advances a marker to version, and clears the pending flag, only if
// version is still the listing's newest: work done on an older version is
// redone when the newer one is handled.
func (s *ListingStore) mark(ctx context.Context, id string, version int64, marker, flag string) error {
	oid, err := mongodb.ObjectID(id, "listing")
	if err != nil {
		return err
	}
	defer s.db.Lock(listingsCollection, id)()
	if l, ok := s.cache.Get(id); ok && (l.Version != version || markerOf(l, marker) >= version) {
		// Nothing to write, and nothing to forget: matching a listing
		// again unchanged (a backlog of it) leaves the cache as it was.
		return nil
	}
	defer s.cache.Forget(id)
	s.cache.Forget(id)
	_, _, err = s.db.UpdateIf(ctx, s.coll, oid, []mongodb.Cond{mongodb.Eq("version", version), mongodb.Lt(marker, version)},
		bson.D{{Key: "$set", Value: bson.D{{Key: marker, Value: version}, {Key: flag, Value: false}}}})
	return mongodb.Wrap(err, "mark listing %s %s", id, marker)
}

// markerOf is the listing's version the marker names.
func markerOf(l *marketplace.Listing, marker string) int64 {
	if marker == "matchedVersion" {
		return l.MatchedVersion
	}
	return l.IndexedVersion
}

func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// WalkListings implements marketplace.ListingStore with one cursor, so that
// bulk work (reindexing, loading the candidate pool) reads the collection
// once.
func (s *ListingStore) WalkListings(ctx context.Context, statuses []marketplace.ListingStatus, fn func(*marketplace.Listing) error) error {
	filter := bson.D{}
	if len(statuses) > 0 {
		st := make([]string, len(statuses))
		for i, x := range statuses {
			st[i] = string(x)
		}
		filter = append(filter, bson.E{Key: "status", Value: bson.D{{Key: "$in", Value: st}}})
	}
	return mongodb.Walk(ctx, s.coll, filter, "listings", func(d *listingDoc) error { return fn(d.listing()) })
}

// FindListingsByIDs implements marketplace.ListingStore.
func (s *ListingStore) FindListingsByIDs(ctx context.Context, ids []string) (map[string]*marketplace.Listing, error) {
	found := map[string]*marketplace.Listing{}
	oids := mongodb.ObjectIDs(ids)
	if len(oids) == 0 {
		return found, nil
	}
	var missing []primitive.ObjectID
	for _, oid := range oids {
		if l, ok := s.cache.Get(oid.Hex()); ok {
			found[oid.Hex()] = cloneListing(l)
		} else {
			missing = append(missing, oid)
		}
	}
	if len(missing) == 0 {
		return found, nil
	}
	ticket := s.cache.Begin()
	err := mongodb.FindByIDs(ctx, s.db, s.coll, missing, "listings", func(d *listingDoc) {
		l := d.listing()
		found[l.ID] = l
		s.cache.Put(l.ID, cloneListing(l), ticket)
	})
	return found, err
}

// FindPublishedExpiringBefore implements marketplace.ListingStore.
func (s *ListingStore) FindPublishedExpiringBefore(ctx context.Context, t time.Time, limit int) ([]*marketplace.Listing, error) {
	return mongodb.FindAll(ctx, s.coll, bson.D{
		{Key: "status", Value: string(marketplace.StatusPublished)},
		{Key: "$or", Value: bson.A{
			bson.D{{Key: "expiresAt", Value: bson.D{{Key: "$lt", Value: t}}}},
			bson.D{{Key: "deadline", Value: bson.D{{Key: "$lt", Value: t}}}},
		}},
	}, options.Find().SetSort(bson.D{{Key: "expiresAt", Value: 1}}).SetLimit(int64(limit)), "expiring listings", (*listingDoc).listing)
}

// fillKeys fills the members' listings lookup from the listings, when it is
// empty and there are listings: once, after an upgrade that added it.
func (s *ListingStore) fillKeys(ctx context.Context) error {
	empty, err := s.byMember.Empty(ctx)
	if err != nil || !empty {
		return err
	}
	byMember := map[string][]string{}
	err = mongodb.Walk(ctx, s.coll, bson.D{}, "listings", func(d *listingDoc) error {
		byMember[d.MemberID.Hex()] = append(byMember[d.MemberID.Hex()], d.ID.Hex())
		return nil
	})
	if err != nil {
		return err
	}
	return s.byMember.AddAll(ctx, byMember)
}
