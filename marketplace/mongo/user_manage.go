package mongo

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/bson"

	"cooptrade/marketplace"
	"cooptrade/mongodb"
)

// UpdateUser implements marketplace.UserStore.
func (s *UserStore) UpdateUser(ctx context.Context, id string, version int64, ch marketplace.UserChange) (*marketplace.User, error) {
	var set bson.D
	if ch.Role != nil {
		set = append(set, bson.E{Key: "role", Value: string(*ch.Role)})
	}
	if ch.Suspended != nil {
		set = append(set, bson.E{Key: "suspended", Value: *ch.Suspended})
	}
	if ch.Language != nil {
		set = append(set, bson.E{Key: "language", Value: *ch.Language})
	}
	if err := s.update(ctx, id, version, set); err != nil {
		return nil, err
	}
	return s.FindUserByID(ctx, id)
}

// DeleteUser implements marketplace.UserStore. The user goes first and its
// lookups after: a crash between leaves them naming nothing, which readers
// skip.
func (s *UserStore) DeleteUser(ctx context.Context, u *marketplace.User) error {
	oid, err := mongodb.ObjectID(u.ID, "user")
	if err != nil {
		return err
	}
	if _, err := s.coll.DeleteOne(ctx, bson.D{{Key: "_id", Value: oid}}); err != nil {
		return mongodb.Wrap(err, "delete user %s", u.ID)
	}
	if err := s.byEmail.Remove(ctx, u.Email, u.ID); err != nil {
		return err
	}
	if u.MemberID != "" {
		return s.byMember.Remove(ctx, u.MemberID, u.ID)
	}
	return nil
}

// RecordSignIn implements marketplace.UserStore. It leaves the version be:
// signing in changes nothing anyone edits.
func (s *UserStore) RecordSignIn(ctx context.Context, id string, t time.Time) error {
	oid, err := mongodb.ObjectID(id, "user")
	if err != nil {
		return err
	}
	defer s.db.Lock(usersCollection, id)()
	_, err = s.coll.UpdateOne(ctx, bson.D{{Key: "_id", Value: oid}}, bson.D{{Key: "$set", Value: bson.D{{Key: "lastSignInAt", Value: t}}}})
	return mongodb.Wrap(err, "record sign-in of user %s", id)
}
