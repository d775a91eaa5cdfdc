package app

import "path/filepath"

// Where a one-machine install keeps its files under DATA_DIR. Backups,
// restores and the doctor read the same places the service opens.

// EmbeddedDBDir is the directory of the embedded database's SQLite files,
// one per database (DATA_DIR/mongo/<database>.sqlite).
func (c Config) EmbeddedDBDir() string { return filepath.Join(c.DataDir, "mongo") }

// SearchDir is the directory of the embedded search index.
func (c Config) SearchDir() string { return filepath.Join(c.DataDir, "search") }

// SecretKeyFile is where the key made when SECRET_KEY is not set is kept.
func (c Config) SecretKeyFile() string { return filepath.Join(c.DataDir, "secret.key") }

// LastBackupFile is where `marketplace backup` records when it last
// finished, for the metric that alerts when backups stop.
func (c Config) LastBackupFile() string { return filepath.Join(c.DataDir, "last-backup") }
