package mongo

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/FerretDB/FerretDB/ferretdb"
)

// Embedded is FerretDB running inside this process on SQLite files: the
// database of a one-machine install and of the tests. It listens on a free
// loopback port and speaks the MongoDB wire protocol, so the stores use it
// through the same driver as a real MongoDB.
type Embedded struct {
	uri    string
	cancel context.CancelFunc
	done   chan struct{}
}

// StartEmbedded starts FerretDB on the SQLite files in dir, creating dir if
// needed. FerretDB's own logs go to logger (nil silences them).
func StartEmbedded(dir string, logger *slog.Logger) (*Embedded, error) {
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
		Listener:  ferretdb.ListenerConfig{TCP: "127.0.0.1:0"},
		Handler:   "sqlite",
		SQLiteURL: "file:" + abs + string(filepath.Separator) + "?_txlock=immediate",
		Logger:    logger,
	})
	if err != nil {
		return nil, fmt.Errorf("mongo: embedded: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	e := &Embedded{uri: f.MongoDBURI(), cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(e.done)
		_ = f.Run(ctx)
	}()
	return e, nil
}

// URI is the MongoDB connection string of the embedded server.
func (e *Embedded) URI() string { return e.uri }

// Close stops the server and waits until its files are closed.
func (e *Embedded) Close() error {
	e.cancel()
	<-e.done
	return nil
}
