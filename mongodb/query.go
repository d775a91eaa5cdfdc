package mongodb

import (
	"context"
	"errors"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"
)

// Walk runs the query and calls fn with each document, decoded into D, in
// one pass over one cursor: how bulk work reads a collection once.
func Walk[D any](ctx context.Context, coll *mongo.Collection, filter bson.D, what string, fn func(*D) error) error {
	cur, err := coll.Find(ctx, filter, options.Find().SetBatchSize(1000))
	if err != nil {
		return Wrap(err, "walk %s", what)
	}
	defer cur.Close(ctx)
	for cur.Next(ctx) {
		var d D
		if err := cur.Decode(&d); err != nil {
			return Wrap(err, "decode %s", what)
		}
		if err := fn(&d); err != nil {
			return err
		}
	}
	return Wrap(cur.Err(), "walk %s", what)
}

// Page reads one page of a list: at most limit documents matching filter
// in the order of sort, and the cursor of the next page, made by cursorOf
// from the page's last document ("" when there is no next page). One more
// document than the page is read to know whether there is a next.
func Page[D any](ctx context.Context, coll *mongo.Collection, filter, sort bson.D, limit int, what string, cursorOf func(*D) string) ([]D, string, error) {
	if filter == nil {
		filter = bson.D{}
	}
	opts := options.Find().SetSort(sort)
	if limit > 0 {
		opts.SetLimit(int64(limit) + 1)
	}
	cur, err := coll.Find(ctx, filter, opts)
	if err != nil {
		return nil, "", Wrap(err, "find %s", what)
	}
	var docs []D
	if err := cur.All(ctx, &docs); err != nil {
		return nil, "", Wrap(err, "find %s", what)
	}
	next := ""
	if limit > 0 && len(docs) > limit {
		docs = docs[:limit]
		next = cursorOf(&docs[len(docs)-1])
	}
	return docs, next, nil
}

// byIDsOneByOne is how many IDs FindByIDs looks up one at a time on
// FerretDB, each on the _id index, rather than with $in, which reads the
// whole collection: past it, one read of the collection is cheaper.
const byIDsOneByOne = 256

// FindByIDs calls fn with each document whose _id is among ids (duplicates
// and missing ones ignored), in no order.
func FindByIDs[D any, ID comparable](ctx context.Context, db *DB, coll *mongo.Collection, ids []ID, what string, fn func(*D)) error {
	if !db.FerretDB || len(ids) > byIDsOneByOne {
		return Walk(ctx, coll, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}}}, what, func(d *D) error {
			fn(d)
			return nil
		})
	}
	seen := make(map[ID]bool, len(ids))
	for _, id := range ids {
		if seen[id] {
			continue
		}
		seen[id] = true
		var d D
		err := coll.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&d)
		if errors.Is(err, mongo.ErrNoDocuments) {
			continue
		} else if err != nil {
			return Wrap(err, "find %s", what)
		}
		fn(&d)
	}
	return nil
}
