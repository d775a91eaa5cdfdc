package mongo

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"net"
	"strconv"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/bson/primitive"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"
	"go.mongodb.org/mongo-driver/mongo/readpref"
	"go.mongodb.org/mongo-driver/x/mongo/driver/topology"

	"cooptrade/marketplace"
)

// Collection names.
const (
	membersCollection  = "members"
	usersCollection    = "users"
	tokensCollection   = "tokens"
	listingsCollection = "listings"
	auditCollection    = "audit"
	matchesCollection  = "matches"

	notificationsCollection = "notifications"
	preferencesCollection   = "preferences"
	sessionsCollection      = "sessions"

	alertsCollection         = "alerts"
	alertHitsCollection      = "alert_hits"
	alertChangesCollection   = "alert_changes"
	webhookTargetsCollection = "webhook_targets"
)

// DB is a connection to the marketplace's database.
type DB struct {
	Client   *mongo.Client
	Database *mongo.Database

	// FerretDB is true when the server is FerretDB, whose updates are not
	// atomic; see docLocks.
	FerretDB bool

	locks docLocks
}

// Open connects to the database at uri, checks that it answers and makes
// sure the indexes the stores need exist.
func Open(ctx context.Context, uri, database string) (*DB, error) {
	client, err := mongo.Connect(ctx, options.Client().ApplyURI(uri).
		SetServerSelectionTimeout(10*time.Second).
		SetAppName("marketplace"))
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
	if err := db.ensureIndexes(ctx); err != nil {
		_ = client.Disconnect(context.Background())
		return nil, err
	}
	return db, nil
}

// Close disconnects from the database.
func (db *DB) Close(ctx context.Context) error {
	return db.Client.Disconnect(ctx)
}

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.Client.Ping(ctx, readpref.Primary()); err != nil {
		return marketplace.Errorf(marketplace.EUNAVAILABLE, "The database is not reachable.")
	}
	return nil
}

