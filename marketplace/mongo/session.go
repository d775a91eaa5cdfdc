package mongo

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"

	"cooptrade/marketplace"
	"cooptrade/mongodb"
)

var _ marketplace.SessionStore = (*SessionStore)(nil)

// SessionStore keeps the pages' sessions in the sessions collection, keyed
// by the hash of their secret so that each check is a lookup by _id.
// Expired sessions are refused on use and swept by a job (not a TTL index,
// which FerretDB does not have).
type SessionStore struct {
	db   *mongodb.DB
	coll *mongo.Collection
}

// NewSessionStore returns a session store on db.
func NewSessionStore(db *mongodb.DB) *SessionStore {
	return &SessionStore{db: db, coll: db.Database.Collection(sessionsCollection)}
}

type sessionDoc struct {
	Hash      string    `bson:"_id"`
	UserID    string    `bson:"userId"`
	CSRF      string    `bson:"csrf"`
	Lang      string    `bson:"lang"`
	CreatedAt time.Time `bson:"createdAt"`
	ExpiresAt time.Time `bson:"expiresAt"`
	SeenAt    time.Time `bson:"seenAt"`
}

// CreateSession implements marketplace.SessionStore.
func (s *SessionStore) CreateSession(ctx context.Context, sess *marketplace.Session) error {
	_, err := s.coll.InsertOne(ctx, sessionDoc(*sess))
	return mongodb.Wrap(err, "insert session")
}

// FindSessionByHash implements marketplace.SessionStore.
func (s *SessionStore) FindSessionByHash(ctx context.Context, hash string) (*marketplace.Session, error) {
	return mongodb.FindOne(ctx, s.coll, bson.D{{Key: "_id", Value: hash}}, "session", "", (*sessionDoc).session)
}

func (d *sessionDoc) session() *marketplace.Session {
	sess := marketplace.Session(*d)
	sess.CreatedAt, sess.ExpiresAt, sess.SeenAt = d.CreatedAt.UTC(), d.ExpiresAt.UTC(), d.SeenAt.UTC()
	return &sess
}

// TouchSession implements marketplace.SessionStore.
func (s *SessionStore) TouchSession(ctx context.Context, hash string, seen, expires time.Time) error {
	defer s.db.Lock(sessionsCollection, hash)()
	_, err := s.coll.UpdateOne(ctx, bson.D{{Key: "_id", Value: hash}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "seenAt", Value: seen}, {Key: "expiresAt", Value: expires}}}})
	return mongodb.Wrap(err, "touch session")
}

// DeleteSession implements marketplace.SessionStore.
func (s *SessionStore) DeleteSession(ctx context.Context, hash string) error {
	_, err := s.coll.DeleteOne(ctx, bson.D{{Key: "_id", Value: hash}})
	return mongodb.Wrap(err, "delete session")
}

// DeleteExpiredSessions implements marketplace.SessionStore.
func (s *SessionStore) DeleteExpiredSessions(ctx context.Context, t time.Time) (int64, error) {
	res, err := s.coll.DeleteMany(ctx, bson.D{{Key: "expiresAt", Value: bson.D{{Key: "$lte", Value: t}}}})
	if err != nil {
		return 0, mongodb.Wrap(err, "delete expired sessions")
	}
	return res.DeletedCount, nil
}

// DeleteUserSessions implements marketplace.SessionStore.
func (s *SessionStore) DeleteUserSessions(ctx context.Context, userID, keep string) error {
	filter := bson.D{{Key: "userId", Value: userID}}
	if keep != "" {
		filter = append(filter, bson.E{Key: "_id", Value: bson.D{{Key: "$ne", Value: keep}}})
	}
	_, err := s.coll.DeleteMany(ctx, filter)
	return mongodb.Wrap(err, "delete sessions of user %s", userID)
}
