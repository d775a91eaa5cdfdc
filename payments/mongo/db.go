package mongo

import (
	"context"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo/options"

	"cooptrade/mongodb"
	"cooptrade/payments"
)

// Collection names.
const (
	accountsCollection     = "dues_accounts"
	applicationsCollection = "dues_applications"
	eventsCollection       = "stripe_events"
	objectsCollection      = "stripe_objects"
)

var (
	_ payments.AccountStore     = (*AccountStore)(nil)
	_ payments.ApplicationStore = (*ApplicationStore)(nil)
	_ payments.EventStore       = (*EventStore)(nil)
	_ payments.ObjectStore      = (*ObjectStore)(nil)
)

// Stores are payments' stores on one database.
type Stores struct {
	Accounts     *AccountStore
	Applications *ApplicationStore
	Events       *EventStore
	Objects      *ObjectStore
}

// Open makes sure the indexes of payments' collections exist on db and
// returns the stores.
func Open(ctx context.Context, db *mongodb.DB) (*Stores, error) {
	if err := db.EnsureCollections(ctx, collections); err != nil {
		return nil, err
	}
	return &Stores{
		Accounts:     &AccountStore{db: db, coll: db.Database.Collection(accountsCollection)},
		Applications: &ApplicationStore{db: db, coll: db.Database.Collection(applicationsCollection)},
		Events:       &EventStore{db: db, coll: db.Database.Collection(eventsCollection)},
		Objects:      &ObjectStore{coll: db.Database.Collection(objectsCollection)},
	}, nil
}

// collections are payments' collections and the indexes each needs.
var collections = mongodb.Collections{
	accountsCollection: {
		{Keys: bson.D{{Key: "customerId", Value: 1}}, Options: options.Index().SetName("customer")},
		{Keys: bson.D{{Key: "reviewAt", Value: 1}}, Options: options.Index().SetName("review_at")},
		{Keys: bson.D{{Key: "renewsAt", Value: 1}}, Options: options.Index().SetName("renews_at")},
	},
	applicationsCollection: {
		{Keys: bson.D{{Key: "memberId", Value: 1}, {Key: "_id", Value: -1}}, Options: options.Index().SetName("member_id")},
		{Keys: bson.D{{Key: "status", Value: 1}, {Key: "_id", Value: -1}}, Options: options.Index().SetName("status_id")},
	},
	eventsCollection: {
		{Keys: bson.D{{Key: "applied", Value: 1}, {Key: "receivedAt", Value: 1}}, Options: options.Index().SetName("applied_received")},
	},
	objectsCollection: nil,
}
