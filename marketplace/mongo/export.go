package mongo

import (
	"context"
	"errors"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"

	"cooptrade/marketplace"
	"cooptrade/mongodb"
)

var _ marketplace.ExportStore = (*ExportStore)(nil)

// ExportStore keeps the exports of personal data a job builds in the
// exports collection, keyed by the hash of their link's secret so that
// fetching one is a lookup by _id. The retention job deletes them once
// expired.
type ExportStore struct {
	db   *mongodb.DB
	coll *mongo.Collection
}

// NewExportStore returns an export store on db.
func NewExportStore(db *mongodb.DB) *ExportStore {
	return &ExportStore{db: db, coll: db.Database.Collection(exportsCollection)}
}

type exportDoc struct {
	Hash        string    `bson:"_id"`
	SubjectKind string    `bson:"subjectKind"`
	SubjectID   string    `bson:"subjectId"`
	RequestedBy string    `bson:"requestedBy"`
	Status      string    `bson:"status"`
	CreatedAt   time.Time `bson:"createdAt"`
	ExpiresAt   time.Time `bson:"expiresAt"`
	Body        []byte    `bson:"body,omitempty"`
}

// CreateExport implements marketplace.ExportStore.
func (s *ExportStore) CreateExport(ctx context.Context, e *marketplace.ExportRequest) error {
	_, err := s.coll.InsertOne(ctx, exportDoc{Hash: e.Hash, SubjectKind: string(e.Subject.Kind), SubjectID: e.Subject.ID,
		RequestedBy: e.RequestedBy, Status: e.Status, CreatedAt: e.CreatedAt, ExpiresAt: e.ExpiresAt})
	return mongodb.Wrap(err, "insert export")
}

// FindExport implements marketplace.ExportStore.
func (s *ExportStore) FindExport(ctx context.Context, hash string) (*marketplace.ExportRequest, error) {
	var d exportDoc
	err := s.coll.FindOne(ctx, bson.D{{Key: "_id", Value: hash}}).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, mongodb.NotFound("export")
	} else if err != nil {
		return nil, mongodb.Wrap(err, "find export")
	}
	return &marketplace.ExportRequest{Hash: d.Hash, Subject: marketplace.Subject{Kind: marketplace.SubjectKind(d.SubjectKind), ID: d.SubjectID},
		RequestedBy: d.RequestedBy, Status: d.Status, CreatedAt: d.CreatedAt.UTC(), ExpiresAt: d.ExpiresAt.UTC(), Body: d.Body}, nil
}

// FinishExport implements marketplace.ExportStore.
func (s *ExportStore) FinishExport(ctx context.Context, hash string, body []byte) error {
	defer s.db.Lock(exportsCollection, hash)()
	_, err := s.coll.UpdateOne(ctx, bson.D{{Key: "_id", Value: hash}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "status", Value: marketplace.ExportReady}, {Key: "body", Value: body}}}})
	return mongodb.Wrap(err, "finish export")
}

// DeleteExpiredBefore deletes the exports created before before: past
// their time, whether fetched or not.
func (s *ExportStore) DeleteExpiredBefore(ctx context.Context, before time.Time) (int64, error) {
	ids, err := firstIDs[string](ctx, s.coll, bson.D{{Key: "createdAt", Value: bson.D{{Key: "$lt", Value: before}}}})
	if err != nil {
		return 0, err
	}
	return mongodb.DeleteByIDs(ctx, s.coll, ids)
}

func (s *ExportStore) personalCollections() []string { return []string{exportsCollection} }

func exportsOf(sub marketplace.Subject) bson.D {
	about := bson.D{{Key: "subjectKind", Value: string(sub.Kind)}, {Key: "subjectId", Value: sub.ID}}
	if sub.Kind != marketplace.SubjectUser {
		return about
	}
	return bson.D{{Key: "$or", Value: bson.A{about, bson.D{{Key: "requestedBy", Value: sub.ID}}}}}
}

// ExportSubject implements marketplace.PersonalData: the requests, not
// their contents (which are this export again) or their links' hashes.
func (s *ExportStore) ExportSubject(ctx context.Context, sub marketplace.Subject, into marketplace.PersonalRecords) error {
	docs, err := exportDocs(ctx, s.coll, exportsOf(sub), "_id", "body")
	into.Add(exportsCollection, docs...)
	return err
}

// EraseSubject implements marketplace.PersonalData.
func (s *ExportStore) EraseSubject(ctx context.Context, sub marketplace.Subject, _ string) error {
	return deleteWhere(ctx, s.coll, exportsOf(sub))
}
