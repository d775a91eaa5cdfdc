package mongo

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo/options"

	"cooptrade/marketplace"
	"cooptrade/mongodb"
)

var _ marketplace.Pruner = (*EventStore)(nil)

// Pruners returns the pruner of each kind of record payments keep for a
// limited time (marketplace.RetentionTable).
func (s *Stores) Pruners() map[marketplace.RetentionKind]marketplace.Pruner {
	return map[marketplace.RetentionKind]marketplace.Pruner{marketplace.RetainStripeEvents: s.Events}
}

// pruneBatch bounds one run's work.
const pruneBatch = 5000

// Prune implements marketplace.Pruner: it deletes the events applied and
// received before before. An event not yet applied stays, whatever its age:
// the reconciler still owes it.
func (s *EventStore) Prune(ctx context.Context, before time.Time) (int64, error) {
	filter := bson.D{{Key: "applied", Value: true}, {Key: "receivedAt", Value: bson.D{{Key: "$lt", Value: before}}}}
	cur, err := s.coll.Find(ctx, filter, options.Find().SetLimit(pruneBatch).SetProjection(bson.D{{Key: "_id", Value: 1}}))
	if err != nil {
		return 0, mongodb.Wrap(err, "find old Stripe events")
	}
	var docs []struct {
		ID string `bson:"_id"`
	}
	if err := cur.All(ctx, &docs); err != nil {
		return 0, mongodb.Wrap(err, "read old Stripe events")
	}
	ids := make([]string, len(docs))
	for i, d := range docs {
		ids[i] = d.ID
	}
	return mongodb.DeleteByIDs(ctx, s.coll, ids)
}
