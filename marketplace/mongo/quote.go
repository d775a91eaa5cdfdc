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

var _ marketplace.QuoteStore = (*QuoteStore)(nil)

// QuoteStore keeps quotes in the quotes collection, read and written by
// _id. The quotes of a need and of a quoting member are found through a
// lookup of their own (mongodb.Keys), by "need:<id>" and "member:<id>".
type QuoteStore struct {
	db   *mongodb.DB
	coll *mongo.Collection
	of   *mongodb.Keys
}

// NewQuoteStore returns a quote store on db.
func NewQuoteStore(db *mongodb.DB) *QuoteStore {
	return &QuoteStore{db: db, coll: db.Database.Collection(quotesCollection), of: db.Keys(quoteKeysCollection)}
}

type quoteDoc struct {
	// Schema is the version of the document's shape (mongodb.SchemaVersion).
	Schema         int            `bson:"schema"`
	ID             string         `bson:"_id"`
	NeedID         string         `bson:"needId"`
	NeedTitle      string         `bson:"needTitle"`
	NeedMemberID   string         `bson:"needMemberId"`
	NeedMemberName string         `bson:"needMemberName"`
	MemberID       string         `bson:"memberId"`
	MemberName     string         `bson:"memberName"`
	PricePence     int64          `bson:"pricePence"`
	PriceUnit      string         `bson:"priceUnit"`
	Covers         string         `bson:"covers"`
	ValidUntil     string         `bson:"validUntil"`
	Note           string         `bson:"note"`
	Status         string         `bson:"status"`
	ThreadID       string         `bson:"threadId"`
	DealID         string         `bson:"dealId"`
	Parts          []quotePartDoc `bson:"parts"`
	Version        int64          `bson:"version"`
	CreatedAt      time.Time      `bson:"createdAt"`
	UpdatedAt      time.Time      `bson:"updatedAt"`
}

type quotePartDoc struct {
	MemberID   string   `bson:"memberId"`
	MemberName string   `bson:"memberName"`
	Categories []string `bson:"categories"`
	SharePence int64    `bson:"sharePence"`
	Accepted   bool     `bson:"accepted"`
}

func toQuoteDoc(q *marketplace.Quote) quoteDoc {
	parts := []quotePartDoc{}
	for _, p := range q.Parts {
		parts = append(parts, quotePartDoc{MemberID: p.MemberID, MemberName: p.MemberName, Categories: p.Categories, SharePence: p.SharePence, Accepted: p.Accepted})
	}
	return quoteDoc{Schema: mongodb.SchemaVersion, Parts: parts,
		ID: q.ID, NeedID: q.NeedID, NeedTitle: q.NeedTitle, NeedMemberID: q.NeedMemberID, NeedMemberName: q.NeedMemberName,
		MemberID: q.MemberID, MemberName: q.MemberName, PricePence: q.PricePence, PriceUnit: q.PriceUnit, Covers: q.Covers,
		ValidUntil: q.ValidUntil, Note: q.Note, Status: string(q.Status), ThreadID: q.ThreadID, DealID: q.DealID,
		Version: q.Version, CreatedAt: q.CreatedAt, UpdatedAt: q.UpdatedAt,
	}
}

func (d *quoteDoc) quote() *marketplace.Quote {
	var parts []*marketplace.QuotePart
	for _, p := range d.Parts {
		parts = append(parts, &marketplace.QuotePart{MemberID: p.MemberID, MemberName: p.MemberName, Categories: p.Categories, SharePence: p.SharePence, Accepted: p.Accepted})
	}
	return &marketplace.Quote{Parts: parts,
		ID: d.ID, NeedID: d.NeedID, NeedTitle: d.NeedTitle, NeedMemberID: d.NeedMemberID, NeedMemberName: d.NeedMemberName,
		MemberID: d.MemberID, MemberName: d.MemberName, PricePence: d.PricePence, PriceUnit: d.PriceUnit, Covers: d.Covers,
		ValidUntil: d.ValidUntil, Note: d.Note, Status: marketplace.QuoteStatus(d.Status), ThreadID: d.ThreadID, DealID: d.DealID,
		Version: d.Version, CreatedAt: d.CreatedAt.UTC(), UpdatedAt: d.UpdatedAt.UTC(),
	}
}

// CreateQuote implements marketplace.QuoteStore.
func (s *QuoteStore) CreateQuote(ctx context.Context, q *marketplace.Quote) error {
	if q.ID == "" {
		q.ID = mongodb.NewID()
	}
	keys := []string{"need:" + q.NeedID, "member:" + q.MemberID}
	for _, p := range q.Parts[min(1, len(q.Parts)):] {
		keys = append(keys, "member:"+p.MemberID)
	}
	for _, key := range keys {
		if err := s.of.Add(ctx, key, q.ID); err != nil { // before: see Keys
			return err
		}
	}
	_, err := s.coll.InsertOne(ctx, toQuoteDoc(q))
	return mongodb.Wrap(err, "insert quote")
}

// FindQuoteByID implements marketplace.QuoteStore.
func (s *QuoteStore) FindQuoteByID(ctx context.Context, id string) (*marketplace.Quote, error) {
	return mongodb.FindOne(ctx, s.coll, bson.D{{Key: "_id", Value: id}}, "quote", id, (*quoteDoc).quote)
}

// UpdateQuote implements marketplace.QuoteStore.
func (s *QuoteStore) UpdateQuote(ctx context.Context, q *marketplace.Quote) error {
	return s.db.ReplaceVersionLocked(ctx, s.coll, q.ID, q.Version-1, "quote", toQuoteDoc(q))
}

// FindQuotes implements marketplace.QuoteStore: the quotes the key names
// (mongodb.Keys), read by _id and paged in memory.
func (s *QuoteStore) FindQuotes(ctx context.Context, f marketplace.QuoteFilter) ([]*marketplace.Quote, string, error) {
	all, err := s.FindQuotesOf(ctx, f.Key)
	if err != nil {
		return nil, "", err
	}
	return mongodb.PageList(all, func(q *marketplace.Quote) (time.Time, string) { return q.CreatedAt, q.ID }, false, f.Cursor, f.Limit)
}

// FindQuotesOf implements marketplace.QuoteStore.
func (s *QuoteStore) FindQuotesOf(ctx context.Context, key string) ([]*marketplace.Quote, error) {
	ids, err := s.of.IDs(ctx, key)
	if err != nil || len(ids) == 0 {
		return nil, err
	}
	var out []*marketplace.Quote
	err = mongodb.FindByIDs(ctx, s.db, s.coll, ids, "quotes", func(d *quoteDoc) { out = append(out, d.quote()) })
	slices.SortFunc(out, func(a, b *marketplace.Quote) int { return a.CreatedAt.Compare(b.CreatedAt) })
	return out, err
}
