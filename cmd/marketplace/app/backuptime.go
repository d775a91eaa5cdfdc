package app

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/bson"
)

// backupMeta is the meta document that records MongoDB's last backup.
const backupMeta = "backup"

// recordBackupFile records in DATA_DIR that a backup of the embedded
// database finished at t, through a file renamed into place.
func (c Config) recordBackupFile(t time.Time) error {
	tmp := c.LastBackupFile() + ".partial"
	if err := os.WriteFile(tmp, []byte(t.UTC().Format(time.RFC3339)+"\n"), 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, c.LastBackupFile())
}

// RecordBackup records in the database that a backup made outside the
// program (mongodump, a Meilisearch dump) finished now: `marketplace
// backup --record`, run after them, so that the metric of the last
// backup, and the alert on it, see it.
func (m *Main) RecordBackup(ctx context.Context) error {
	if m.Config.MongoURI == "" {
		return errors.New("the database is embedded: `marketplace backup FILE` records its backups itself")
	}
	if m.DB == nil {
		if err := m.openDB(ctx); err != nil {
			return err
		}
	}
	return m.DB.WriteMeta(ctx, backupMeta, bson.D{{Key: "at", Value: time.Now().UTC()}})
}

// LastBackup returns when the last backup finished, or the zero time when
// none is recorded: from DATA_DIR on the embedded database, from the
// database on MongoDB.
func (m *Main) LastBackup(ctx context.Context) (time.Time, error) {
	if m.Config.MongoURI == "" {
		raw, err := os.ReadFile(m.Config.LastBackupFile())
		if errors.Is(err, os.ErrNotExist) {
			return time.Time{}, nil
		} else if err != nil {
			return time.Time{}, err
		}
		t, err := time.Parse(time.RFC3339, strings.TrimSpace(string(raw)))
		if err != nil {
			return time.Time{}, fmt.Errorf("%s: %w", m.Config.LastBackupFile(), err)
		}
		return t, nil
	}
	var doc struct {
		At time.Time `bson:"at"`
	}
	if _, err := m.DB.ReadMeta(ctx, backupMeta, &doc); err != nil {
		return time.Time{}, err
	}
	return doc.At, nil
}
