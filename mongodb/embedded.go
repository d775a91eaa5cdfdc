package mongodb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
	"go.mongodb.org/mongo-driver/event"
	"go.mongodb.org/mongo-driver/mongo/options"
	_ "modernc.org/sqlite" // the SQLite driver FerretDB itself uses
)

// Embedded is FerretDB running inside this process on SQLite files: the
// database of a one-machine install and of the tests. It listens on a free
// loopback port and speaks the MongoDB wire protocol, so the stores use it
// through the same driver as a real MongoDB.
type Embedded struct {
	dir    string
	uri    string
	cancel context.CancelFunc
	done   chan struct{}
}

// Sync says when a write to the embedded database reaches the disk.
type Sync string

const (
	// SyncNormal (the default) has SQLite write its log to the disk at
	// checkpoints, not at every commit: every acknowledged write survives
	// a crash or kill of the program; a crash of the operating system or
	// a power cut may lose the last second or so of them. This is
	// SQLite's recommended setting for its write-ahead log, and gives
	// about twice the writes a second of SyncFull on a small server.
	SyncNormal Sync = "normal"
	// SyncFull waits for the disk at every commit: nothing acknowledged
	// is lost even to a power cut.
	SyncFull Sync = "full"
)

// StartEmbedded starts FerretDB on the SQLite files in dir, creating dir if
// needed, with SyncNormal. FerretDB's own logs go to logger (nil silences
// them).
func StartEmbedded(dir string, logger *slog.Logger) (*Embedded, error) {
	return StartEmbeddedSync(dir, logger, SyncNormal)
}

// StartEmbeddedSync is StartEmbedded with the given Sync.
func StartEmbeddedSync(dir string, logger *slog.Logger, sync Sync) (*Embedded, error) {
	if sync != SyncFull {
		sync = SyncNormal
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("mongo: embedded: %w", err)
	}
	if err := os.MkdirAll(abs, 0o700); err != nil {
		return nil, fmt.Errorf("mongo: embedded: %w", err)
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	f, err := ferretdb.New(&ferretdb.Config{
		Listener: ferretdb.ListenerConfig{TCP: "127.0.0.1:0"},
		Handler:  "sqlite",
		// FerretDB adds the write-ahead log (journal_mode(wal)) and a
		// busy timeout; immediate transactions take the write lock at
		// their start, so that two writers never deadlock.
		//
		// SQLite's own checkpoints are off (wal_autocheckpoint(0)): it
		// would run one inside the commit that fills the log, holding
		// the write lock while it copies the log into the database and
		// waits for the disk, and every writer would wait behind it (a
		// third of the time of an update by _id, measured). Open runs
		// them beside the writers instead (see checkpoints). The log's
		// file is cut back to 64 MiB when it starts over.
		SQLiteURL: "file:" + abs + string(filepath.Separator) + "?_txlock=immediate" +
			"&_pragma=wal_autocheckpoint(0)&_pragma=journal_size_limit(67108864)&_pragma=synchronous(" + string(sync) + ")",
		Logger: logger,
	})
	if err != nil {
		return nil, fmt.Errorf("mongo: embedded: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	e := &Embedded{dir: abs, uri: f.MongoDBURI(), cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(e.done)
		_ = f.Run(ctx)
	}()
	return e, nil
}

// URI is the MongoDB connection string of the embedded server.
func (e *Embedded) URI() string { return e.uri }

// Open connects to a database of the embedded server. Until it is closed,
// the DB keeps its collections' _id lookups on an index (see IndexIDs),
// sends its writes one at a time (see writeTurns; around the command
// monitor of extra, if any) and checkpoints the database's log in the
// background (see checkpoints).
func (e *Embedded) Open(ctx context.Context, database string, extra ...*options.ClientOptions) (*DB, error) {
	var monitor *event.CommandMonitor
	for _, o := range extra {
		if o != nil && o.Monitor != nil {
			monitor = o.Monitor // the last wins, as in the driver
		}
	}
	extra = append(slices.Clip(extra), options.Client().SetMonitor(newWriteTurns().monitor(monitor)))
	db, err := Open(ctx, e.uri, database, extra...)
	if err != nil {
		return nil, err
	}
	db.embedded = e
	stop, stopped := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(stopped)
		e.checkpoints(database, stop)
	}()
	db.stopEmbedded = func() { close(stop); <-stopped }
	return db, nil
}

// checkpointEvery is how often the log of an embedded database is copied
// into the database: with SyncNormal, also how often the log reaches the
// disk, so at most about this much of the latest writes is lost to a power
// cut.
const checkpointEvery = time.Second

// checkpoints copies the log of the database into the database every
// checkpointEvery, until stop is closed: a passive checkpoint, which runs
// beside the readers and the writer and waits for neither. A connection of
// its own is opened for each, so that a database dropped meanwhile is
// neither held open nor made again.
func (e *Embedded) checkpoints(database string, stop <-chan struct{}) {
	path := filepath.Join(e.dir, database+".sqlite")
	t := time.NewTicker(checkpointEvery)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
		}
		if err := checkpoint(path); err != nil {
			slog.Warn("checkpoint of the embedded database failed", "database", database, "error", err)
		}
	}
}

