package mongodb

import (
	"context"
	"errors"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"
)

// MetaCollection holds what the program records about the database
// itself, one document per subject, by _id: its schema version, when it
// was last backed up.
const MetaCollection = "meta"

// ReadMeta decodes the meta document id into v; false when there is none.
func (db *DB) ReadMeta(ctx context.Context, id string, v any) (bool, error) {
	err := db.Database.Collection(MetaCollection).FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(v)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return false, nil
	}
	if err != nil {
		return false, Wrap(err, "read meta %s", id)
	}
	return true, nil
}

// WriteMeta sets the fields of the meta document id, making it if need be.
func (db *DB) WriteMeta(ctx context.Context, id string, fields bson.D) error {
	_, err := db.Database.Collection(MetaCollection).UpdateOne(ctx, bson.D{{Key: "_id", Value: id}},
		bson.D{{Key: "$set", Value: fields}}, options.Update().SetUpsert(true))
	return Wrap(err, "write meta %s", id)
}
