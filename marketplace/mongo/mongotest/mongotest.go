// Package mongotest gives each test a MongoDB database of its own: on the
// server named by MONGODB_URI when it is set, otherwise on FerretDB embedded
// in the test process (started once per test binary, on a temporary
// directory). The database is dropped when the test ends.
package mongotest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"sync"
	"testing"
	"time"

	"cooptrade/marketplace/mongo"
	"cooptrade/marketplace/mongo/mongodb"
)

var (
	serverOnce sync.Once
	serverURI  string
	embedded   *mongodb.Embedded
	serverErr  error
)

// URI returns the address of the test server, starting FerretDB embedded
// the first time it is needed.
func URI(tb testing.TB) string {
	tb.Helper()
	serverOnce.Do(func() {
		if uri := os.Getenv("MONGODB_URI"); uri != "" {
			serverURI = uri
			return
		}
		dir, err := os.MkdirTemp("", "mongotest-")
		if err != nil {
			serverErr = err
			return
		}
		// The server lives as long as the test binary; its files are
		// in the temporary directory, and every test drops its database.
		e, err := mongodb.StartEmbedded(dir, nil)
		if err != nil {
			serverErr = err
			return
		}
		embedded, serverURI = e, e.URI()
	})
	if serverErr != nil {
		tb.Fatalf("mongotest: start FerretDB embedded: %v", serverErr)
	}
	return serverURI
}

// Embedded returns the embedded server the tests use, or nil when they use
// MONGODB_URI.
func Embedded(tb testing.TB) *mongodb.Embedded {
	tb.Helper()
	URI(tb)
	return embedded
}

// DatabaseName returns a fresh database name for a test.
func DatabaseName() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return "test_" + hex.EncodeToString(b[:])
}

// WebhookKey seals the webhook secrets of the stores NewStores makes.
var WebhookKey = []byte("mongotest webhook key, 32 bytes!")

// NewDB opens a fresh database for the test, with the marketplace's
// collections, and drops it at cleanup.
func NewDB(tb testing.TB) *mongodb.DB {
	tb.Helper()
	db, _ := NewStores(tb)
	return db
}

// NewStores opens a fresh database for the test as NewDB does and returns
// the marketplace's stores on it too.
func NewStores(tb testing.TB) (*mongodb.DB, *mongo.Stores) {
	tb.Helper()
	uri := URI(tb)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var db *mongodb.DB
	var err error
	if embedded != nil {
		db, err = embedded.Open(ctx, DatabaseName())
	} else {
		db, err = mongodb.Open(ctx, uri, DatabaseName())
	}
	if err != nil {
		tb.Fatalf("mongotest: open: %v", err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := db.Database.Drop(ctx); err != nil {
			tb.Errorf("mongotest: drop database: %v", err)
		}
		if err := db.Close(ctx); err != nil {
			tb.Errorf("mongotest: close: %v", err)
		}
	})
	stores, err := mongo.Open(ctx, db, WebhookKey)
	if err != nil {
		tb.Fatalf("mongotest: %v", err)
	}
	return db, stores
}