// ensureIndexes creates the indexes the queries need. Creating an index
// that exists with the same keys and options does nothing, so this runs at
// every start.
func (db *DB) ensureIndexes(ctx context.Context) error {
	specs := map[string][]mongo.IndexModel{
		membersCollection: {
			{Keys: bson.D{{Key: "slug", Value: 1}}, Options: options.Index().SetName("slug_unique").SetUnique(true)},
			{Keys: bson.D{{Key: "standing", Value: 1}, {Key: "_id", Value: -1}}, Options: options.Index().SetName("standing_id")},
		},
		usersCollection: {
			{Keys: bson.D{{Key: "email", Value: 1}}, Options: options.Index().SetName("email_unique").SetUnique(true)},
			{Keys: bson.D{{Key: "memberId", Value: 1}}, Options: options.Index().SetName("member")},
		},
		tokensCollection: {
			{Keys: bson.D{{Key: "expiresAt", Value: 1}}, Options: options.Index().SetName("expires")},
			{Keys: bson.D{{Key: "userId", Value: 1}}, Options: options.Index().SetName("user")},
		},
		matchesCollection: {
			{Keys: bson.D{{Key: "offerId", Value: 1}}, Options: options.Index().SetName("offer")},
			{Keys: bson.D{{Key: "needId", Value: 1}}, Options: options.Index().SetName("need")},
			{Keys: bson.D{{Key: "retired", Value: 1}, {Key: "status", Value: 1}, {Key: "score", Value: -1}, {Key: "_id", Value: 1}}, Options: options.Index().SetName("queue")},
			{Keys: bson.D{{Key: "offerMemberId", Value: 1}}, Options: options.Index().SetName("offer_member")},
			{Keys: bson.D{{Key: "needMemberId", Value: 1}}, Options: options.Index().SetName("need_member")},
			{Keys: bson.D{{Key: "notified", Value: 1}, {Key: "createdAt", Value: 1}}, Options: options.Index().SetName("to_notify")},
		},
		notificationsCollection: {
			{Keys: bson.D{{Key: "memberId", Value: 1}, {Key: "createdAt", Value: -1}}, Options: options.Index().SetName("member_created")},
			{Keys: bson.D{{Key: "userId", Value: 1}, {Key: "createdAt", Value: -1}}, Options: options.Index().SetName("user_created")},
			{Keys: bson.D{{Key: "status", Value: 1}, {Key: "createdAt", Value: 1}}, Options: options.Index().SetName("status_created")},
		},
		alertsCollection: {
			{Keys: bson.D{{Key: "userId", Value: 1}, {Key: "_id", Value: -1}}, Options: options.Index().SetName("user_id")},
		},
		alertHitsCollection: {
			{Keys: bson.D{{Key: "alertId", Value: 1}, {Key: "digest", Value: 1}, {Key: "createdAt", Value: 1}}, Options: options.Index().SetName("alert_digest_created")},
		},
		sessionsCollection: {
			{Keys: bson.D{{Key: "expiresAt", Value: 1}}, Options: options.Index().SetName("expires")},
		},
		auditCollection: {
			{Keys: bson.D{{Key: "subject", Value: 1}, {Key: "_id", Value: -1}}, Options: options.Index().SetName("subject_id")},
		},
		listingsCollection: {
			{Keys: bson.D{{Key: "memberId", Value: 1}, {Key: "_id", Value: -1}}, Options: options.Index().SetName("member_id")},
			{Keys: bson.D{{Key: "status", Value: 1}, {Key: "kind", Value: 1}, {Key: "_id", Value: -1}}, Options: options.Index().SetName("status_kind_id")},
			{Keys: bson.D{{Key: "indexPending", Value: 1}}, Options: options.Index().SetName("index_pending")},
			{Keys: bson.D{{Key: "matchPending", Value: 1}}, Options: options.Index().SetName("match_pending")},
			{Keys: bson.D{{Key: "status", Value: 1}, {Key: "expiresAt", Value: 1}}, Options: options.Index().SetName("status_expires")},
		},
	}
	for coll, models := range specs {
		existing, err := db.indexNames(ctx, coll)
		if err != nil {
			return err
		}
		// Only missing indexes are created: FerretDB v1 fails when asked
		// to create several indexes of which some already exist.
		for _, model := range models {
			if existing[*model.Options.Name] {
				continue
			}
			if _, err := db.Database.Collection(coll).Indexes().CreateOne(ctx, model); err != nil {
				return fmt.Errorf("mongo: create index %s on %s: %w", *model.Options.Name, coll, err)
			}
		}
	}
	return nil
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

// lock serialises the updates of one document when the server is FerretDB.
// It returns the function that releases it.
func (db *DB) lock(collection, id string) func() {
	if !db.FerretDB {
		return func() {}
	}
	return db.locks.lock(collection + "/" + id)
}

// LockDocument serialises the updates of one document when the server is
// FerretDB, as the stores of this package do for their own collections, for
// other packages that keep collections on the same database. It returns the
// function that releases it.
func (db *DB) LockDocument(collection, id string) func() {
	return db.lock(collection, id)
}

// docLocks is a set of striped mutexes: two documents may share a stripe,
// which only costs a little waiting.
type docLocks struct {
	stripes [64]sync.Mutex
}

func (l *docLocks) lock(key string) func() {
	h := fnv.New32a()
	_, _ = h.Write([]byte(key))
	m := &l.stripes[h.Sum32()%uint32(len(l.stripes))]
	m.Lock()
	return m.Unlock
}

// objectID parses a domain ID. A malformed ID cannot name a stored
// document, so it is reported as not found.
func objectID(id, what string) (primitive.ObjectID, error) {
	oid, err := primitive.ObjectIDFromHex(id)
	if err != nil {
		return primitive.NilObjectID, marketplace.Errorf(marketplace.ENOTFOUND, "No such %s.", what)
	}
	return oid, nil
}

// objectIDs parses the IDs that are ObjectIDs and leaves out the rest,
// which cannot name a stored document.
func objectIDs(ids []string) []primitive.ObjectID {
	oids := make([]primitive.ObjectID, 0, len(ids))
	for _, id := range ids {
		if oid, err := primitive.ObjectIDFromHex(id); err == nil {
			oids = append(oids, oid)
		}
	}
	return oids
}

// parseCursor reads the cursor of a page: the ID of the last item of the
// page before.
func parseCursor(cursor string) (primitive.ObjectID, error) {
	oid, err := primitive.ObjectIDFromHex(cursor)
	if err != nil {
		return primitive.NilObjectID, marketplace.Invalid(marketplace.FieldError{Field: "cursor", Message: "is not a cursor this service gave out"})
	}
	return oid, nil
}

// wrap turns driver errors into application errors where the caller can
// act on them (an unreachable server is EUNAVAILABLE) and wraps the rest
// with what was being done. Callers handle mongo.ErrNoDocuments themselves.
func wrap(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	if Unreachable(err) {
		return marketplace.Errorf(marketplace.EUNAVAILABLE, "The database is not reachable; try again shortly.")
	}
	return fmt.Errorf("mongo: "+format+": %w", append(args, err)...)
}

// Unreachable reports whether err says that no server could be reached:
// none was selected, a connection could not be dialled, or time ran out.
// A connection that broke during an operation is not enough: a server
// that drops the connection of one bad query is reachable, and saying
// otherwise would hide the bad query behind a 503.
func Unreachable(err error) bool {
	var sse topology.ServerSelectionError
	if errors.As(err, &sse) || errors.Is(err, mongo.ErrClientDisconnected) ||
		errors.Is(err, context.DeadlineExceeded) || mongo.IsTimeout(err) {
		return true
	}
	var op *net.OpError
	return mongo.IsNetworkError(err) && errors.As(err, &op) && op.Op == "dial"
}

func notFound(what string) error {
	return marketplace.Errorf(marketplace.ENOTFOUND, "No such %s.", what)
}

func formatInt(n int64) string { return strconv.FormatInt(n, 10) }

func parseInt(s string) (int64, bool) {
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}

// walk runs the query and calls fn with each document, decoded into D, in
// one pass over one cursor: how bulk work reads a collection once.
func walk[D any](ctx context.Context, coll *mongo.Collection, filter bson.D, what string, fn func(*D) error) error {
	cur, err := coll.Find(ctx, filter, options.Find().SetBatchSize(1000))
	if err != nil {
		return wrap(err, "walk %s", what)
	}
	defer cur.Close(ctx)
	for cur.Next(ctx) {
		var d D
		if err := cur.Decode(&d); err != nil {
			return wrap(err, "decode %s", what)
		}
		if err := fn(&d); err != nil {
			return err
		}
	}
	return wrap(cur.Err(), "walk %s", what)
}
