package mongodb_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"testing"

	"go.mongodb.org/mongo-driver/bson"

	"cooptrade/mongodb"
	"cooptrade/mongodb/mongodbtest"
)

// TestMigrate upgrades 120 documents of the version before (more than
// two batches) with a migration that changes their shape, after a dry run
// that changes nothing; a second run finds nothing to do, and a database
// of a newer version is refused untouched.
func TestMigrate(t *testing.T) {
	db := mongodbtest.NewDB(t)
	ctx := context.Background()
	things := db.Database.Collection("things")
	var docs []any
	for i := range 120 {
		docs = append(docs, bson.D{{Key: "_id", Value: fmt.Sprintf("t%03d", i)}, {Key: "name", Value: fmt.Sprintf("Thing %d", i)}})
	}
	// One document is already at the version: it is left alone.
	docs = append(docs, bson.D{{Key: "_id", Value: "done"}, {Key: "title", Value: "Done"}, {Key: mongodb.SchemaField, Value: mongodb.SchemaVersion}})
	if _, err := things.InsertMany(ctx, docs); err != nil {
		t.Fatal(err)
	}
	// Version 2 renames name to title.
	migrations := []mongodb.Migration{{Version: mongodb.SchemaVersion, Collection: "things", Summary: "name becomes title",
		Change: func(doc bson.Raw) (bson.D, error) {
			name, ok := doc.Lookup("name").StringValueOK()
			if !ok {
				return nil, errors.New("no name")
			}
			return bson.D{{Key: "$set", Value: bson.D{{Key: "title", Value: name}}}, {Key: "$unset", Value: bson.D{{Key: "name", Value: ""}}}}, nil
		}},
		// A collection that does not exist has nothing to migrate.
		{Version: mongodb.SchemaVersion, Collection: "nothing_here", Summary: "record the version"},
	}

	plan, err := db.Migrate(ctx, migrations, true)
	if err != nil {
		t.Fatal(err)
	}
	if plan.From != 1 || plan.To != mongodb.SchemaVersion || len(plan.Steps) != 2 || plan.Steps[0].Documents != 120 || plan.Steps[1].Documents != 0 {
		t.Fatalf("dry run: %+v; want 120 documents of things from version 1", plan)
	}
	if n, _ := things.CountDocuments(ctx, bson.D{{Key: "name", Value: bson.D{{Key: "$exists", Value: true}}}}); n != 120 {
		t.Fatalf("the dry run changed documents: %d keep their name", n)
	}
	if v, _ := db.StoredSchemaVersion(ctx); v != 1 {
		t.Fatalf("the dry run recorded version %d", v)
	}

	if plan, err = db.Migrate(ctx, migrations, false); err != nil || plan.Steps[0].Documents != 120 {
		t.Fatalf("migrate: %+v, %v", plan, err)
	}
	cur, err := things.Find(ctx, bson.D{})
	if err != nil {
		t.Fatal(err)
	}
	var got []struct {
		ID     string  `bson:"_id"`
		Name   *string `bson:"name"`
		Title  string  `bson:"title"`
		Schema int     `bson:"schema"`
	}
	if err := cur.All(ctx, &got); err != nil {
		t.Fatal(err)
	}
	if len(got) != 121 {
		t.Fatalf("%d documents after migrating; want 121", len(got))
	}
	for _, d := range got {
		want := "Done"
		if d.ID != "done" {
			want = "Thing " + fmt.Sprint(mustAtoi(t, d.ID[1:]))
		}
		if d.Name != nil || d.Title != want || d.Schema != mongodb.SchemaVersion {
			t.Errorf("%s after migrating: name %v, title %q, schema %d; want title %q at version %d", d.ID, d.Name, d.Title, d.Schema, want, mongodb.SchemaVersion)
		}
	}
	if v, _ := db.StoredSchemaVersion(ctx); v != mongodb.SchemaVersion {
		t.Fatalf("recorded version %d after migrating", v)
	}
	// Again: nothing to do, and the migration is not even consulted.
	if plan, err = db.Migrate(ctx, nil, false); err != nil || plan.From != mongodb.SchemaVersion || len(plan.Steps) != 0 {
		t.Fatalf("second run: %+v, %v", plan, err)
	}

	// A newer program wrote the database: refused, nothing changed.
	if err := db.WriteMeta(ctx, "schema", bson.D{{Key: "version", Value: mongodb.SchemaVersion + 1}}); err != nil {
		t.Fatal(err)
	}
	if _, err := things.InsertOne(ctx, bson.D{{Key: "_id", Value: "newer"}, {Key: "name", Value: "Newer"}}); err != nil {
		t.Fatal(err)
	}
	_, err = db.Migrate(ctx, migrations, false)
	var newer *mongodb.ErrNewerSchema
	if !errors.As(err, &newer) || newer.Database != mongodb.SchemaVersion+1 {
		t.Fatalf("migrate a newer database: %v; want ErrNewerSchema", err)
	}
	if n, _ := things.CountDocuments(ctx, bson.D{{Key: "_id", Value: "newer"}, {Key: "name", Value: "Newer"}}); n != 1 {
		t.Fatal("a newer database was changed")
	}
}

func mustAtoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}
