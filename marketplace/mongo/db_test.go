package mongo_test

import (
	"context"
	"testing"

	"cooptrade/marketplace/mongo"
	"cooptrade/mongodb"
)

// TestEmbeddedRestart opens the embedded server twice on the same files,
// as `marketplace serve` does across restarts: indexes are created once and
// the data is still there.
func TestEmbeddedRestart(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	var id string
	for i := range 2 {
		e, err := mongodb.StartEmbedded(dir, nil)
		if err != nil {
			t.Fatal(err)
		}
		db, err := mongodb.Open(ctx, e.URI(), "marketplace")
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
