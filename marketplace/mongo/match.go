package mongo

import (
	"cmp"
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"cooptrade/marketplace"
	"cooptrade/mongodb"
)

var _ marketplace.MatchStore = (*MatchStore)(nil)

// MatchStore keeps matches in the matches collection. A match's _id is
// marketplace.MatchID(offer, need), so a pair is stored once however often
// it is scored, and looking it up is a lookup by _id.
//
// The matches of a listing and of a member are found through lookups of
// their own (mongodb.Keys), by _id, so that the matching of one listing
// does not read every match.
type MatchStore struct {
	db   *mongodb.DB
	coll *mongo.Collection
	// ofListing and ofMember name the matches each listing and member is
	// a side of.
	ofListing, ofMember *mongodb.Keys
	// cache keeps matches read by _id, on the embedded database.
	cache *mongodb.Cache[matchDoc]
}

// matchesCached is how many matches the embedded database's stores keep in
// memory: those of a few thousand listings.
const matchesCached = 50_000

// NewMatchStore returns a match store on db.
func NewMatchStore(db *mongodb.DB) *MatchStore {
	return &MatchStore{db: db, coll: db.Database.Collection(matchesCollection),
		ofListing: db.Keys(listingMatchesCollection), ofMember: db.Keys(memberMatchesCollection),
		cache: mongodb.NewCache[matchDoc](db, matchesCached)}
}

func matchDocID(d *matchDoc) string { return d.ID }

type reasonDoc struct {
	Code   string  `bson:"code"`
	Points float64 `bson:"points"`
	Max    float64 `bson:"max"`
	Detail string  `bson:"detail"`
}

type matchDoc struct {
	ID             string      `bson:"_id"`
	OfferID        string      `bson:"offerId"`
	NeedID         string      `bson:"needId"`
	OfferMemberID  string      `bson:"offerMemberId"`
	NeedMemberID   string      `bson:"needMemberId"`
	Score          float64     `bson:"score"`
	Reasons        []reasonDoc `bson:"reasons"`
	Status         string      `bson:"status"`
	Retired        bool        `bson:"retired"`
	Category       string      `bson:"category"`
	Area           string      `bson:"area"`
	District       string      `bson:"district,omitempty"`
	OfferVersion   int64       `bson:"offerVersion"`
	NeedVersion    int64       `bson:"needVersion"`
	ReviewerID     string      `bson:"reviewerId"`
	Notes          string      `bson:"notes"`
	DealValuePence int64       `bson:"dealValuePence"`
	IntroducedAt   *time.Time  `bson:"introducedAt"`
	DecidedAt      *time.Time  `bson:"decidedAt"`
	Declined       []string    `bson:"declined"`
	Version        int64       `bson:"version"`
	CreatedAt      time.Time   `bson:"createdAt"`
	UpdatedAt      time.Time   `bson:"updatedAt"`
	NotifiedAt     *time.Time  `bson:"notifiedAt"`
	Notified       bool        `bson:"notified"`
	// Schema is the version of the document's shape (mongodb.SchemaVersion).
	Schema int `bson:"schema"`
}

func toMatchDoc(m *marketplace.Match) matchDoc {
	reasons := make([]reasonDoc, len(m.Reasons))
	for i, r := range m.Reasons {
		reasons[i] = reasonDoc(r)
	}
	return matchDoc{
		Schema: mongodb.SchemaVersion,
		ID:     m.ID, OfferID: m.OfferID, NeedID: m.NeedID, OfferMemberID: m.OfferMemberID, NeedMemberID: m.NeedMemberID,
		Score: m.Score, Reasons: reasons, Status: string(m.Status), Retired: m.Retired, Category: m.Category, Area: m.Area, District: m.District,
		OfferVersion: m.OfferVersion, NeedVersion: m.NeedVersion, ReviewerID: m.ReviewerID, Notes: m.Notes,
		DealValuePence: m.DealValuePence, IntroducedAt: m.IntroducedAt, DecidedAt: m.DecidedAt, Declined: nonNil(m.Declined),
		Version: m.Version, CreatedAt: m.CreatedAt, UpdatedAt: m.UpdatedAt, NotifiedAt: m.NotifiedAt, Notified: m.NotifiedAt != nil,
	}
}

