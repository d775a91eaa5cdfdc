// Package mongodbtest gives each test a MongoDB database of its own: on the
// server named by MONGODB_URI when it is set, otherwise on FerretDB embedded
// in the test process (started once per test binary, on a temporary
// directory). The database is empty and is dropped when the test ends; the
// stores' own helpers (marketplace/mongo/mongotest) add their collections.
//
// It imports the base package mongodb and no store.
package mongodbtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"sync"
	"testing"
	"time"

	"cooptrade/mongodb"
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
		tb.Fatalf("mongodbtest: start FerretDB embedded: %v", serverErr)
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

// NewDB opens a fresh, empty database for the test and drops it at
// cleanup. On the embedded server the DB knows its server, as `marketplace
// serve` opens it (so that _id lookups are indexed and stores may cache).
func NewDB(tb testing.TB) *mongodb.DB {
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
		tb.Fatalf("mongodbtest: open: %v", err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := db.Database.Drop(ctx); err != nil {
			tb.Errorf("mongodbtest: drop database: %v", err)
		}
		if err := db.Close(ctx); err != nil {
			tb.Errorf("mongodbtest: close: %v", err)
		}
	})
	return db
}
