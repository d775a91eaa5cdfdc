package mongo_test

import (
	"context"
	"math"
	"net"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	driver "go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"cooptrade/marketplace/mongo"
	"cooptrade/marketplace/mongo/mongotest"
)

// TestEmbeddedRestart opens the embedded server twice on the same files,
// as `marketplace serve` does across restarts: indexes are created once and
// the data is still there.
func TestEmbeddedRestart(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	var id string
	for i := range 2 {
		e, err := mongo.StartEmbedded(dir, nil)
		if err != nil {
			t.Fatal(err)
		}
		db, err := mongo.Open(ctx, e.URI(), "marketplace")
		if err != nil {
			t.Fatalf("open #%d: %v", i+1, err)
		}
		if !db.FerretDB {
			t.Error("the embedded server was not recognised as FerretDB")
		}
		members := mongo.NewMemberStore(db)
		if i == 0 {
			m := newMember("Kept Across Restarts Co-op")
			if err := members.CreateMember(ctx, m); err != nil {
				t.Fatal(err)
			}
			id = m.ID
		} else if m, err := members.FindMemberByID(ctx, id); err != nil || m.Name != "Kept Across Restarts Co-op" {
			t.Fatalf("after restart: %+v, %v", m, err)
		}
		if err := db.Close(ctx); err != nil {
			t.Fatal(err)
		}
		if err := e.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

// TestUnreachable tells a server that cannot be reached from one that
// dropped the connection of a single query it could not handle: only the
// first is a 503 ("try again shortly"); the second is a bug to log.
func TestUnreachable(t *testing.T) {
	ctx := context.Background()
	db := mongotest.NewDB(t)
	coll := db.Database.Collection("unreachable_probe")
	if _, err := coll.InsertOne(ctx, bson.D{{Key: "score", Value: 1.5}}); err != nil {
		t.Fatal(err)
	}
	// FerretDB closes the connection of a filter holding NaN.
	_, err := coll.Find(ctx, bson.D{{Key: "score", Value: bson.D{{Key: "$lt", Value: math.NaN()}}}})
	if db.FerretDB && err == nil {
		t.Fatal("FerretDB answered a NaN filter; this test needs a query that breaks the connection")
	}
	if err != nil && mongo.Unreachable(err) {
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
	if err == nil || !mongo.Unreachable(err) {
		t.Errorf("no server listening: %v is not reported as unreachable", err)
	}
}
