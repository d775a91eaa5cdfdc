package mongo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"cooptrade/marketplace"
	"cooptrade/mongodb"
)

var _ marketplace.WebhookTargetStore = (*WebhookTargetStore)(nil)

// WebhookTargetStore keeps members' webhooks in the webhook_targets
// collection, one per member (keyed by the member's ID). Secrets are stored
// sealed (AES-256-GCM, see marketplace.SealWebhookSecret) under a key
// derived from the service's secret, so a copy of the database does not
// give them away.
type WebhookTargetStore struct {
	db     *mongodb.DB
	coll   *mongo.Collection
	key    []byte
	keyErr error
}

// NewWebhookTargetStore returns a webhook store on db whose secrets are
// sealed with a key derived from secret (the service's secret). With an
// empty secret, reading and saving webhooks fails with EUNAVAILABLE.
func NewWebhookTargetStore(db *mongodb.DB, secret []byte) *WebhookTargetStore {
	key, err := marketplace.WebhookSealKey(secret)
	return &WebhookTargetStore{db: db, coll: db.Database.Collection(webhookTargetsCollection), key: key, keyErr: err}
}

type webhookTargetDoc struct {
	MemberID  string    `bson:"_id"`
	URL       string    `bson:"url"`
	Types     []string  `bson:"types"`
	Secret    string    `bson:"secret"` // sealed
	CreatedAt time.Time `bson:"createdAt"`
	UpdatedAt time.Time `bson:"updatedAt"`
	// Schema is the version of the document's shape (mongodb.SchemaVersion).
	Schema int `bson:"schema"`
}

// FindWebhookTarget implements marketplace.WebhookTargetStore. The secret
// is opened; one that does not open (the service's secret changed) is an
// error.
func (s *WebhookTargetStore) FindWebhookTarget(ctx context.Context, memberID string) (*marketplace.WebhookTarget, error) {
	if s.keyErr != nil {
		return nil, s.keyErr
	}
	var d webhookTargetDoc
	err := s.coll.FindOne(ctx, bson.D{{Key: "_id", Value: memberID}}).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, marketplace.Errorf(marketplace.ENOTFOUND, "The member has no webhook.")
	} else if err != nil {
		return nil, mongodb.Wrap(err, "find webhook of member %s", memberID)
	}
	secret, err := marketplace.OpenWebhookSecret(s.key, memberID, d.Secret)
	if err != nil {
		return nil, fmt.Errorf("mongo: webhook of member %s: %w", memberID, err)
	}
	types := d.Types
	if types == nil {
		types = []string{}
	}
	return &marketplace.WebhookTarget{MemberID: d.MemberID, URL: d.URL, Types: types, Secret: secret, Created: d.CreatedAt.UTC()}, nil
}

// SaveWebhookTarget implements marketplace.WebhookTargetStore: it stores
// the member's webhook, replacing any other, its secret sealed.
func (s *WebhookTargetStore) SaveWebhookTarget(ctx context.Context, t *marketplace.WebhookTarget) error {
	if s.keyErr != nil {
		return s.keyErr
	}
	sealed, err := marketplace.SealWebhookSecret(s.key, t.MemberID, t.Secret)
	if err != nil {
		return fmt.Errorf("mongo: seal a webhook secret: %w", err)
	}
	d := webhookTargetDoc{Schema: mongodb.SchemaVersion, MemberID: t.MemberID, URL: t.URL, Types: t.Types, Secret: sealed, CreatedAt: t.Created, UpdatedAt: time.Now().UTC()}
	if d.Types == nil {
		d.Types = []string{}
	}
	defer s.db.Lock(webhookTargetsCollection, t.MemberID)()
	_, err = s.coll.ReplaceOne(ctx, bson.D{{Key: "_id", Value: t.MemberID}}, d, options.Replace().SetUpsert(true))
	return mongodb.Wrap(err, "save webhook of member %s", t.MemberID)
}

// DeleteWebhookTarget implements marketplace.WebhookTargetStore;
// ENOTFOUND when the member has none.
func (s *WebhookTargetStore) DeleteWebhookTarget(ctx context.Context, memberID string) error {
	defer s.db.Lock(webhookTargetsCollection, memberID)()
	res, err := s.coll.DeleteOne(ctx, bson.D{{Key: "_id", Value: memberID}})
	if err != nil {
		return mongodb.Wrap(err, "delete webhook of member %s", memberID)
	}
	if res.DeletedCount == 0 {
		return marketplace.Errorf(marketplace.ENOTFOUND, "The member has no webhook.")
	}
	return nil
}
