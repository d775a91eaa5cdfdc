package mongo

import (
	"context"
	"errors"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/bson/primitive"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"cooptrade/marketplace"
	"cooptrade/marketplace/mongo/mongodb"
	"cooptrade/payments"
)

// ApplicationStore keeps the dues applications in dues_applications.
type ApplicationStore struct {
	db   *mongodb.DB
	coll *mongo.Collection
}

type applicationDoc struct {
	ID                  primitive.ObjectID `bson:"_id"`
	MemberID            primitive.ObjectID `bson:"memberId"`
	Year                int                `bson:"year"`
	Kind                string             `bson:"kind"`
	LabourCostsPence    int64              `bson:"labourCostsPence"`
	HardshipAmountPence int64              `bson:"hardshipAmountPence"`
	Reason              string             `bson:"reason"`
	Dues                duesDoc            `bson:"dues"`
	Status              string             `bson:"status"`
	StaffNotes          string             `bson:"staffNotes"`
	DecidedBy           string             `bson:"decidedBy"`
	DecidedAt           *time.Time         `bson:"decidedAt,omitempty"`
	Version             int64              `bson:"version"`
	CreatedAt           time.Time          `bson:"createdAt"`
	UpdatedAt           time.Time          `bson:"updatedAt"`
}

func toApplicationDoc(a *payments.Application) (applicationDoc, error) {
	member, err := mongodb.ObjectID(a.MemberID, "member")
	if err != nil {
		return applicationDoc{}, err
	}
	id, _ := primitive.ObjectIDFromHex(a.ID)
	var decided *time.Time
	if a.DecidedAt != nil {
		decided = opt(*a.DecidedAt)
	}
	return applicationDoc{
		ID: id, MemberID: member, Year: a.Year, Kind: string(a.Kind), LabourCostsPence: a.LabourCostsPence,
		HardshipAmountPence: a.HardshipAmountPence, Reason: a.Reason, Dues: toDuesDoc(a.Dues), Status: string(a.Status),
		StaffNotes: a.StaffNotes, DecidedBy: a.DecidedBy, DecidedAt: decided, Version: a.Version,
		CreatedAt: a.CreatedAt.UTC(), UpdatedAt: a.UpdatedAt.UTC(),
	}, nil
}

func (d *applicationDoc) application() *payments.Application {
	var decided *time.Time
	if d.DecidedAt != nil {
		t := d.DecidedAt.UTC()
		decided = &t
	}
	return &payments.Application{
		ID: d.ID.Hex(), MemberID: d.MemberID.Hex(), Year: d.Year, Kind: payments.ApplicationKind(d.Kind),
		LabourCostsPence: d.LabourCostsPence, HardshipAmountPence: d.HardshipAmountPence, Reason: d.Reason,
		Dues: d.Dues.dues(), Status: payments.ApplicationStatus(d.Status), StaffNotes: d.StaffNotes,
		DecidedBy: d.DecidedBy, DecidedAt: decided, Version: d.Version,
		CreatedAt: d.CreatedAt.UTC(), UpdatedAt: d.UpdatedAt.UTC(),
	}
}

// FindApplicationByID implements payments.ApplicationStore.
func (s *ApplicationStore) FindApplicationByID(ctx context.Context, id string) (*payments.Application, error) {
	oid, err := mongodb.ObjectID(id, "application")
	if err != nil {
		return nil, err
	}
	var d applicationDoc
	err = s.coll.FindOne(ctx, bson.D{{Key: "_id", Value: oid}}).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, mongodb.NotFound("application")
	} else if err != nil {
		return nil, mongodb.Wrap(err, "find application %s", id)
	}
	return d.application(), nil
}

// FindApplications implements payments.ApplicationStore.
func (s *ApplicationStore) FindApplications(ctx context.Context, f payments.ApplicationFilter) ([]*payments.Application, string, error) {
	filter := bson.D{}
	if f.MemberID != "" {
		oid, err := primitive.ObjectIDFromHex(f.MemberID)
		if err != nil {
			return []*payments.Application{}, "", nil
		}
		filter = append(filter, bson.E{Key: "memberId", Value: oid})
	}
	if f.Status != "" {
		filter = append(filter, bson.E{Key: "status", Value: string(f.Status)})
	}
	if f.Year != 0 {
		filter = append(filter, bson.E{Key: "year", Value: f.Year})
	}
	if f.Cursor != "" {
		after, err := primitive.ObjectIDFromHex(f.Cursor)
		if err != nil {
			return nil, "", marketplace.Invalid(marketplace.Broken("cursor", marketplace.RuleCursor, marketplace.RuleParams{}))
		}
		filter = append(filter, bson.E{Key: "_id", Value: bson.D{{Key: "$lt", Value: after}}})
	}
	limit := f.Limit
	if limit <= 0 {
		limit = marketplace.DefaultPageSize
	}
	cur, err := s.coll.Find(ctx, filter, options.Find().SetSort(bson.D{{Key: "_id", Value: -1}}).SetLimit(int64(limit)+1))
	if err != nil {
		return nil, "", mongodb.Wrap(err, "find applications")
	}
	var docs []applicationDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, "", mongodb.Wrap(err, "find applications")
	}
	next := ""
	if len(docs) > limit {
		docs = docs[:limit]
		next = docs[len(docs)-1].ID.Hex()
	}
	out := make([]*payments.Application, len(docs))
	for i := range docs {
		out[i] = docs[i].application()
	}
	return out, next, nil
}

// CreateApplication implements payments.ApplicationStore.
func (s *ApplicationStore) CreateApplication(ctx context.Context, a *payments.Application) error {
	d, err := toApplicationDoc(a)
	if err != nil {
		return err
	}
	d.ID = primitive.NewObjectID()
	if _, err := s.coll.InsertOne(ctx, d); err != nil {
		return mongodb.Wrap(err, "insert application")
	}
	a.ID = d.ID.Hex()
	return nil
}

// UpdateApplication implements payments.ApplicationStore.
func (s *ApplicationStore) UpdateApplication(ctx context.Context, a *payments.Application, version int64) error {
	d, err := toApplicationDoc(a)
	if err != nil {
		return err
	}
	if d.ID.IsZero() {
		return mongodb.NotFound("application")
	}
	defer s.db.Lock(applicationsCollection, a.ID)()
	d.Version = version + 1
	found, replaced, err := s.db.ReplaceIf(ctx, s.coll, d.ID, []mongodb.Cond{mongodb.Eq("version", version)}, d)
	switch {
	case err != nil:
		return mongodb.Wrap(err, "update application %s", a.ID)
	case !found:
		return mongodb.NotFound("application")
	case !replaced:
		return mongodb.Stale("application", version)
	}
	a.Version = d.Version
	return nil
}