func (d *matchDoc) match() *marketplace.Match {
	reasons := make([]marketplace.MatchReason, len(d.Reasons))
	for i, r := range d.Reasons {
		reasons[i] = marketplace.MatchReason(r)
	}
	var declined []string
	if len(d.Declined) > 0 {
		declined = d.Declined
	}
	return &marketplace.Match{
		ID: d.ID, OfferID: d.OfferID, NeedID: d.NeedID, OfferMemberID: d.OfferMemberID, NeedMemberID: d.NeedMemberID,
		Score: d.Score, Reasons: reasons, Status: marketplace.MatchStatus(d.Status), Retired: d.Retired,
		Category: d.Category, Area: d.Area, District: d.District, OfferVersion: d.OfferVersion, NeedVersion: d.NeedVersion,
		ReviewerID: d.ReviewerID, Notes: d.Notes, DealValuePence: d.DealValuePence,
		IntroducedAt: utc(d.IntroducedAt), DecidedAt: utc(d.DecidedAt), Declined: declined, Version: d.Version,
		CreatedAt: d.CreatedAt.UTC(), UpdatedAt: d.UpdatedAt.UTC(), NotifiedAt: utc(d.NotifiedAt),
	}
}

// FindMatchByID implements marketplace.MatchStore.
func (s *MatchStore) FindMatchByID(ctx context.Context, id string) (*marketplace.Match, error) {
	var found *marketplace.Match
	err := mongodb.FindByIDsCached(ctx, s.db, s.coll, s.cache, []string{id}, "matches", matchDocID, func(d *matchDoc) {
		found = d.match()
	})
	if err == nil && found == nil {
		err = mongodb.NotFound("match")
	}
	return found, err
}

// FindMatchesOfListing implements marketplace.MatchStore.
func (s *MatchStore) FindMatchesOfListing(ctx context.Context, listingID string) ([]*marketplace.Match, error) {
	ms, err := s.findKeyed(ctx, s.ofListing, listingID)
	slices.SortFunc(ms, func(a, b *marketplace.Match) int { return strings.Compare(a.ID, b.ID) })
	return ms, err
}

// findKeyed returns the matches a lookup names under key.
func (s *MatchStore) findKeyed(ctx context.Context, keys *mongodb.Keys, key string) ([]*marketplace.Match, error) {
	ids, err := keys.IDs(ctx, key)
	if err != nil || len(ids) == 0 {
		return nil, err
	}
	var out []*marketplace.Match
	err = mongodb.FindByIDsCached(ctx, s.db, s.coll, s.cache, ids, "matches", matchDocID, func(d *matchDoc) {
		out = append(out, d.match())
	})
	return out, err
}

func (s *MatchStore) find(ctx context.Context, filter bson.D, opts *options.FindOptions) ([]*marketplace.Match, error) {
	return mongodb.FindAll(ctx, s.coll, filter, opts, "matches", (*matchDoc).match)
}

// FindMatches implements marketplace.MatchStore. The cursor is the score and
// ID of the last match of the page before. A member's matches are read
// through their lookup and filtered here; the staff's queue, of every
// member, by a query.
func (s *MatchStore) FindMatches(ctx context.Context, f marketplace.MatchFilter) ([]*marketplace.Match, string, error) {
	if f.MemberID != "" {
		return s.findOfMember(ctx, f)
	}
	and := bson.A{}
	if !f.IncludeRetired {
		and = append(and, bson.D{{Key: "retired", Value: false}})
	}
	if f.Status != "" {
		and = append(and, bson.D{{Key: "status", Value: string(f.Status)}})
	}
	if f.Category != "" {
		and = append(and, bson.D{{Key: "category", Value: bson.D{{Key: "$in", Value: marketplace.Taxonomy.CategoriesOf(f.Category)}}}})
	}
	if f.Area != "" {
		and = append(and, bson.D{{Key: "area", Value: f.Area}})
	}
	if f.MinScore > 0 {
		and = append(and, bson.D{{Key: "score", Value: bson.D{{Key: "$gte", Value: f.MinScore}}}})
	}
	if f.Cursor != "" {
		score, id, ok := parseMatchCursor(f.Cursor)
		if !ok {
			return nil, "", mongodb.BadCursor()
		}
		and = append(and, bson.D{{Key: "$or", Value: bson.A{
			bson.D{{Key: "score", Value: bson.D{{Key: "$lt", Value: score}}}},
			bson.D{{Key: "score", Value: score}, {Key: "_id", Value: bson.D{{Key: "$gt", Value: id}}}},
		}}})
	}
	filter := bson.D{}
	if len(and) > 0 {
		filter = bson.D{{Key: "$and", Value: and}}
	}
	return mongodb.Page(ctx, s.coll, filter, bson.D{{Key: "score", Value: -1}, {Key: "_id", Value: 1}}, f.Limit,
		"matches", (*matchDoc).match, matchCursor)
}

// matchCursor is the cursor of the page after the match: its score and ID.
func matchCursor(m *marketplace.Match) string {
	return strconv.FormatFloat(m.Score, 'f', 1, 64) + "~" + m.ID
}

