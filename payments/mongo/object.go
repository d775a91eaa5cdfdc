package mongo

import (
	"context"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"

	"cooptrade/mongodb"
)

// ObjectStore keeps the IDs of Stripe objects made once in stripe_objects,
// under their key as _id: of two saves of one key, the first stays.
type ObjectStore struct {
	coll *mongo.Collection
}

type objectDoc struct {
	Key string `bson:"_id"`
	ID  string `bson:"stripeId"`
}

// FindObjectID implements payments.ObjectStore.
func (s *ObjectStore) FindObjectID(ctx context.Context, key string) (string, error) {
	return mongodb.FindOne(ctx, s.coll, bson.D{{Key: "_id", Value: key}}, "Stripe object", key,
		func(d *objectDoc) string { return d.ID })
}

// SaveObjectID implements payments.ObjectStore.
func (s *ObjectStore) SaveObjectID(ctx context.Context, key, id string) (string, error) {
	_, err := s.coll.InsertOne(ctx, objectDoc{Key: key, ID: id})
	if mongo.IsDuplicateKeyError(err) {
		return s.FindObjectID(ctx, key)
	} else if err != nil {
		return "", mongodb.Wrap(err, "save Stripe object %s", key)
	}
	return id, nil
}
