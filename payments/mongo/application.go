package mongo

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/bson/primitive"
	"go.mongodb.org/mongo-driver/mongo"

	"cooptrade/marketplace"
	"cooptrade/mongodb"
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
	// Schema is the version of the document's shape (mongodb.SchemaVersion).
	Schema int `bson:"schema"`
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
		Schema: mongodb.SchemaVersion,
		ID:     id, MemberID: member, Year: a.Year, Kind: string(a.Kind), LabourCostsPence: a.LabourCostsPence,
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
	return mongodb.FindByID(ctx, s.coll, id, "application", (*applicationDoc).application)
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
	limit := f.Limit
	if limit <= 0 {
		limit = marketplace.DefaultPageSize
	}
	return mongodb.PageByID(ctx, s.coll, filter, f.Cursor, limit, "applications", (*applicationDoc).application, applicationID)
}

func applicationID(a *payments.Application) string { return a.ID }

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
	if err := s.db.ReplaceVersion(ctx, s.coll, d.ID, version, "application", a.ID, d); err != nil {
		return err
	}
	a.Version = d.Version
	return nil
}
