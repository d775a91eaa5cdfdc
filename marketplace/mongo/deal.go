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

var _ marketplace.DealStore = (*DealStore)(nil)

// DealStore keeps deals in the deals collection, read and written by _id.
// The deals of a member or a thread are found through a lookup of their
// own (mongodb.Keys), by "member:<id>" and "thread:<id>".
type DealStore struct {
	db      *mongodb.DB
	coll    *mongo.Collection
	ofParty *mongodb.Keys
	walked  *dealsWalked
	// now is the clock of the kept walk (DealsWalkTTL).
	now func() time.Time
}

// NewDealStore returns a deal store on db.
func NewDealStore(db *mongodb.DB) *DealStore {
	return &DealStore{db: db, coll: db.Database.Collection(dealsCollection), ofParty: db.Keys(partyDealsCollection),
		walked: &dealsWalked{}, now: time.Now}
}

type dealDoc struct {
	// Schema is the version of the document's shape (mongodb.SchemaVersion).
	Schema           int           `bson:"schema"`
	ID               string        `bson:"_id"`
	Origin           string        `bson:"origin"`
	ThreadID         string        `bson:"threadId"`
	MatchID          string        `bson:"matchId"`
	ListingID        string        `bson:"listingId"`
	Category         string        `bson:"category"`
	Area             string        `bson:"area"`
	District         string        `bson:"district,omitempty"`
	SupplierMemberID string        `bson:"supplierMemberId"`
	SupplierName     string        `bson:"supplierName"`
	BuyerMemberID    string        `bson:"buyerMemberId"`
	BuyerName        string        `bson:"buyerName"`
	ValuePence       int64         `bson:"valuePence"`
	Parts            []dealPartDoc `bson:"parts"`
	Date             string        `bson:"date"`
	What             string        `bson:"what"`
	ReportedBy       string        `bson:"reportedBy"`
	Status           string        `bson:"status"`
	DisputeNote      string        `bson:"disputeNote"`
	ConfirmedAt      *time.Time    `bson:"confirmedAt"`
	Version          int64         `bson:"version"`
	CreatedAt        time.Time     `bson:"createdAt"`
	UpdatedAt        time.Time     `bson:"updatedAt"`
}

type dealPartDoc struct {
	MemberID   string `bson:"memberId"`
	MemberName string `bson:"memberName"`
	ValuePence int64  `bson:"valuePence"`
}

func toDealDoc(d *marketplace.Deal) dealDoc {
	parts := []dealPartDoc{}
	for _, p := range d.Parts {
		parts = append(parts, dealPartDoc(p))
	}
	return dealDoc{Schema: mongodb.SchemaVersion, Parts: parts,
		ID: d.ID, Origin: string(d.Origin), ThreadID: d.ThreadID, MatchID: d.MatchID, ListingID: d.ListingID,
		Category: d.Category, Area: d.Area, District: d.District, SupplierMemberID: d.SupplierMemberID, SupplierName: d.SupplierName,
		BuyerMemberID: d.BuyerMemberID, BuyerName: d.BuyerName, ValuePence: d.ValuePence, Date: d.Date, What: d.What,
		ReportedBy: string(d.ReportedBy), Status: string(d.Status), DisputeNote: d.DisputeNote, ConfirmedAt: d.ConfirmedAt,
		Version: d.Version, CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt,
	}
}

func (d *dealDoc) deal() *marketplace.Deal {
	var parts []marketplace.DealPart
	for _, p := range d.Parts {
		parts = append(parts, marketplace.DealPart(p))
	}
	return &marketplace.Deal{Parts: parts,
		ID: d.ID, Origin: marketplace.DealOrigin(d.Origin), ThreadID: d.ThreadID, MatchID: d.MatchID, ListingID: d.ListingID,
		Category: d.Category, Area: d.Area, District: d.District, SupplierMemberID: d.SupplierMemberID, SupplierName: d.SupplierName,
		BuyerMemberID: d.BuyerMemberID, BuyerName: d.BuyerName, ValuePence: d.ValuePence, Date: d.Date, What: d.What,
		ReportedBy: marketplace.Side(d.ReportedBy), Status: marketplace.DealStatus(d.Status), DisputeNote: d.DisputeNote,
		ConfirmedAt: utc(d.ConfirmedAt), Version: d.Version, CreatedAt: d.CreatedAt.UTC(), UpdatedAt: d.UpdatedAt.UTC(),
	}
}

// CreateDeal implements marketplace.DealStore.
func (s *DealStore) CreateDeal(ctx context.Context, d *marketplace.Deal) error {
	if d.ID == "" {
		d.ID = mongodb.NewID()
	}
	for _, party := range d.Parties() {
		if err := s.ofParty.Add(ctx, party, d.ID); err != nil { // before: see Keys
			return err
		}
	}
	_, err := s.coll.InsertOne(ctx, toDealDoc(d))
	s.forgetWalked()
	return mongodb.Wrap(err, "insert deal")
}

// FindDealByID implements marketplace.DealStore.
func (s *DealStore) FindDealByID(ctx context.Context, id string) (*marketplace.Deal, error) {
	return mongodb.FindOne(ctx, s.coll, bson.D{{Key: "_id", Value: id}}, "deal", id, (*dealDoc).deal)
}

// UpdateDeal implements marketplace.DealStore.
func (s *DealStore) UpdateDeal(ctx context.Context, d *marketplace.Deal) error {
	defer s.forgetWalked()
	return s.db.ReplaceVersionLocked(ctx, s.coll, d.ID, d.Version-1, "deal", toDealDoc(d))
}

// FindDealsOf implements marketplace.DealStore.
func (s *DealStore) FindDealsOf(ctx context.Context, party string) ([]*marketplace.Deal, error) {
	ids, err := s.ofParty.IDs(ctx, party)
	if err != nil || len(ids) == 0 {
		return nil, err
	}
	var out []*marketplace.Deal
	err = mongodb.FindByIDs(ctx, s.db, s.coll, ids, "deals", func(d *dealDoc) { out = append(out, d.deal()) })
	slices.SortFunc(out, func(a, b *marketplace.Deal) int { return b.CreatedAt.Compare(a.CreatedAt) })
	return out, err
}

// FindDeals implements marketplace.DealStore: the deals the party names
// (mongodb.Keys), read by _id and paged in memory.
func (s *DealStore) FindDeals(ctx context.Context, f marketplace.DealFilter) ([]*marketplace.Deal, string, error) {
	all, err := s.FindDealsOf(ctx, f.Party)
	if err != nil {
		return nil, "", err
	}
	return mongodb.PageList(all, func(d *marketplace.Deal) (time.Time, string) { return d.CreatedAt, d.ID }, true, f.Cursor, f.Limit)
}
