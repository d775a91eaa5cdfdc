package mongodb

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"
	"go.mongodb.org/mongo-driver/mongo/readpref"

	"cooptrade/marketplace"
)

// DB is a connection to one database.
type DB struct {
	Client   *mongo.Client
	Database *mongo.Database

	// FerretDB is true when the server is FerretDB, whose updates are not
	// atomic and whose filters other than _id read every document.
	FerretDB bool

	// embedded is FerretDB in this process, whose files IndexIDs reaches.
	embedded *Embedded
	// stopEmbedded stops what Embedded.Open started beside the DB.
	stopEmbedded func()
	locks        docLocks
	// keyLocks serialise the writes of lookups (Keys): a set of their own,
	// since a store adds to a lookup while it holds a document's lock.
	keyLocks docLocks
}

// Open connects to the database at uri and checks that it answers. The
// extra options are applied after the program's own (e.g. a command
// monitor for the metrics).
func Open(ctx context.Context, uri, database string, extra ...*options.ClientOptions) (*DB, error) {
	opts := append([]*options.ClientOptions{options.Client().ApplyURI(uri).
		SetServerSelectionTimeout(10 * time.Second).
		SetAppName("marketplace")}, extra...)
	client, err := mongo.Connect(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("mongo: connect: %w", err)
	}
	db := &DB{Client: client, Database: client.Database(database)}
	if err := client.Ping(ctx, readpref.Primary()); err != nil {
		_ = client.Disconnect(context.Background())
		return nil, fmt.Errorf("mongo: ping: %w", err)
	}
	var info bson.M
	if err := client.Database("admin").RunCommand(ctx, bson.D{{Key: "buildInfo", Value: 1}}).Decode(&info); err == nil {
		_, db.FerretDB = info["ferretdbVersion"]
	}
	return db, nil
}

// Close disconnects from the database.
func (db *DB) Close(ctx context.Context) error {
	if db.stopEmbedded != nil {
		db.stopEmbedded()
		db.stopEmbedded = nil
	}
	return db.Client.Disconnect(ctx)
}

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.Client.Ping(ctx, readpref.Primary()); err != nil {
		return marketplace.Errorf(marketplace.EUNAVAILABLE, "The database is not reachable.")
	}
	return nil
}

// Collections are collections and the indexes each needs, by name.
type Collections map[string][]mongo.IndexModel

// EnsureCollections creates the collections and indexes that are missing.
// Creating what exists does nothing, so this runs at every start. On
// FerretDB only the unique indexes are made, the others dropped. On
// FerretDB embedded it then makes every collection's _id lookups use an
// index (Embedded.IndexIDs), those created earlier and now alike.
func (db *DB) EnsureCollections(ctx context.Context, colls Collections) error {
	names, err := db.Database.ListCollectionNames(ctx, bson.D{})
	if err != nil {
		return fmt.Errorf("mongo: list collections: %w", err)
	}
	existing := make(map[string]bool, len(names))
	for _, n := range names {
		existing[n] = true
	}
	for coll, models := range colls {
		if !existing[coll] {
			if err := db.Database.CreateCollection(ctx, coll); err != nil && !isNamespaceExists(err) {
				return fmt.Errorf("mongo: create collection %s: %w", coll, err)
			}
		}
		have, err := db.indexNames(ctx, coll)
		if err != nil {
			return err
		}
		// Only missing indexes are created: FerretDB v1 fails when asked
		// to create several indexes of which some already exist.
		for _, model := range models {
			name := *model.Options.Name
			if db.FerretDB && !isUnique(model) {
				// FerretDB's queries use no index but _id's: an index
				// that enforces nothing would only slow every write. One
				// an earlier version made goes.
				if have[name] {
					if _, err := db.Database.Collection(coll).Indexes().DropOne(ctx, name); err != nil {
						return fmt.Errorf("mongo: drop index %s on %s: %w", name, coll, err)
					}
				}
				continue
			}
			if have[name] {
				continue
			}
			if _, err := db.Database.Collection(coll).Indexes().CreateOne(ctx, model); err != nil {
				return fmt.Errorf("mongo: create index %s on %s: %w", *model.Options.Name, coll, err)
			}
		}
	}
	if db.embedded != nil {
		return db.embedded.IndexIDs(ctx, db.Database.Name())
	}
	return nil
}

func isUnique(m mongo.IndexModel) bool {
	return m.Options != nil && m.Options.Unique != nil && *m.Options.Unique
}

func (db *DB) indexNames(ctx context.Context, coll string) (map[string]bool, error) {
	cur, err := db.Database.Collection(coll).Indexes().List(ctx)
	if err != nil {
		return nil, fmt.Errorf("mongo: list indexes of %s: %w", coll, err)
	}
	var specs []struct {
		Name string `bson:"name"`
	}
	if err := cur.All(ctx, &specs); err != nil {
		return nil, fmt.Errorf("mongo: list indexes of %s: %w", coll, err)
	}
	names := make(map[string]bool, len(specs))
	for _, s := range specs {
		names[s.Name] = true
	}
	return names, nil
}

func isNamespaceExists(err error) bool {
	var ce mongo.CommandError
	return errors.As(err, &ce) && ce.Code == 48 // NamespaceExists
}
