package mongo

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"cooptrade/marketplace"
	"cooptrade/mongodb"
	"cooptrade/payments"
)

// EventStore keeps the Stripe events in stripe_events, each under its
// Stripe ID as _id, so that an event is stored once however often it is
// delivered.
type EventStore struct {
	db   *mongodb.DB
	coll *mongo.Collection
}

type eventDoc struct {
	ID         string     `bson:"_id"`
	Type       string     `bson:"type"`
	Created    time.Time  `bson:"created"`
	Payload    string     `bson:"payload"`
	ReceivedAt time.Time  `bson:"receivedAt"`
	Applied    bool       `bson:"applied"`
	AppliedAt  *time.Time `bson:"appliedAt,omitempty"`
	Outcome    string     `bson:"outcome,omitempty"`
	// Schema is the version of the document's shape (mongodb.SchemaVersion).
	Schema int `bson:"schema"`
}

func (d *eventDoc) event() *payments.Event {
	var applied *time.Time
	if d.AppliedAt != nil {
		t := d.AppliedAt.UTC()
		applied = &t
	}
	return &payments.Event{ID: d.ID, Type: d.Type, Created: d.Created.UTC(), Payload: d.Payload,
		ReceivedAt: d.ReceivedAt.UTC(), AppliedAt: applied, Outcome: d.Outcome}
}

// CreateEvent implements payments.EventStore.
func (s *EventStore) CreateEvent(ctx context.Context, e *payments.Event) error {
	d := eventDoc{Schema: mongodb.SchemaVersion, ID: e.ID, Type: e.Type, Created: e.Created.UTC(), Payload: e.Payload, ReceivedAt: e.ReceivedAt.UTC()}
	if _, err := s.coll.InsertOne(ctx, d); mongo.IsDuplicateKeyError(err) {
		return marketplace.Errorf(marketplace.ECONFLICT, "The event %s was received before.", e.ID)
	} else if err != nil {
		return mongodb.Wrap(err, "insert event %s", e.ID)
	}
	return nil
}

// FindEventByID implements payments.EventStore.
func (s *EventStore) FindEventByID(ctx context.Context, id string) (*payments.Event, error) {
	return mongodb.FindOne(ctx, s.coll, bson.D{{Key: "_id", Value: id}}, "event", id, (*eventDoc).event)
}

// FindUnappliedEvents implements payments.EventStore.
func (s *EventStore) FindUnappliedEvents(ctx context.Context, before time.Time, limit int) ([]*payments.Event, error) {
	return mongodb.FindAll(ctx, s.coll,
		bson.D{{Key: "applied", Value: false}, {Key: "receivedAt", Value: bson.D{{Key: "$lt", Value: before.UTC()}}}},
		options.Find().SetSort(bson.D{{Key: "receivedAt", Value: 1}}).SetLimit(int64(limit)),
		"unapplied events", (*eventDoc).event)
}

// MarkEventApplied implements payments.EventStore.
func (s *EventStore) MarkEventApplied(ctx context.Context, id string, t time.Time, outcome string) (bool, error) {
	defer s.db.Lock(eventsCollection, id)()
	_, updated, err := s.db.UpdateIf(ctx, s.coll, id, []mongodb.Cond{mongodb.Eq("applied", false)},
		bson.D{{Key: "$set", Value: bson.D{
			{Key: "applied", Value: true}, {Key: "appliedAt", Value: t.UTC()}, {Key: "outcome", Value: outcome},
		}}})
	if err != nil {
		return false, mongodb.Wrap(err, "mark event %s applied", id)
	}
	return updated, nil
}
