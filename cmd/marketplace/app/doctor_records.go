package app

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/bson/primitive"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"cooptrade/mongodb"
)

// backupWarnAfter is how old the last backup may be before the doctor
// warns: a nightly backup, and some slack (the alert waits as long).
const backupWarnAfter = 26 * time.Hour

// checkSchema reads the schema version the database records and compares
// it with this program's: older is upgraded at start, newer is refused.
func (d *doctor) checkSchema(ctx context.Context) {
	if d.refused("MONGODB_URI", "MONGODB_DATABASE") || d.failed("database") {
		return
	}
	raw, found, err := d.readMeta(ctx, "schema", "version")
	switch {
	case err != nil:
		d.add(CheckFailed, "schema", "cannot read the database's schema version: %v", err)
		return
	case !found && d.cfg.MongoURI == "" && !d.embeddedExists():
		d.add(CheckOK, "schema", "no database yet: made at schema version %d", mongodb.SchemaVersion)
		return
	}
	v := 1 // recorded by none: written before versions were recorded
	if found {
		if v, err = strconv.Atoi(raw); err != nil {
			d.add(CheckFailed, "schema", "the database records schema version %q, which is not a number", raw)
			return
		}
	}
	switch {
	case !found:
		d.add(CheckWarning, "schema", "no version recorded (a new database, or one written before versions were recorded); this program's is %d: the service upgrades the documents when it starts (marketplace migrate --dry-run says what changes)", mongodb.SchemaVersion)
	case v == mongodb.SchemaVersion:
		d.add(CheckOK, "schema", "version %d, this program's", v)
	case v < mongodb.SchemaVersion:
		d.add(CheckWarning, "schema", "version %d; this program's is %d: the service upgrades the documents when it starts (marketplace migrate --dry-run says what changes)", v, mongodb.SchemaVersion)
	default:
		d.add(CheckFailed, "schema", "version %d, newer than this program's (%d): a newer version of the marketplace wrote it, and this one refuses to start on it", v, mongodb.SchemaVersion)
	}
}

// checkBackup says when the last backup finished, and warns when none has
// for more than a day.
func (d *doctor) checkBackup(ctx context.Context) {
	var at time.Time
	if d.cfg.MongoURI == "" {
		if d.refused("DATA_DIR") {
			return
		}
		m := &Main{Config: d.cfg}
		t, err := m.LastBackup(ctx)
		if err != nil {
			d.add(CheckWarning, "backup", "%v", err)
			return
		}
		at = t
	} else {
		if d.refused("MONGODB_URI", "MONGODB_DATABASE") || d.failed("database") {
			return
		}
		raw, _, err := d.readMeta(ctx, backupMeta, "at")
		if err != nil {
			d.add(CheckWarning, "backup", "cannot read when the last backup finished: %v", err)
			return
		}
		if raw != "" {
			at, _ = time.Parse(time.RFC3339Nano, raw)
		}
	}
	how := "marketplace backup (deploy/systemd/marketplace-backup.timer)"
	if d.cfg.MongoURI != "" {
		how = "mongodump, then marketplace backup --record"
	}
	switch age := time.Since(at); {
	case at.IsZero():
		d.add(CheckWarning, "backup", "no backup is recorded: take them with %s", how)
	case age > backupWarnAfter:
		d.add(CheckWarning, "backup", "the last backup finished %s (%s ago): take them with %s", at.UTC().Format(time.RFC3339), age.Round(time.Minute), how)
	default:
		d.add(CheckOK, "backup", "the last backup finished %s (%s ago)", at.UTC().Format(time.RFC3339), age.Round(time.Minute))
	}
}

// readMeta reads one field of a meta document, as text: from MongoDB, or
// from the embedded database's SQLite file (without starting FerretDB,
// which the running service may hold).
func (d *doctor) readMeta(ctx context.Context, id, field string) (string, bool, error) {
	ctx, cancel := context.WithTimeout(ctx, doctorTimeout)
	defer cancel()
	if d.cfg.MongoURI != "" {
		client, err := mongo.Connect(ctx, options.Client().ApplyURI(d.cfg.MongoURI).SetServerSelectionTimeout(doctorTimeout))
		if err != nil {
			return "", false, err
		}
		defer client.Disconnect(context.Background())
		var doc bson.M
		err = client.Database(d.cfg.MongoDatabase).Collection(mongodb.MetaCollection).FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&doc)
		if errors.Is(err, mongo.ErrNoDocuments) {
			return "", false, nil
		} else if err != nil {
			return "", false, err
		}
		switch v := doc[field].(type) {
		case nil:
			return "", false, nil
		case primitive.DateTime:
			return v.Time().UTC().Format(time.RFC3339Nano), true, nil
		default:
			return fmt.Sprint(v), true, nil
		}
	}
	if !d.embeddedExists() {
		return "", false, nil
	}
	path := d.embeddedDatabaseFile()
	db, err := sql.Open("sqlite", "file:"+(&url.URL{Path: path}).EscapedPath()+"?mode=ro&_pragma=busy_timeout(5000)")
	if err != nil {
		return "", false, err
	}
	defer db.Close()
	// FerretDB keeps each collection in a table named in
	// _ferretdb_collections, each document as JSON.
	var table string
	err = db.QueryRowContext(ctx, `SELECT table_name FROM _ferretdb_collections WHERE name = ?`, mongodb.MetaCollection).Scan(&table)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	} else if err != nil {
		return "", false, err
	}
	var value sql.NullString
	err = db.QueryRowContext(ctx, fmt.Sprintf(`SELECT _ferretdb_sjson->>'$.%s' FROM %q WHERE _ferretdb_sjson->>'$._id' = ?`, field, table), id).Scan(&value)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !value.Valid) {
		return "", false, nil
	} else if err != nil {
		return "", false, err
	}
	return value.String, true, nil
}

// failed reports whether a check of that name failed: the checks that
// need what it checked say nothing more.
func (d *doctor) failed(name string) bool {
	for _, r := range d.results {
		if r.Name == name && r.Status == CheckFailed {
			return true
		}
	}
	return false
}

// embeddedExists reports whether the embedded database's file exists.
func (d *doctor) embeddedExists() bool {
	_, err := os.Stat(d.embeddedDatabaseFile())
	return err == nil
}
