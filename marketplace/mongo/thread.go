package mongo

import (
	"context"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"

	"cooptrade/marketplace"
	"cooptrade/mongodb"
)

var _ marketplace.ThreadStore = (*ThreadStore)(nil)

// ThreadStore keeps threads in the threads collection, each with its
// messages and people in one document read and written by _id. The
// threads of a member or a user are found through a lookup of their own
// (mongodb.Keys), by "member:<id>" and "user:<id>".
type ThreadStore struct {
	db      *mongodb.DB
	coll    *mongo.Collection
	ofParty *mongodb.Keys
}

// NewThreadStore returns a thread store on db.
func NewThreadStore(db *mongodb.DB) *ThreadStore {
	return &ThreadStore{db: db, coll: db.Database.Collection(threadsCollection), ofParty: db.Keys(partyThreadsCollection)}
}

type threadPersonDoc struct {
	Key       string `bson:"key"`
	Side      string `bson:"side"`
	UserID    string `bson:"userId"`
	Name      string `bson:"name"`
	Email     string `bson:"email"`
	Lang      string `bson:"lang"`
	Salt      string `bson:"salt"`
	TokenHash string `bson:"tokenHash"`
	Blocked   bool   `bson:"blocked"`
}

type threadReportDoc struct {
	MessageID string    `bson:"messageId"`
	Side      string    `bson:"side"`
	Reason    string    `bson:"reason"`
	At        time.Time `bson:"at"`
}

type threadMessageDoc struct {
	ID        string    `bson:"id"`
	Side      string    `bson:"side"`
	Author    string    `bson:"author"`
	AuthorKey string    `bson:"authorKey"`
	Body      string    `bson:"body"`
	Via       string    `bson:"via"`
	Known     bool      `bson:"known"`
	Key       string    `bson:"key"`
	Hidden    bool      `bson:"hidden"`
	CreatedAt time.Time `bson:"createdAt"`
}

type threadDoc struct {
	// Schema is the version of the document's shape (mongodb.SchemaVersion).
	Schema           int                `bson:"schema"`
	ID               string             `bson:"_id"`
	Kind             string             `bson:"kind"`
	Status           string             `bson:"status"`
	ListingID        string             `bson:"listingId"`
	ListingTitle     string             `bson:"listingTitle"`
	MatchID          string             `bson:"matchId,omitempty"`
	SupplierMemberID string             `bson:"supplierMemberId"`
	SupplierName     string             `bson:"supplierName"`
	BuyerMemberID    string             `bson:"buyerMemberId"`
	BuyerUserID      string             `bson:"buyerUserId"`
	BuyerName        string             `bson:"buyerName"`
	People           []threadPersonDoc  `bson:"people"`
	Messages         []threadMessageDoc `bson:"messages"`
	Reports          []threadReportDoc  `bson:"reports"`
	EnquirerErasedAt *time.Time         `bson:"enquirerErasedAt,omitempty"`
	Version          int64              `bson:"version"`
	CreatedAt        time.Time          `bson:"createdAt"`
	UpdatedAt        time.Time          `bson:"updatedAt"`
}

func toThreadDoc(t *marketplace.Thread) threadDoc {
	d := threadDoc{
		Schema: mongodb.SchemaVersion,
		ID:     t.ID, Kind: string(t.Kind), Status: string(t.Status), ListingID: t.ListingID, ListingTitle: t.ListingTitle, MatchID: t.MatchID,
		SupplierMemberID: t.SupplierMemberID, SupplierName: t.SupplierName, BuyerMemberID: t.BuyerMemberID,
		BuyerUserID: t.BuyerUserID, BuyerName: t.BuyerName, People: []threadPersonDoc{}, Messages: []threadMessageDoc{}, Reports: []threadReportDoc{},
		Version: t.Version, CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt, EnquirerErasedAt: t.EnquirerErasedAt,
	}
	for _, p := range t.People {
		d.People = append(d.People, threadPersonDoc{Key: p.Key, Side: string(p.Side), UserID: p.UserID, Name: p.Name,
			Email: p.Email, Lang: p.Lang, Salt: p.Salt, TokenHash: p.TokenHash, Blocked: p.Blocked})
	}
	for _, r := range t.Reports {
		d.Reports = append(d.Reports, threadReportDoc{MessageID: r.MessageID, Side: string(r.Side), Reason: r.Reason, At: r.At})
	}
	for _, m := range t.Messages {
		d.Messages = append(d.Messages, threadMessageDoc{ID: m.ID, Side: string(m.Side), Author: m.Author, AuthorKey: m.AuthorKey,
			Body: m.Body, Via: m.Via, Known: m.Known, Key: m.Key, Hidden: m.Hidden, CreatedAt: m.CreatedAt})
	}
	return d
}

