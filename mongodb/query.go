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

// FindOne reads the one document filter finds, decoded as D and turned
// into a T by convert: the ENOTFOUND error of what when there is none. key
// names the document in other errors; "" names none (a token's hash is not
// for the logs).
func FindOne[D, T any](ctx context.Context, coll *mongo.Collection, filter bson.D, what, key string, convert func(*D) T) (T, error) {
	var d D
	var zero T
	err := coll.FindOne(ctx, filter).Decode(&d)
	switch {
	case errors.Is(err, mongo.ErrNoDocuments):
		return zero, NotFound(what)
	case err != nil && key == "":
		return zero, Wrap(err, "find %s", what)
	case err != nil:
		return zero, Wrap(err, "find %s %s", what, key)
	}
	return convert(&d), nil
}

// TakeByID finds the document with the _id and deletes it, in one
// command, so that two takers never both get it (a one-time link used
// by two requests at once); what names it in the errors.
func TakeByID[D any](ctx context.Context, coll *mongo.Collection, id, what string) (*D, error) {
	var d D
	err := coll.FindOneAndDelete(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, NotFound(what)
	} else if err != nil {
		return nil, Wrap(err, "take %s", what)
	}
	return &d, nil
}

// FindByID is FindOne of the document whose _id is the ObjectID id (in
// hex). An id that is not an ObjectID names no document: ENOTFOUND.
func FindByID[D, T any](ctx context.Context, coll *mongo.Collection, id, what string, convert func(*D) T) (T, error) {
	oid, err := ObjectID(id, what)
	if err != nil {
		var zero T
		return zero, err
	}
	return FindOne(ctx, coll, bson.D{{Key: "_id", Value: oid}}, what, id, convert)
}

// FindAll reads every document the query finds, in the order opts sorts
// them (opts may be nil), each decoded as D and turned into a T by convert.
func FindAll[D, T any](ctx context.Context, coll *mongo.Collection, filter bson.D, opts *options.FindOptions, what string, convert func(*D) T) ([]T, error) {
	if filter == nil {
		filter = bson.D{}
	}
	cur, err := coll.Find(ctx, filter, opts)
	if err != nil {
		return nil, Wrap(err, "find %s", what)
	}
	var docs []D
	if err := cur.All(ctx, &docs); err != nil {
		return nil, Wrap(err, "find %s", what)
	}
	out := make([]T, len(docs))
	for i := range docs {
		out[i] = convert(&docs[i])
	}
	return out, nil
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
