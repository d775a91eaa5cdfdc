package mongo

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"

	"cooptrade/marketplace"
	"cooptrade/mongodb"
)

var _ marketplace.ResetStore = (*ResetStore)(nil)

// ResetStore keeps password reset links in the password_resets collection,
// keyed by the hash of their secret, so that taking one is a single
// find-and-delete by _id: a link works once even when two requests race.
type ResetStore struct {
	coll *mongo.Collection
}

// NewResetStore returns a reset store on db.
func NewResetStore(db *mongodb.DB) *ResetStore {
	return &ResetStore{coll: db.Database.Collection(resetsCollection)}
}

type resetDoc struct {
	Hash      string    `bson:"_id"`
	UserID    string    `bson:"userId"`
	CreatedAt time.Time `bson:"createdAt"`
	ExpiresAt time.Time `bson:"expiresAt"`
}

// CreateReset implements marketplace.ResetStore. The user's earlier links
// and everyone's expired ones go first: the collection stays as small as
// the links that still work.
func (s *ResetStore) CreateReset(ctx context.Context, r *marketplace.PasswordReset) error {
	_, err := s.coll.DeleteMany(ctx, bson.D{{Key: "$or", Value: bson.A{
		bson.D{{Key: "userId", Value: r.UserID}},
		bson.D{{Key: "expiresAt", Value: bson.D{{Key: "$lte", Value: r.CreatedAt}}}},
	}}})
	if err != nil {
		return mongodb.Wrap(err, "delete earlier resets of user %s", r.UserID)
	}
	_, err = s.coll.InsertOne(ctx, resetDoc(*r))
	return mongodb.Wrap(err, "insert reset")
}

// TakeReset implements marketplace.ResetStore.
func (s *ResetStore) TakeReset(ctx context.Context, hash string) (*marketplace.PasswordReset, error) {
	d, err := mongodb.TakeByID[resetDoc](ctx, s.coll, hash, "reset")
	if err != nil {
		return nil, err
	}
	r := marketplace.PasswordReset(*d)
	r.CreatedAt, r.ExpiresAt = d.CreatedAt.UTC(), d.ExpiresAt.UTC()
	return &r, nil
}