func (d *threadDoc) thread() *marketplace.Thread {
	t := &marketplace.Thread{
		ID: d.ID, Kind: marketplace.ThreadKind(d.Kind), Status: marketplace.ThreadStatus(d.Status),
		ListingID: d.ListingID, ListingTitle: d.ListingTitle, MatchID: d.MatchID, SupplierMemberID: d.SupplierMemberID, SupplierName: d.SupplierName,
		BuyerMemberID: d.BuyerMemberID, BuyerUserID: d.BuyerUserID, BuyerName: d.BuyerName,
		People: []*marketplace.ThreadPerson{}, Messages: []*marketplace.ThreadMessage{},
		Version: d.Version, CreatedAt: d.CreatedAt.UTC(), UpdatedAt: d.UpdatedAt.UTC(),
	}
	if d.EnquirerErasedAt != nil {
		at := d.EnquirerErasedAt.UTC()
		t.EnquirerErasedAt = &at
	}
	for _, p := range d.People {
		t.People = append(t.People, &marketplace.ThreadPerson{Key: p.Key, Side: marketplace.Side(p.Side), UserID: p.UserID,
			Name: p.Name, Email: p.Email, Lang: p.Lang, Salt: p.Salt, TokenHash: p.TokenHash, Blocked: p.Blocked})
	}
	for _, r := range d.Reports {
		t.Reports = append(t.Reports, &marketplace.ThreadReport{MessageID: r.MessageID, Side: marketplace.Side(r.Side), Reason: r.Reason, At: r.At.UTC()})
	}
	for _, m := range d.Messages {
		t.Messages = append(t.Messages, &marketplace.ThreadMessage{ID: m.ID, Side: marketplace.Side(m.Side), Author: m.Author,
			AuthorKey: m.AuthorKey, Body: m.Body, Via: m.Via, Known: m.Known, Key: m.Key, Hidden: m.Hidden, CreatedAt: m.CreatedAt.UTC()})
	}
	return t
}

// CreateThread implements marketplace.ThreadStore.
func (s *ThreadStore) CreateThread(ctx context.Context, t *marketplace.Thread) error {
	if t.ID == "" {
		t.ID = mongodb.NewID()
	}
	for _, party := range t.Parties() {
		if err := s.ofParty.Add(ctx, party, t.ID); err != nil { // before: see Keys
			return err
		}
	}
	_, err := s.coll.InsertOne(ctx, toThreadDoc(t))
	if mongo.IsDuplicateKeyError(err) {
		return marketplace.Errorf(marketplace.ECONFLICT, "The thread exists.")
	}
	return mongodb.Wrap(err, "insert thread")
}

// FindThreadByID implements marketplace.ThreadStore.
func (s *ThreadStore) FindThreadByID(ctx context.Context, id string) (*marketplace.Thread, error) {
	return mongodb.FindOne(ctx, s.coll, bson.D{{Key: "_id", Value: id}}, "thread", id, (*threadDoc).thread)
}

// UpdateThread implements marketplace.ThreadStore: the thread is
// replaced when the stored one is at the version before t's. A reported
// thread is named under "reported" first (see Keys).
func (s *ThreadStore) UpdateThread(ctx context.Context, t *marketplace.Thread) error {
	if t.Reported() {
		if err := s.ofParty.Add(ctx, "reported", t.ID); err != nil {
			return err
		}
	}
	return s.db.ReplaceVersionLocked(ctx, s.coll, t.ID, t.Version-1, "thread", toThreadDoc(t))
}

// FindThreads implements marketplace.ThreadStore: the threads each party
// names (mongodb.Keys), read by _id and paged in memory.
func (s *ThreadStore) FindThreads(ctx context.Context, f marketplace.ThreadFilter) ([]*marketplace.Thread, string, error) {
	seen := map[string]bool{}
	var ids []string
	for _, party := range f.Parties {
		of, err := s.ofParty.IDs(ctx, party)
		if err != nil {
			return nil, "", err
		}
		for _, id := range of {
			if !seen[id] {
				seen[id] = true
				ids = append(ids, id)
			}
		}
	}
	var all []*marketplace.Thread
	err := mongodb.FindByIDs(ctx, s.db, s.coll, ids, "threads", func(d *threadDoc) {
		if !f.Open || d.Status == string(marketplace.ThreadOpen) {
			all = append(all, d.thread())
		}
	})
	if err != nil {
		return nil, "", err
	}
	return mongodb.PageList(all, func(t *marketplace.Thread) (time.Time, string) { return t.UpdatedAt, t.ID }, true, f.Cursor, f.Limit)
}

// FindThreadsOf implements marketplace.ThreadStore.
func (s *ThreadStore) FindThreadsOf(ctx context.Context, party string) ([]*marketplace.Thread, error) {
	ids, err := s.ofParty.IDs(ctx, party)
	if err != nil || len(ids) == 0 {
		return nil, err
	}
	var out []*marketplace.Thread
	err = mongodb.FindByIDs(ctx, s.db, s.coll, ids, "threads", func(d *threadDoc) { out = append(out, d.thread()) })
	slices.SortFunc(out, func(a, b *marketplace.Thread) int { return b.UpdatedAt.Compare(a.UpdatedAt) })
	return out, err
}
