// Package mongotest gives each test a database of its own with the
// marketplace's collections and stores on it, on the test server that
// mongodbtest starts (or the one MONGODB_URI names). The database is
// dropped when the test ends.
//
// It is imported by tests only.
package mongotest

import (
	"context"
	"testing"
	"time"

	"cooptrade/marketplace/mongo"
	"cooptrade/mongodb"
	"cooptrade/mongodb/mongodbtest"
)

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
	db := mongodbtest.NewDB(tb)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	stores, err := mongo.Open(ctx, db, WebhookKey)
	if err != nil {
		tb.Fatalf("mongotest: %v", err)
	}
	return db, stores
}
