package mongodb_test

import (
	"context"
	"fmt"
	"maps"
	"math"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/bson/primitive"
	driver "go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"cooptrade/mongodb"
	"cooptrade/mongodb/mongodbtest"
)

// TestIndexIDs: on FerretDB embedded, a lookup by _id is planned by SQLite
// as a search of an index, for ObjectIDs and strings alike, and still finds
// the document; for a collection created after the first start too.
func TestIndexIDs(t *testing.T) {
	ctx := context.Background()
	e, err := mongodb.StartEmbedded(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	for round, coll := range []string{"things", "later_things"} {
		db, err := e.Open(ctx, "marketplace")
		if err != nil {
			t.Fatal(err)
		}
		if err := db.EnsureCollections(ctx, mongodb.Collections{coll: nil}); err != nil {
			t.Fatal(err)
		}
		oid := primitive.NewObjectID()
		c := db.Database.Collection(coll)
		if _, err := c.InsertMany(ctx, []any{bson.D{{Key: "_id", Value: oid}, {Key: "n", Value: 1}}, bson.D{{Key: "_id", Value: "key-1"}, {Key: "n", Value: 2}}}); err != nil {
			t.Fatal(err)
		}
		for id, want := range map[any]int32{oid: 1, "key-1": 2} {
			var got struct{ N int32 }
			if err := c.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&got); err != nil || got.N != want {
				t.Fatalf("round %d: find %v: %+v %v", round, id, got, err)
			}
		}
		sq, err := e.SQLite("marketplace")
		if err != nil {
			t.Fatal(err)
		}
		var table string
		if err := sq.QueryRowContext(ctx, `SELECT table_name FROM _ferretdb_collections WHERE name = ?`, coll).Scan(&table); err != nil {
			t.Fatal(err)
		}
		rows, err := sq.QueryContext(ctx, `EXPLAIN QUERY PLAN SELECT _ferretdb_sjson FROM "`+table+`" WHERE `+mongodb.IDLookupExpression+` = ?`, `"key-1"`)
		if err != nil {
			t.Fatal(err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		sq.Close()
		if got := strings.Join(plan, "; "); !strings.Contains(got, "USING INDEX") {
			t.Fatalf("round %d: a lookup by _id in %s is planned as %q", round, coll, got)
		}
		db.Close(ctx)
	}
}

// TestIndexIDsUnique: a collection keeps one index on _id, FerretDB's own
// unique one, on the expression that lookups use, so that a write keeps
// one _id index up to date and SQLite knows an update by _id changes one
// row; the indexes an earlier version left (FerretDB's as it made it, and
// a lookup index beside it) are replaced at the next start; and _id stays
// unique.
func TestIndexIDsUnique(t *testing.T) {
	ctx := context.Background()
	e, err := mongodb.StartEmbedded(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	open := func() *mongodb.DB {
		db, err := e.Open(ctx, "marketplace")
		if err != nil {
			t.Fatal(err)
		}
		if err := db.EnsureCollections(ctx, mongodb.Collections{"things": nil}); err != nil {
			t.Fatal(err)
		}
		return db
	}
	db := open()
	sq, err := e.SQLite("marketplace")
	if err != nil {
		t.Fatal(err)
	}
	defer sq.Close()
	var table string
	if err := sq.QueryRowContext(ctx, `SELECT table_name FROM _ferretdb_collections WHERE name = 'things'`).Scan(&table); err != nil {
		t.Fatal(err)
	}
	// As an earlier version left it.
	for _, q := range []string{
		`DROP INDEX "` + table + `__id_"`,
		`CREATE UNIQUE INDEX "` + table + `__id_" ON "` + table + `" (_ferretdb_sjson->"_id")`,
		`CREATE INDEX "` + table + `_id_lookup" ON "` + table + `" (` + mongodb.IDLookupExpression + `)`,
	} {
		if _, err := sq.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	db.Close(ctx)
	db = open()
	defer db.Close(ctx)
	indexes := map[string]string{}
	rows, err := sq.QueryContext(ctx, `SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ?`, table)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var name, sql string
		if err := rows.Scan(&name, &sql); err != nil {
			t.Fatal(err)
		}
		indexes[name] = sql
	}
	rows.Close()
	want := map[string]string{table + "__id_": `CREATE UNIQUE INDEX "` + table + `__id_" ON "` + table + `" (` + mongodb.IDLookupExpression + `)`}
	if !maps.Equal(indexes, want) {
		t.Fatalf("the indexes are %q; want %q", indexes, want)
	}
	things := db.Database.Collection("things")
	if _, err := things.InsertOne(ctx, bson.D{{Key: "_id", Value: "a"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := things.InsertOne(ctx, bson.D{{Key: "_id", Value: "a"}}); !driver.IsDuplicateKeyError(err) {
		t.Fatalf("an _id stored twice: %v; want a duplicate key", err)
	}
}

// TestEnsureCollectionsIndexes: on MongoDB every index asked for is made;
// on FerretDB, whose queries use no index but _id's, only the unique ones
// (which keep values unique), and an index that is not unique, made
// before, is dropped.
func TestEnsureCollectionsIndexes(t *testing.T) {
	ctx := context.Background()
	db := mongodbtest.NewDB(t)
	things := db.Database.Collection("things")
	if err := db.EnsureCollections(ctx, mongodb.Collections{"things": nil}); err != nil {
		t.Fatal(err)
	}
	if _, err := things.Indexes().CreateOne(ctx, driver.IndexModel{Keys: bson.D{{Key: "n", Value: 1}}, Options: options.Index().SetName("n")}); err != nil {
		t.Fatal(err)
	}
	err := db.EnsureCollections(ctx, mongodb.Collections{"things": {
		{Keys: bson.D{{Key: "code", Value: 1}}, Options: options.Index().SetName("code_unique").SetUnique(true)},
		{Keys: bson.D{{Key: "n", Value: 1}}, Options: options.Index().SetName("n")},
		{Keys: bson.D{{Key: "m", Value: 1}}, Options: options.Index().SetName("m")},
	}})
	if err != nil {
		t.Fatal(err)
	}
	cur, err := things.Indexes().List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var specs []struct{ Name string }
	if err := cur.All(ctx, &specs); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range specs {
		names = append(names, s.Name)
	}
	slices.Sort(names)
	want := []string{"_id_", "code_unique", "m", "n"}
	if db.FerretDB {
		want = []string{"_id_", "code_unique"}
	}
	if !slices.Equal(names, want) {
		t.Fatalf("indexes %q; want %q", names, want)
	}
	if _, err := things.InsertMany(ctx, []any{bson.D{{Key: "code", Value: "a"}}, bson.D{{Key: "code", Value: "a"}}}); !driver.IsDuplicateKeyError(err) {
		t.Fatalf("a code stored twice: %v; want a duplicate key", err)
	}
}

// TestCheckpointsInBackground: the log of the embedded database is copied
// into the database file beside the writes, every checkpointEvery, not by
// a write that fills the log (SQLite's own checkpoints, which wait until
// the log holds 4 MB, are off).
func TestCheckpointsInBackground(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	e, err := mongodb.StartEmbedded(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	db, err := e.Open(ctx, "marketplace")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close(ctx)
	if err := db.EnsureCollections(ctx, mongodb.Collections{"things": nil}); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "marketplace.sqlite")
	before, err := os.Stat(file)
	if err != nil {
		t.Fatal(err)
	}
	// About 1 MB: a quarter of what fills SQLite's log to its own
	// checkpoint.
	text := strings.Repeat("x", 1000)
	for b := range 20 {
		var docs []any
		for i := range 50 {
			docs = append(docs, bson.D{{Key: "_id", Value: fmt.Sprintf("%d-%d", b, i)}, {Key: "text", Value: text}})
		}
		if _, err := db.Database.Collection("things").InsertMany(ctx, docs); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		after, err := os.Stat(file)
		if err != nil {
			t.Fatal(err)
		}
		if after.Size() >= before.Size()+1_000_000 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the database file is %d bytes, %d before 1 MB was written: the log was not checkpointed", after.Size(), before.Size())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestUpdateIf checks conditional writes on the test's server: a write
// happens only when its conditions hold, says whether the document exists,
// and of eight writers naming the same version exactly one wins.
func TestUpdateIf(t *testing.T) {
	ctx := context.Background()
	db := mongodbtest.NewDB(t)
	c := db.Database.Collection("conditional")
	if _, err := c.InsertOne(ctx, bson.D{{Key: "_id", Value: "doc"}, {Key: "version", Value: int64(3)}, {Key: "marked", Value: int64(1)}}); err != nil {
		t.Fatal(err)
	}
	set := func(k string, v int64) bson.D { return bson.D{{Key: "$set", Value: bson.D{{Key: k, Value: v}}}} }
	for _, tc := range []struct {
		name           string
		id             string
		conds          []mongodb.Cond
		found, updated bool
	}{
		{"StaleVersion", "doc", []mongodb.Cond{mongodb.Eq("version", 2)}, true, false},
		{"Missing", "nothing", []mongodb.Cond{mongodb.Eq("version", 3)}, false, false},
		{"MarkerNotBehind", "doc", []mongodb.Cond{mongodb.Lt("marked", 1)}, true, false},
		{"MarkerBehind", "doc", []mongodb.Cond{mongodb.Eq("version", 3), mongodb.Lt("marked", 3)}, true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			unlock := db.Lock("conditional", tc.id)
			found, updated, err := db.UpdateIf(ctx, c, tc.id, tc.conds, set("marked", 3))
			unlock()
			if err != nil || found != tc.found || updated != tc.updated {
				t.Fatalf("found %v, updated %v, %v; want %v, %v", found, updated, err, tc.found, tc.updated)
			}
		})
	}

	var wins sync.WaitGroup
	won := make(chan int, 8)
	for w := range 8 {
		wins.Add(1)
		go func() {
			defer wins.Done()
			unlock := db.Lock("conditional", "doc")
			defer unlock()
			if _, ok, err := db.UpdateIf(ctx, c, "doc", []mongodb.Cond{mongodb.Eq("version", 3)}, set("version", 4)); err != nil {
				t.Error(err)
			} else if ok {
				won <- w
			}
		}()
	}
	wins.Wait()
	close(won)
	if n := len(won); n != 1 {
		t.Fatalf("%d writers won; want 1", n)
	}
}

// TestUnreachable tells a server that cannot be reached from one that
// dropped the connection of a single query it could not handle: only the
// first is a 503 ("try again shortly"); the second is a bug to log.
func TestUnreachable(t *testing.T) {
	ctx := context.Background()
	db := mongodbtest.NewDB(t)
	coll := db.Database.Collection("unreachable_probe")
	if _, err := coll.InsertOne(ctx, bson.D{{Key: "score", Value: 1.5}}); err != nil {
		t.Fatal(err)
	}
	// FerretDB closes the connection of a filter holding NaN.
	_, err := coll.Find(ctx, bson.D{{Key: "score", Value: bson.D{{Key: "$lt", Value: math.NaN()}}}})
	if db.FerretDB && err == nil {
		t.Fatal("FerretDB answered a NaN filter; this test needs a query that breaks the connection")
	}
	if err != nil && mongodb.Unreachable(err) {
		t.Errorf("a dropped connection is reported as an unreachable server: %v", err)
	}
	if err := db.Ping(ctx); err != nil {
		t.Fatalf("the server no longer answers: %v", err)
	}

	// Nothing listens on a port just closed.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	client, err := driver.Connect(ctx, options.Client().ApplyURI("mongodb://"+addr+"/?directConnection=true").SetServerSelectionTimeout(300*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer client.Disconnect(ctx)
	err = client.Database("x").Collection("y").FindOne(ctx, bson.D{}).Err()
	if err == nil || !mongodb.Unreachable(err) {
		t.Errorf("no server listening: %v is not reported as unreachable", err)
	}
}

// TestKeysUnderADocumentLock: a store adds to a lookup while it holds a
// document's lock, for every stripe of the locks, without waiting on
// itself.
func TestKeysUnderADocumentLock(t *testing.T) {
	ctx := context.Background()
	db := mongodbtest.NewDB(t)
	keys := db.Keys("lock_probe_keys")
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range 200 {
			id := strconv.Itoa(i)
			unlock := db.Lock("lock_probe_docs", id)
			if err := keys.Add(ctx, id, "doc-"+id); err != nil {
				t.Error(err)
			}
			unlock()
		}
	}()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("adding to a lookup under a document's lock waits for ever")
	}
	if ids, err := keys.IDs(ctx, "7"); err != nil || len(ids) != 1 || ids[0] != "doc-7" {
		t.Fatalf("IDs: %v %v", ids, err)
	}
}

// TestKeysAddAllMany adds to hundreds of keys at once, twice (the second
// time every key exists): FerretDB once waited for ever on a bulk write of
// more updates than its connections to SQLite.
func TestKeysAddAllMany(t *testing.T) {
	ctx := context.Background()
	db := mongodbtest.NewDB(t)
	keys := db.Keys("many_keys")
	many := map[string][]string{}
	for i := range 300 {
		many["k"+strconv.Itoa(i)] = []string{"a" + strconv.Itoa(i)}
	}
	done := make(chan error, 1)
	go func() {
		for range 2 {
			if err := keys.AddAll(ctx, many); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(60 * time.Second):
		t.Fatal("adding to 300 keys at once waits for ever")
	}
	if ids, err := keys.IDs(ctx, "k299"); err != nil || len(ids) != 1 || ids[0] != "a299" {
		t.Fatalf("IDs: %v %v", ids, err)
	}
}
