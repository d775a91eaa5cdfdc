package mongo

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/bson/primitive"
	"go.mongodb.org/mongo-driver/mongo"

	"cooptrade/marketplace"
	"cooptrade/mongodb"
)

var _ marketplace.AuditStore = (*AuditStore)(nil)

// AuditStore keeps the audit log in the audit collection.
type AuditStore struct {
	coll *mongo.Collection
}

// NewAuditStore returns an audit store on db.
func NewAuditStore(db *mongodb.DB) *AuditStore {
	return &AuditStore{coll: db.Database.Collection(auditCollection)}
}

type auditDoc struct {
	ID      primitive.ObjectID `bson:"_id"`
	At      time.Time          `bson:"at"`
	ActorID string             `bson:"actorId"`
	Actor   string             `bson:"actor"`
	Action  string             `bson:"action"`
	Subject string             `bson:"subject"`
	Reason  string             `bson:"reason,omitempty"`
	Details map[string]string  `bson:"details,omitempty"`
	// Schema is the version of the document's shape (mongodb.SchemaVersion).
	Schema int `bson:"schema"`
}

func (d *auditDoc) entry() *marketplace.AuditEntry {
	return &marketplace.AuditEntry{ID: d.ID.Hex(), At: d.At.UTC(), ActorID: d.ActorID, Actor: d.Actor,
		Action: d.Action, Subject: d.Subject, Reason: d.Reason, Details: d.Details}
}

// AddAudit implements marketplace.AuditStore.
func (s *AuditStore) AddAudit(ctx context.Context, e *marketplace.AuditEntry) error {
	d := auditDoc{Schema: mongodb.SchemaVersion, ID: primitive.NewObjectID(), At: e.At, ActorID: e.ActorID, Actor: e.Actor,
		Action: e.Action, Subject: e.Subject, Reason: e.Reason, Details: e.Details}
	if _, err := s.coll.InsertOne(ctx, d); err != nil {
		return mongodb.Wrap(err, "insert audit entry")
	}
	e.ID = d.ID.Hex()
	return nil
}

// FindAudit implements marketplace.AuditStore.
func (s *AuditStore) FindAudit(ctx context.Context, f marketplace.AuditFilter) ([]*marketplace.AuditEntry, string, error) {
	filter := bson.D{}
	if f.Subject != "" {
		filter = append(filter, bson.E{Key: "subject", Value: f.Subject})
	}
	if f.Action != "" {
		filter = append(filter, bson.E{Key: "action", Value: f.Action})
	}
	return mongodb.PageByID(ctx, s.coll, filter, f.Cursor, f.Limit, "audit entries", (*auditDoc).entry,
		func(e *marketplace.AuditEntry) string { return e.ID })
}