// findOfMember is FindMatches for one member's matches: read through the
// member's lookup, then filtered, ordered and paged as the query would.
func (s *MatchStore) findOfMember(ctx context.Context, f marketplace.MatchFilter) ([]*marketplace.Match, string, error) {
	var after struct {
		score float64
		id    string
	}
	if f.Cursor != "" {
		var ok bool
		if after.score, after.id, ok = parseMatchCursor(f.Cursor); !ok {
			return nil, "", mongodb.BadCursor()
		}
	}
	all, err := s.findKeyed(ctx, s.ofMember, f.MemberID)
	if err != nil {
		return nil, "", err
	}
	categories := marketplace.Taxonomy.CategoriesOf(f.Category)
	ms := all[:0]
	for _, m := range all {
		switch {
		case m.OfferMemberID != f.MemberID && m.NeedMemberID != f.MemberID,
			m.Retired && !f.IncludeRetired,
			f.Status != "" && m.Status != f.Status,
			f.Category != "" && !slices.Contains(categories, m.Category),
			f.Area != "" && m.Area != f.Area,
			f.MinScore > 0 && m.Score < f.MinScore,
			f.Cursor != "" && !(m.Score < after.score || m.Score == after.score && m.ID > after.id):
			continue
		}
		ms = append(ms, m)
	}
	slices.SortFunc(ms, func(a, b *marketplace.Match) int {
		if a.Score != b.Score {
			return cmp.Compare(b.Score, a.Score)
		}
		return strings.Compare(a.ID, b.ID)
	})
	ms, next := mongodb.Cut(ms, f.Limit, matchCursor)
	return ms, next, nil
}

func parseMatchCursor(c string) (float64, string, bool) {
	s, id, ok := strings.Cut(c, "~")
	if !ok || id == "" || len(id) > 100 {
		return 0, "", false
	}
	if strings.Trim(s, "0123456789.") != "" {
		return 0, "", false // the score as formatted below, nothing else
	}
	score, err := strconv.ParseFloat(s, 64)
	// A score is a finite number from 0 to 100; anything else (NaN above
	// all) must never reach a filter.
	if err != nil || !(score >= 0 && score <= 100) {
		return 0, "", false
	}
	return score, id, true
}

// UpsertMatchScores implements marketplace.MatchStore. Each new pair is
// inserted (the unique _id settles a race between two workers); a pair
// already stored gets the new score, reasons and versions and comes back
// into the queue if it had been retired.
func (s *MatchStore) UpsertMatchScores(ctx context.Context, ms []*marketplace.Match) ([]string, error) {
	ids := make([]string, len(ms))
	for i, m := range ms {
		ids[i] = m.ID
	}
	stored := map[string]*matchDoc{}
	if err := mongodb.FindByIDsCached(ctx, s.db, s.coll, s.cache, ids, "matches", matchDocID, func(d *matchDoc) { stored[d.ID] = d }); err != nil {
		return nil, err
	}
	var created []string
	for _, m := range ms {
		d := toMatchDoc(m)
		if old := stored[m.ID]; old != nil {
			// Scored again from the same versions to the same score:
			// nothing to write (a listing matched again unchanged).
			if old.Score == d.Score && old.OfferVersion == d.OfferVersion && old.NeedVersion == d.NeedVersion && !old.Retired {
				continue
			}
			if err := s.rescore(ctx, d); err != nil {
				return created, err
			}
			continue
		}
		// The lookups first: a crash before the match is stored leaves
		// them naming nothing, which readers skip.
		for _, k := range []struct {
			keys *mongodb.Keys
			key  string
		}{{s.ofListing, m.OfferID}, {s.ofListing, m.NeedID}, {s.ofMember, m.OfferMemberID}, {s.ofMember, m.NeedMemberID}} {
			if err := k.keys.Add(ctx, k.key, m.ID); err != nil {
				return created, err
			}
		}
		s.cache.Forget(m.ID)
		_, err := s.coll.InsertOne(ctx, d)
		s.cache.Forget(m.ID)
		if err == nil {
			created = append(created, m.ID)
			continue
		}
		if !mongo.IsDuplicateKeyError(err) {
			return created, mongodb.Wrap(err, "insert match %s", m.ID)
		}
		// Another worker stored the pair meanwhile.
		if err := s.rescore(ctx, d); err != nil {
			return created, err
		}
	}
	return created, nil
}

// rescore writes a stored pair's new score, reasons and versions and brings
// it back into the queue if it had been retired.
func (s *MatchStore) rescore(ctx context.Context, d matchDoc) error {
	defer s.db.Lock(matchesCollection, d.ID)()
	defer s.cache.Forget(d.ID)
	s.cache.Forget(d.ID)
	_, err := s.coll.UpdateOne(ctx, bson.D{{Key: "_id", Value: d.ID}}, bson.D{{Key: "$set", Value: bson.D{
		{Key: "score", Value: d.Score}, {Key: "reasons", Value: d.Reasons},
		{Key: "offerVersion", Value: d.OfferVersion}, {Key: "needVersion", Value: d.NeedVersion},
		{Key: "category", Value: d.Category}, {Key: "area", Value: d.Area}, {Key: "district", Value: d.District},
		{Key: "retired", Value: false}, {Key: "updatedAt", Value: d.UpdatedAt},
	}}})
	return mongodb.Wrap(err, "update match %s", d.ID)
}

