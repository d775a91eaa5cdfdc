package mongo

import (
	"context"
	"fmt"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/bson/primitive"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"cooptrade/marketplace"
	mktmongo "cooptrade/marketplace/mongo"
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
func Open(ctx context.Context, db *mktmongo.DB) (*Stores, error) {
	if err := ensureIndexes(ctx, db.Database); err != nil {
		return nil, err
	}
	return &Stores{
		Accounts:     &AccountStore{db: db, coll: db.Database.Collection(accountsCollection)},
		Applications: &ApplicationStore{db: db, coll: db.Database.Collection(applicationsCollection)},
		Events:       &EventStore{db: db, coll: db.Database.Collection(eventsCollection)},
		Objects:      &ObjectStore{coll: db.Database.Collection(objectsCollection)},
	}, nil
}

// ensureIndexes creates the indexes that are missing (FerretDB v1 fails
// when asked to create an index that exists among others).
func ensureIndexes(ctx context.Context, db *mongo.Database) error {
	specs := []struct {
		coll  string
		model mongo.IndexModel
	}{
		{accountsCollection, mongo.IndexModel{Keys: bson.D{{Key: "customerId", Value: 1}}, Options: options.Index().SetName("customer")}},
		{accountsCollection, mongo.IndexModel{Keys: bson.D{{Key: "reviewAt", Value: 1}}, Options: options.Index().SetName("review_at")}},
		{accountsCollection, mongo.IndexModel{Keys: bson.D{{Key: "renewsAt", Value: 1}}, Options: options.Index().SetName("renews_at")}},
		{applicationsCollection, mongo.IndexModel{Keys: bson.D{{Key: "memberId", Value: 1}, {Key: "_id", Value: -1}}, Options: options.Index().SetName("member_id")}},
		{applicationsCollection, mongo.IndexModel{Keys: bson.D{{Key: "status", Value: 1}, {Key: "_id", Value: -1}}, Options: options.Index().SetName("status_id")}},
		{eventsCollection, mongo.IndexModel{Keys: bson.D{{Key: "applied", Value: 1}, {Key: "receivedAt", Value: 1}}, Options: options.Index().SetName("applied_received")}},
	}
	existing := map[string]map[string]bool{}
	for _, s := range specs {
		names, ok := existing[s.coll]
		if !ok {
			var err error
			if names, err = indexNames(ctx, db.Collection(s.coll)); err != nil {
				return err
			}
			existing[s.coll] = names
		}
		if names[*s.model.Options.Name] {
			continue
		}
		if _, err := db.Collection(s.coll).Indexes().CreateOne(ctx, s.model); err != nil {
			return wrap(err, "create index %s on %s", *s.model.Options.Name, s.coll)
		}
	}
	return nil
}

func indexNames(ctx context.Context, coll *mongo.Collection) (map[string]bool, error) {
	cur, err := coll.Indexes().List(ctx)
	if err != nil {
		return nil, wrap(err, "list indexes of %s", coll.Name())
	}
	var specs []struct {
		Name string `bson:"name"`
	}
	if err := cur.All(ctx, &specs); err != nil {
		return nil, wrap(err, "list indexes of %s", coll.Name())
	}
	names := make(map[string]bool, len(specs))
	for _, s := range specs {
		names[s.Name] = true
	}
	return names, nil
}

// objectID parses a domain ID; a malformed one names no stored document.
func objectID(id, what string) (primitive.ObjectID, error) {
	oid, err := primitive.ObjectIDFromHex(id)
	if err != nil {
		return primitive.NilObjectID, notFound(what)
	}
	return oid, nil
}

func notFound(what string) error {
	return marketplace.Errorf(marketplace.ENOTFOUND, "No such %s.", what)
}

// wrap turns an unreachable server into EUNAVAILABLE and wraps the rest
// with what was being done.
func wrap(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	if mktmongo.Unreachable(err) {
		return marketplace.Errorf(marketplace.EUNAVAILABLE, "The database is not reachable; try again shortly.")
	}
	return fmt.Errorf("mongo: "+format+": %w", append(args, err)...)
}
