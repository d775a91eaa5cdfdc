package mongodb

import (
	"context"
	"errors"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
)

// Cond is a condition on a field of a document, such as its version, that
// a conditional write checks.
type Cond struct {
	Field string
	// Less is false for "equals Value" and true for "is less than Value"
	// (Value an integer).
	Less  bool
	Value any
}

// Eq is the condition that field equals v: an integer, a bool or a string.
func Eq(field string, v any) Cond { return Cond{Field: field, Value: v} }

// Lt is the condition that the integer field is less than v.
func Lt(field string, v int64) Cond { return Cond{Field: field, Less: true, Value: v} }

func (c Cond) filter() bson.E {
	if c.Less {
		return bson.E{Key: c.Field, Value: bson.D{{Key: "$lt", Value: c.Value}}}
	}
	return bson.E{Key: c.Field, Value: c.Value}
}

func (c Cond) holds(doc bson.Raw) bool {
	v, err := doc.LookupErr(c.Field)
	if err != nil {
		return false
	}
	switch want := c.Value.(type) {
	case bool:
		b, ok := v.BooleanOK()
		return ok && b == want
	case string:
		s, ok := v.StringValueOK()
		return ok && s == want
	}
	want, ok := asInt(c.Value)
	if !ok {
		return false
	}
	var n int64
	switch v.Type {
	case bson.TypeInt64:
		n = v.Int64()
	case bson.TypeInt32:
		n = int64(v.Int32())
	case bson.TypeDouble:
		n = int64(v.Double())
	default:
		return false
	}
	if c.Less {
		return n < want
	}
	return n == want
}

func asInt(v any) (int64, bool) {
	switch n := v.(type) {
	case int64:
		return n, true
	case int:
		return int64(n), true
	case int32:
		return int64(n), true
	}
	return 0, false
}

// UpdateIf applies update (operators) to the document with the _id id when
// every condition holds. It reports whether the document exists and
// whether it was updated. MongoDB checks the conditions in the write's
// filter, atomically; on FerretDB, whose filters other than _id read the
// whole collection, the document is read by _id and checked, then written
// by _id: the caller holds the document's Lock.
func (db *DB) UpdateIf(ctx context.Context, coll *mongo.Collection, id any, conds []Cond, update any) (found, updated bool, err error) {
	return db.writeIf(ctx, coll, id, conds, func(filter bson.D) (int64, error) {
		res, err := coll.UpdateOne(ctx, filter, update)
		if err != nil {
			return 0, err
		}
		return res.MatchedCount, nil
	})
}

// ReplaceIf replaces the document with the _id id by doc when every
// condition holds, as UpdateIf updates one.
func (db *DB) ReplaceIf(ctx context.Context, coll *mongo.Collection, id any, conds []Cond, doc any) (found, replaced bool, err error) {
	return db.writeIf(ctx, coll, id, conds, func(filter bson.D) (int64, error) {
		res, err := coll.ReplaceOne(ctx, filter, doc)
		if err != nil {
			return 0, err
		}
		return res.MatchedCount, nil
	})
}

func (db *DB) writeIf(ctx context.Context, coll *mongo.Collection, id any, conds []Cond, write func(filter bson.D) (int64, error)) (bool, bool, error) {
	byID := bson.D{{Key: "_id", Value: id}}
	if db.FerretDB {
		doc, err := coll.FindOne(ctx, byID).Raw()
		if errors.Is(err, mongo.ErrNoDocuments) {
			return false, false, nil
		} else if err != nil {
			return false, false, err
		}
		for _, c := range conds {
			if !c.holds(doc) {
				return true, false, nil
			}
		}
		n, err := write(byID)
		return n > 0, n > 0, err
	}
	filter := byID
	for _, c := range conds {
		filter = append(filter, c.filter())
	}
	n, err := write(filter)
	if err != nil || n > 0 {
		return n > 0, n > 0, err
	}
	count, err := coll.CountDocuments(ctx, byID)
	return count > 0, false, err
}

// UpdateVersion applies update to the document with the _id id when its
// version is version, as UpdateIf does (the caller holds the document's
// Lock; the update sets the next version). A missing document is the
// ENOTFOUND error of what, one at another version EPRECONDITION (Stale);
// key names the document in other errors.
func (db *DB) UpdateVersion(ctx context.Context, coll *mongo.Collection, id any, version int64, what, key string, update any) error {
	found, updated, err := db.UpdateIf(ctx, coll, id, []Cond{Eq("version", version)}, update)
	return versionWritten(found, updated, err, version, what, key)
}

// ReplaceVersion replaces the document with the _id id by doc when its
// version is version, with the errors of UpdateVersion.
func (db *DB) ReplaceVersion(ctx context.Context, coll *mongo.Collection, id any, version int64, what, key string, doc any) error {
	found, replaced, err := db.ReplaceIf(ctx, coll, id, []Cond{Eq("version", version)}, doc)
	return versionWritten(found, replaced, err, version, what, key)
}

// ReplaceVersionLocked replaces the document with the _id id by doc when
// its version is version, as ReplaceVersion does, holding the document's
// Lock for the read, the check and the write: a store's update of a whole
// document at the version it read.
func (db *DB) ReplaceVersionLocked(ctx context.Context, coll *mongo.Collection, id string, version int64, what string, doc any) error {
	defer db.Lock(coll.Name(), id)()
	return db.ReplaceVersion(ctx, coll, id, version, what, id, doc)
}

func versionWritten(found, written bool, err error, version int64, what, key string) error {
	switch {
	case err != nil:
		return Wrap(err, "update %s %s", what, key)
	case !found:
		return NotFound(what)
	case !written:
		return Stale(what, version)
	}
	return nil
}
