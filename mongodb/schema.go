package mongodb

import (
	"context"
	"fmt"
	"slices"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
)

// SchemaVersion is the version of the documents this program writes. Every
// document of a versioned collection carries it in SchemaField, and the
// database records it in the meta document "schema". Version 1 is the
// documents written before versions were recorded: they carry none.
const SchemaVersion = 2

// SchemaField is the field of a document that holds its schema version.
const SchemaField = "schema"

// schemaMeta is the meta document that records the database's version.
const schemaMeta = "schema"

// migrationBatch is how many documents one bulk write changes: FerretDB can
// hang on bulk writes of many more.
const migrationBatch = 50

// Migration brings the documents of one collection to Version from the
// version before it.
type Migration struct {
	Version    int
	Collection string
	// Summary says what it does, for `marketplace migrate --dry-run`.
	Summary string
	// Change returns the update operators ($set, $unset) that bring one
	// document to Version; nil (or a nil update) only records the version
	// in the document.
	Change func(doc bson.Raw) (bson.D, error)
}

// MigrationStep is a migration as a plan holds it: with the number of
// documents it would change.
type MigrationStep struct {
	Migration
	Documents int
}

// MigrationPlan is what Migrate does, or would do, to the database.
type MigrationPlan struct {
	From, To int // the database's version, and this program's
	Steps    []MigrationStep
}

// ErrNewerSchema is returned when the database was written by a newer
// program: this one would not understand its documents, and never
// changes them back.
type ErrNewerSchema struct{ Database, Program int }

func (e *ErrNewerSchema) Error() string {
	return fmt.Sprintf("the database has schema version %d, newer than this program's (%d): it was written by a newer version of the marketplace; "+
		"run that version or a later one (programs never downgrade a database), or restore a backup taken before the upgrade", e.Database, e.Program)
}

// StoredSchemaVersion returns the schema version the database records;
// 1 when it records none (written before versions were recorded, or new).
func (db *DB) StoredSchemaVersion(ctx context.Context) (int, error) {
	var doc struct {
		Version int `bson:"version"`
	}
	found, err := db.ReadMeta(ctx, schemaMeta, &doc)
	if err != nil || !found {
		return 1, err
	}
	return doc.Version, nil
}

// Migrate brings every document of the database to SchemaVersion with the
// migrations, in order of version, and then records the version. Each
// migration reads its collection once and writes the documents it changes
// by _id, in batches of 50; a document already at the migration's
// version or later is left alone, so a run that was cut short is simply
// run again. With dryRun it changes nothing and returns the plan.
// ErrNewerSchema when the database's version is newer than the program's.
func (db *DB) Migrate(ctx context.Context, migrations []Migration, dryRun bool) (MigrationPlan, error) {
	from, err := db.StoredSchemaVersion(ctx)
	if err != nil {
		return MigrationPlan{}, err
	}
	plan := MigrationPlan{From: from, To: SchemaVersion}
	if from > SchemaVersion {
		return plan, &ErrNewerSchema{Database: from, Program: SchemaVersion}
	}
	if from == SchemaVersion {
		return plan, nil
	}
	todo := slices.Clone(migrations)
	slices.SortStableFunc(todo, func(a, b Migration) int { return a.Version - b.Version })
	for _, m := range todo {
		if m.Version <= from || m.Version > SchemaVersion {
			continue
		}
		n, err := db.migrate(ctx, m, dryRun)
		if err != nil {
			return plan, fmt.Errorf("mongo: migrate %s to schema version %d: %w", m.Collection, m.Version, err)
		}
		plan.Steps = append(plan.Steps, MigrationStep{Migration: m, Documents: n})
	}
	if dryRun {
		return plan, nil
	}
	return plan, db.WriteMeta(ctx, schemaMeta, bson.D{{Key: "version", Value: SchemaVersion}})
}

// migrate applies one migration and returns how many documents it changed
// (or would change).
func (db *DB) migrate(ctx context.Context, m Migration, dryRun bool) (int, error) {
	coll := db.Database.Collection(m.Collection)
	// The changes are gathered first, then written: the read is one pass
	// over the collection (on FerretDB, filters other than _id read every
	// document anyway) and no write happens under an open cursor.
	var writes []mongo.WriteModel
	cur, err := coll.Find(ctx, bson.D{})
	if err != nil {
		return 0, err
	}
	defer cur.Close(ctx)
	for cur.Next(ctx) {
		doc := cur.Current
		if v, ok := docSchema(doc); ok && v >= m.Version {
			continue
		}
		var update bson.D
		if m.Change != nil {
			if update, err = m.Change(doc); err != nil {
				return 0, fmt.Errorf("document %v: %w", doc.Lookup("_id"), err)
			}
		}
		update = withSchema(update, m.Version)
		filter := bson.D{{Key: "_id", Value: doc.Lookup("_id")}}
		if !db.FerretDB {
			// Another process migrating at the same moment changes each
			// document once. (FerretDB is embedded: one process.)
			filter = append(filter, bson.E{Key: SchemaField, Value: bson.D{{Key: "$not", Value: bson.D{{Key: "$gte", Value: m.Version}}}}})
		}
		writes = append(writes, mongo.NewUpdateOneModel().SetFilter(filter).SetUpdate(update))
	}
	if err := cur.Err(); err != nil {
		return 0, err
	}
	if dryRun {
		return len(writes), nil
	}
	for start := 0; start < len(writes); start += migrationBatch {
		if _, err := coll.BulkWrite(ctx, writes[start:min(start+migrationBatch, len(writes))]); err != nil {
			return 0, err
		}
	}
	return len(writes), nil
}

// docSchema returns the schema version a document carries.
func docSchema(doc bson.Raw) (int, bool) {
	v, err := doc.LookupErr(SchemaField)
	if err != nil {
		return 0, false
	}
	switch v.Type {
	case bson.TypeInt32:
		return int(v.Int32()), true
	case bson.TypeInt64:
		return int(v.Int64()), true
	case bson.TypeDouble:
		return int(v.Double()), true
	}
	return 0, false
}

// withSchema adds schema: version to the $set of update.
func withSchema(update bson.D, version int) bson.D {
	out := slices.Clone(update)
	for i, op := range out {
		if op.Key != "$set" {
			continue
		}
		set, ok := op.Value.(bson.D)
		if !ok {
			continue
		}
		out[i].Value = append(slices.Clone(set), bson.E{Key: SchemaField, Value: version})
		return out
	}
	return append(out, bson.E{Key: "$set", Value: bson.D{{Key: SchemaField, Value: version}}})
}
