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
)

var (
	serverOnce sync.Once
	serverURI  string
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
		e, err := mongo.StartEmbedded(dir, nil)
		if err != nil {
			serverErr = err
			return
		}
		serverURI = e.URI()
	})
	if serverErr != nil {
		tb.Fatalf("mongotest: start FerretDB embedded: %v", serverErr)
	}
	return serverURI
}

// DatabaseName returns a fresh database name for a test.
func DatabaseName() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return "test_" + hex.EncodeToString(b[:])
}

// NewDB opens a fresh database for the test and drops it at cleanup.
func NewDB(tb testing.TB) *mongo.DB {
	tb.Helper()
	uri := URI(tb)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	db, err := mongo.Open(ctx, uri, DatabaseName())
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
	return db
}
