package mongodb_test

import (
	"context"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"

	"cooptrade/marketplace"
	"cooptrade/mongodb/mongodbtest"
)

type namedDoc struct {
	ID      string `bson:"_id"`
	Name    string `bson:"name"`
	Version int64  `bson:"version"`
}

// TestReplaceVersionLocked replaces a whole document at the version it
// was read, as the stores' updates do: a missing one is not found, a
// stale version is refused, and writers racing on one document each
// write once, one after the other.
func TestReplaceVersionLocked(t *testing.T) {
	ctx := context.Background()
	db := mongodbtest.NewDB(t)
	coll := db.Database.Collection("named")
	if _, err := coll.InsertOne(ctx, namedDoc{ID: "a", Name: "first", Version: 1}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, id string
		version  int64
		code     string
	}{
		{"Missing", "b", 1, marketplace.ENOTFOUND},
		{"Stale", "a", 0, marketplace.EPRECONDITION},
		{"Current", "a", 1, ""},
		{"AgainAtTheOldVersion", "a", 1, marketplace.EPRECONDITION},
	} {
		err := db.ReplaceVersionLocked(ctx, coll, tc.id, tc.version, "name", namedDoc{ID: tc.id, Name: tc.name, Version: tc.version + 1})
		if marketplace.ErrorCode(err) != tc.code {
			t.Errorf("%s: %v; want code %q", tc.name, err, tc.code)
		}
	}
	// Eight writers read version 2 and write version 3: one wins.
	var wg sync.WaitGroup
	var won atomic.Int32
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if db.ReplaceVersionLocked(ctx, coll, "a", 2, "name", namedDoc{ID: "a", Name: strconv.Itoa(i), Version: 3}) == nil {
				won.Add(1)
			}
		}()
	}
	wg.Wait()
	if won.Load() != 1 {
		t.Errorf("%d writers won; want 1", won.Load())
	}
}
