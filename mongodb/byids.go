package mongodb

import (
	"context"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"
)

// DeleteBatch is how many documents one bulk delete names: FerretDB v1.24
// holds a connection for each write of a bulk write that finds its
// document, and has 100; a larger one can wait for ever.
const DeleteBatch = 50

// DeleteByIDs deletes the documents with the IDs, each by a filter of its
// _id alone (the only filter FerretDB answers from an index), DeleteBatch
// at a time, and returns how many it deleted. Missing IDs are no error.
func DeleteByIDs[ID any](ctx context.Context, coll *mongo.Collection, ids []ID) (int64, error) {
	var deleted int64
	for start := 0; start < len(ids); start += DeleteBatch {
		chunk := ids[start:min(start+DeleteBatch, len(ids))]
		models := make([]mongo.WriteModel, len(chunk))
		for i, id := range chunk {
			models[i] = mongo.NewDeleteOneModel().SetFilter(bson.D{{Key: "_id", Value: id}})
		}
		res, err := coll.BulkWrite(ctx, models, options.BulkWrite().SetOrdered(false))
		if res != nil {
			deleted += res.DeletedCount
		}
		if err != nil {
			return deleted, Wrap(err, "delete from %s", coll.Name())
		}
	}
	return deleted, nil
}

// Delete removes key and every ID it names from the lookup: for a key that
// is itself personal data (an e-mail address), or whose documents are all
// gone.
func (k *Keys) Delete(ctx context.Context, key string) error {
	defer k.lock(key)()
	_, err := k.coll.DeleteOne(ctx, bson.D{{Key: "_id", Value: key}})
	return Wrap(err, "delete from %s %s", k.coll.Name(), key)
}

// UpdateByIDs applies update to the documents with the IDs, each by a
// filter of its _id alone, DeleteBatch at a time. Missing IDs are no
// error.
func UpdateByIDs[ID any](ctx context.Context, coll *mongo.Collection, ids []ID, update bson.D) error {
	for start := 0; start < len(ids); start += DeleteBatch {
		chunk := ids[start:min(start+DeleteBatch, len(ids))]
		models := make([]mongo.WriteModel, len(chunk))
		for i, id := range chunk {
			models[i] = mongo.NewUpdateOneModel().SetFilter(bson.D{{Key: "_id", Value: id}}).SetUpdate(update)
		}
		if _, err := coll.BulkWrite(ctx, models, options.BulkWrite().SetOrdered(false)); err != nil {
			return Wrap(err, "update %s", coll.Name())
		}
	}
	return nil
}