// RetireMatches implements marketplace.MatchStore.
func (s *MatchStore) RetireMatches(ctx context.Context, ids []string) error {
	for _, id := range ids {
		unlock := s.db.Lock(matchesCollection, id)
		s.cache.Forget(id)
		_, err := s.coll.UpdateOne(ctx, bson.D{{Key: "_id", Value: id}}, bson.D{{Key: "$set", Value: bson.D{{Key: "retired", Value: true}}}})
		s.cache.Forget(id)
		unlock()
		if err != nil {
			return mongodb.Wrap(err, "retire match %s", id)
		}
	}
	return nil
}

// UpdateMatch implements marketplace.MatchStore.
func (s *MatchStore) UpdateMatch(ctx context.Context, m *marketplace.Match, version int64) error {
	defer s.db.Lock(matchesCollection, m.ID)()
	defer s.cache.Forget(m.ID)
	s.cache.Forget(m.ID)
	d := toMatchDoc(m)
	err := s.db.UpdateVersion(ctx, s.coll, m.ID, version, "match", m.ID,
		bson.D{{Key: "$set", Value: bson.D{
			{Key: "status", Value: d.Status}, {Key: "reviewerId", Value: d.ReviewerID}, {Key: "notes", Value: d.Notes},
			{Key: "dealValuePence", Value: d.DealValuePence}, {Key: "introducedAt", Value: d.IntroducedAt},
			{Key: "decidedAt", Value: d.DecidedAt}, {Key: "declined", Value: d.Declined},
			{Key: "version", Value: version + 1}, {Key: "updatedAt", Value: d.UpdatedAt},
		}}})
	if err != nil {
		return err
	}
	m.Version = version + 1
	return nil
}

// FindMatchesToNotify implements marketplace.MatchStore.
func (s *MatchStore) FindMatchesToNotify(ctx context.Context, before time.Time, limit int) ([]*marketplace.Match, error) {
	return s.find(ctx, bson.D{{Key: "notified", Value: false}, {Key: "createdAt", Value: bson.D{{Key: "$lt", Value: before}}}},
		options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}).SetLimit(int64(limit)))
}

// MarkMatchNotified implements marketplace.MatchStore.
func (s *MatchStore) MarkMatchNotified(ctx context.Context, id string, at time.Time) error {
	defer s.db.Lock(matchesCollection, id)()
	defer s.cache.Forget(id)
	s.cache.Forget(id)
	_, err := s.coll.UpdateOne(ctx, bson.D{{Key: "_id", Value: id}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "notified", Value: true}, {Key: "notifiedAt", Value: at}}}})
	return mongodb.Wrap(err, "mark match %s notified", id)
}

// WalkMatches implements marketplace.MatchStore with one cursor.
func (s *MatchStore) WalkMatches(ctx context.Context, from, to time.Time, fn func(*marketplace.Match) error) error {
	filter := bson.D{{Key: "createdAt", Value: bson.D{{Key: "$gte", Value: from}, {Key: "$lt", Value: to}}}}
	return mongodb.Walk(ctx, s.coll, filter, "matches", func(d *matchDoc) error { return fn(d.match()) })
}

// fillKeys fills the matches' lookups from the matches, when they are empty
// and there are matches: once, after an upgrade that added them.
func (s *MatchStore) fillKeys(ctx context.Context) error {
	empty, err := s.ofListing.Empty(ctx)
	if err != nil || !empty {
		return err
	}
	ofListing, ofMember := map[string][]string{}, map[string][]string{}
	err = mongodb.Walk(ctx, s.coll, bson.D{}, "matches", func(d *matchDoc) error {
		ofListing[d.OfferID] = append(ofListing[d.OfferID], d.ID)
		ofListing[d.NeedID] = append(ofListing[d.NeedID], d.ID)
		ofMember[d.OfferMemberID] = append(ofMember[d.OfferMemberID], d.ID)
		ofMember[d.NeedMemberID] = append(ofMember[d.NeedMemberID], d.ID)
		return nil
	})
	if err != nil {
		return err
	}
	if err := s.ofMember.AddAll(ctx, ofMember); err != nil {
		return err
	}
	// The listings' lookup last: it is the one whose emptiness says
	// whether to fill.
	return s.ofListing.AddAll(ctx, ofListing)
}
