package mongo

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/bson/primitive"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"cooptrade/marketplace"
	"cooptrade/mongodb"
)

// Retention: what the daily job deletes once past its time. Each run
// finds at most pruneBatch records of a kind (a scan on FerretDB, once a
// day) and writes them by _id, mongodb.DeleteBatch at a time; what is left
// waits for the next run.

// pruneBatch bounds one run's work on one kind.
const pruneBatch = 5000

// pruneFunc is a marketplace.Pruner.
type pruneFunc func(ctx context.Context, before time.Time) (int64, error)

// Prune implements marketplace.Pruner.
func (f pruneFunc) Prune(ctx context.Context, before time.Time) (int64, error) { return f(ctx, before) }

// Pruners returns the pruner of each kind of record the stores keep for a
// limited time (marketplace.RetentionTable).
func (s *Stores) Pruners() map[marketplace.RetentionKind]marketplace.Pruner {
	return map[marketplace.RetentionKind]marketplace.Pruner{
		marketplace.RetainMailBodies:              pruneFunc(s.Notifications.ClearMailBodies),
		marketplace.RetainNotifications:           pruneFunc(s.Notifications.DeleteDeliveredBefore),
		marketplace.RetainListings:                pruneFunc(s.Listings.DeleteClosedBefore),
		marketplace.RetainAudit:                   pruneFunc(s.Audit.DeleteBefore),
		marketplace.RetainExports:                 pruneFunc(s.Exports.DeleteExpiredBefore),
		marketplace.RetainInvitations:             pruneFunc(s.Invitations.DeleteExpiredBefore),
		marketplace.RetainRefusedApplications:     pruneFunc(s.JoinApplications.DeleteRefusedBefore),
		marketplace.RetainUnconfirmedApplications: pruneFunc(s.JoinApplications.DeleteUnconfirmedBefore),
		marketplace.RetainUnconfirmedEnquiries:    pruneFunc(s.Threads.DeleteUnconfirmedBefore),
	}
}

// finished are the statuses of notifications that will not be sent again.
var finished = bson.D{{Key: "$in", Value: bson.A{string(marketplace.NotificationSent), string(marketplace.NotificationFailed)}}}

// firstIDs returns the _ids of at most pruneBatch documents filter finds.
func firstIDs[ID any](ctx context.Context, coll *mongo.Collection, filter bson.D) ([]ID, error) {
	cur, err := coll.Find(ctx, filter, options.Find().SetLimit(pruneBatch).SetProjection(bson.D{{Key: "_id", Value: 1}}))
	if err != nil {
		return nil, mongodb.Wrap(err, "find in %s", coll.Name())
	}
	defer cur.Close(ctx)
	var ids []ID
	for cur.Next(ctx) {
		var d struct {
			ID ID `bson:"_id"`
		}
		if err := cur.Decode(&d); err != nil {
			return nil, mongodb.Wrap(err, "decode from %s", coll.Name())
		}
		ids = append(ids, d.ID)
	}
	return ids, mongodb.Wrap(cur.Err(), "find in %s", coll.Name())
}

// ClearMailBodies clears the text, HTML and address of the e-mails and
// webhook posts sent before before: the notification stays, as a record
// that it was sent, until DeleteDeliveredBefore. Inbox items keep their
// text, which is what the inbox shows.
func (s *NotificationStore) ClearMailBodies(ctx context.Context, before time.Time) (int64, error) {
	filter := bson.D{
		{Key: "channel", Value: bson.D{{Key: "$ne", Value: string(marketplace.ChannelInbox)}}},
		{Key: "status", Value: finished},
		{Key: "createdAt", Value: bson.D{{Key: "$lt", Value: before}}},
		{Key: "$or", Value: bson.A{
			bson.D{{Key: "text", Value: bson.D{{Key: "$ne", Value: ""}}}},
			bson.D{{Key: "html", Value: bson.D{{Key: "$ne", Value: ""}}}},
			bson.D{{Key: "to", Value: bson.D{{Key: "$ne", Value: ""}}}},
		}},
	}
	ids, err := firstIDs[string](ctx, s.coll, filter)
	if err != nil {
		return 0, err
	}
	s.cache.Forget(ids...)
	err = mongodb.UpdateByIDs(ctx, s.coll, ids, bson.D{{Key: "$set", Value: bson.D{{Key: "text", Value: ""}, {Key: "html", Value: ""}, {Key: "to", Value: ""}}}})
	s.cache.Forget(ids...)
	return int64(len(ids)), err
}

// DeleteDeliveredBefore deletes the notifications sent or failed before
// before, through DeleteNotifications, so that the inboxes stay true.
func (s *NotificationStore) DeleteDeliveredBefore(ctx context.Context, before time.Time) (int64, error) {
	ids, err := firstIDs[string](ctx, s.coll, bson.D{{Key: "status", Value: finished}, {Key: "createdAt", Value: bson.D{{Key: "$lt", Value: before}}}})
	if err != nil {
		return 0, err
	}
	return s.DeleteNotifications(ctx, ids)
}

// DeleteClosedBefore deletes the listings closed, expired or removed whose
// last change was before before, unless a match refers to them: a match is
// the record of a trade, and shows both listings.
func (s *ListingStore) DeleteClosedBefore(ctx context.Context, before time.Time) (int64, error) {
	filter := bson.D{
		{Key: "status", Value: bson.D{{Key: "$in", Value: bson.A{string(marketplace.StatusClosed), string(marketplace.StatusExpired), string(marketplace.StatusRemoved)}}}},
		{Key: "updatedAt", Value: bson.D{{Key: "$lt", Value: before}}},
	}
	type ref struct {
		ID       primitive.ObjectID `bson:"_id"`
		MemberID primitive.ObjectID `bson:"memberId"`
	}
	var refs []ref
	err := mongodb.Walk(ctx, s.coll, filter, "listings", func(d *ref) error {
		if len(refs) < pruneBatch {
			refs = append(refs, *d)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	matched := s.db.Keys(listingMatchesCollection)
	var gone []ref
	for _, r := range refs {
		ids, err := matched.IDs(ctx, r.ID.Hex())
		if err != nil {
			return 0, err
		}
		if len(ids) == 0 {
			gone = append(gone, r)
		}
	}
	oids := make([]primitive.ObjectID, len(gone))
	hex := make([]string, len(gone))
	for i, r := range gone {
		oids[i], hex[i] = r.ID, r.ID.Hex()
	}
	s.cache.Forget(hex...)
	n, err := mongodb.DeleteByIDs(ctx, s.coll, oids)
	s.cache.Forget(hex...)
	if err != nil {
		return n, err
	}
	for _, r := range gone {
		if err := s.byMember.Remove(ctx, r.MemberID.Hex(), r.ID.Hex()); err != nil {
			return n, err
		}
	}
	return n, nil
}

// DeleteBefore deletes the audit entries of actions before before.
func (s *AuditStore) DeleteBefore(ctx context.Context, before time.Time) (int64, error) {
	ids, err := firstIDs[primitive.ObjectID](ctx, s.coll, bson.D{{Key: "at", Value: bson.D{{Key: "$lt", Value: before}}}})
	if err != nil {
		return 0, err
	}
	return mongodb.DeleteByIDs(ctx, s.coll, ids)
}