// checkpoint runs one passive checkpoint of the SQLite file at path, if
// the file exists.
func checkpoint(path string) error {
	if _, err := os.Stat(path); err != nil {
		return nil // no collection yet, or dropped
	}
	// mode=rw: a file dropped since is not created again.
	conn, err := sql.Open("sqlite", "file:"+(&url.URL{Path: path}).EscapedPath()+"?mode=rw&_pragma=busy_timeout(1000)")
	if err != nil {
		return err
	}
	defer conn.Close()
	_, err = conn.Exec(`PRAGMA wal_checkpoint(PASSIVE)`)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		if _, serr := os.Stat(path); serr != nil {
			return nil // dropped while checkpointed
		}
		return err
	}
	return nil
}

// Close stops the server and waits until its files are closed.
func (e *Embedded) Close() error {
	e.cancel()
	<-e.done
	return nil
}

// IndexIDs makes FerretDB's lookups by _id use an index in every
// collection of the database. FerretDB v1.24 hands SQL only the filters
// that are exactly {_id: <string or ObjectID>}, as
// `_ferretdb_sjson->'$._id' = ?`, and the unique index it makes for _id is
// on `_ferretdb_sjson->"_id"`; SQLite matches an index to a query by its
// expression as written, so without an index on exactly that expression
// every lookup, update and delete by _id reads the whole table. It is
// idempotent: it runs at every start, over every collection there is.
func (e *Embedded) IndexIDs(ctx context.Context, database string) error {
	path := filepath.Join(e.dir, database+".sqlite")
	if _, err := os.Stat(path); err != nil {
		return nil // no collection yet
	}
	conn, err := sql.Open("sqlite", "file:"+(&url.URL{Path: path}).EscapedPath()+"?_pragma=busy_timeout(10000)")
	if err != nil {
		return fmt.Errorf("mongo: embedded: index _id: %w", err)
	}
	defer conn.Close()
	rows, err := conn.QueryContext(ctx, `SELECT table_name FROM _ferretdb_collections`)
	if err != nil {
		return fmt.Errorf("mongo: embedded: index _id: %w", err)
	}
	var tables []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			rows.Close()
			return fmt.Errorf("mongo: embedded: index _id: %w", err)
		}
		tables = append(tables, t)
	}
	rows.Close()
	for _, t := range tables {
		if err := indexID(ctx, conn, t); err != nil {
			return fmt.Errorf("mongo: embedded: index _id of %s: %w", t, err)
		}
	}
	return nil
}

// indexID puts the table's unique index on _id, the one FerretDB made
// under the name "<table>__id_", on the expression that lookups use, in
// one transaction: then every write keeps one index on _id up to date,
// not two, and an update by _id is known to change one row, so SQLite
// keeps no statement journal for it (about a sixth of the time of an
// update, measured). FerretDB knows the index by its name only, which
// stays. The lookup indexes that earlier versions made beside it go.
func indexID(ctx context.Context, conn *sql.DB, table string) error {
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() // after Commit, does nothing
	name := table + "__id_"
	var def string
	err = tx.QueryRowContext(ctx, `SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?`, name).Scan(&def)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	if !strings.Contains(def, IDLookupExpression) {
		for _, q := range []string{
			fmt.Sprintf(`DROP INDEX IF EXISTS %q`, name),
			fmt.Sprintf(`CREATE UNIQUE INDEX %q ON %q (%s)`, name, table, IDLookupExpression),
		} {
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return err
			}
		}
	}
	for _, old := range []string{table + "_id_lookup", table + "_id_unique"} {
		if _, err := tx.ExecContext(ctx, fmt.Sprintf(`DROP INDEX IF EXISTS %q`, old)); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// IDLookupExpression is the SQL expression FerretDB v1.24's SQLite backend
// compares _id with; IndexIDs indexes it.
const IDLookupExpression = `_ferretdb_sjson->'$._id'`

// SQLite opens the SQLite file of a database of the embedded server
// directly, for tests that look at how FerretDB's queries are planned.
// The caller closes it.
func (e *Embedded) SQLite(database string) (*sql.DB, error) {
	path := filepath.Join(e.dir, database+".sqlite")
	return sql.Open("sqlite", "file:"+(&url.URL{Path: path}).EscapedPath()+"?_pragma=busy_timeout(10000)")
}
