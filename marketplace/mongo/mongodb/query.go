package mongodb

import (
	"context"

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
