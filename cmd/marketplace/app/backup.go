package app

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	_ "modernc.org/sqlite" // the SQLite driver FerretDB itself uses
)

// A backup file is a gzipped tar archive: BackupManifest first, then one
// SQLite file per database of the embedded FerretDB, as mongo/<name>.sqlite.
// It holds what cannot be rebuilt; the search index is rebuilt at restore,
// and the secret key is kept apart (see the README).
const (
	backupFormat       = "cooptrade-backup"
	backupVersion      = 1
	backupManifestName = "manifest.json"
	backupDBPrefix     = "mongo/"
)

// BackupManifest says what a backup holds, so that restore checks every
// file before it puts any in place.
type BackupManifest struct {
	Format    string           `json:"format"`
	Version   int              `json:"version"`
	Program   string           `json:"program"`
	Created   time.Time        `json:"created"`
	Databases []BackupDatabase `json:"databases"`
}

// BackupDatabase is one database in a backup.
type BackupDatabase struct {
	Name   string `json:"name"` // the MongoDB database: MONGODB_DATABASE
	File   string `json:"file"` // its path in the archive
	Bytes  int64  `json:"bytes"`
	SHA256 string `json:"sha256"`
}

// BackupSummary says what Backup wrote.
type BackupSummary struct {
	File      string // the absolute path of the archive
	Databases int
	Bytes     int64 // the archive's size
}

// Backup writes a consistent copy of the embedded database into file (a
// .tar.gz), while the service runs. Each SQLite file is copied with VACUUM
// INTO, which reads one snapshot of the database in a read transaction:
// writers carry on meanwhile, and the copy holds exactly the writes
// committed when it began. A file copy would not be consistent.
func (m *Main) Backup(ctx context.Context, file string) (BackupSummary, error) {
	if m.Config.MongoURI != "" {
		return BackupSummary{}, errors.New("the database is MongoDB (MONGODB_URI): back it up with mongodump (see the README)")
	}
	dbDir := m.Config.EmbeddedDBDir()
	sources, err := filepath.Glob(filepath.Join(dbDir, "*.sqlite"))
	if err != nil {
		return BackupSummary{}, err
	}
	if len(sources) == 0 {
		return BackupSummary{}, fmt.Errorf("no embedded database in %s (is DATA_DIR right?)", dbDir)
	}
	file, err = filepath.Abs(file)
	if err != nil {
		return BackupSummary{}, err
	}
	// The copies are made beside FILE, so that a full disk shows up here,
	// not in the service's DATA_DIR.
	work, err := os.MkdirTemp(filepath.Dir(file), ".marketplace-backup-")
	if err != nil {
		return BackupSummary{}, err
	}
	defer os.RemoveAll(work)

	manifest := BackupManifest{Format: backupFormat, Version: backupVersion, Program: m.Version, Created: time.Now().UTC()}
	copies := make([]string, len(sources))
	for i, src := range sources {
		name := strings.TrimSuffix(filepath.Base(src), ".sqlite")
		copies[i] = filepath.Join(work, name+".sqlite")
		if err := snapshotSQLite(ctx, src, copies[i]); err != nil {
			return BackupSummary{}, fmt.Errorf("%s: %w", src, err)
		}
		size, sum, err := fileDigest(copies[i])
		if err != nil {
			return BackupSummary{}, err
		}
		manifest.Databases = append(manifest.Databases, BackupDatabase{Name: name, File: backupDBPrefix + name + ".sqlite", Bytes: size, SHA256: sum})
	}
	if err := writeBackup(file, manifest, copies); err != nil {
		return BackupSummary{}, err
	}
	info, err := os.Stat(file)
	if err != nil {
		return BackupSummary{}, err
	}
	if err := m.Config.recordBackupFile(time.Now()); err != nil {
		return BackupSummary{}, fmt.Errorf("the backup is written, but its time cannot be recorded for the metrics: %w", err)
	}
	return BackupSummary{File: file, Databases: len(manifest.Databases), Bytes: info.Size()}, nil
}

// snapshotSQLite copies the SQLite database src into dst (which must not
// exist) as of one moment, while other processes write to src.
func snapshotSQLite(ctx context.Context, src, dst string) error {
	// mode=rw: never create src; the write-ahead log's shared memory
	// needs write access even to read.
	db, err := sql.Open("sqlite", "file:"+(&url.URL{Path: src}).EscapedPath()+"?mode=rw&_pragma=busy_timeout(10000)")
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, `VACUUM INTO ?`, dst); err != nil {
		return fmt.Errorf("vacuum into: %w", err)
	}
	return checkSQLite(ctx, dst)
}

// checkSQLite runs SQLite's quick_check on the file at path.
func checkSQLite(ctx context.Context, path string) error {
	db, err := sql.Open("sqlite", "file:"+(&url.URL{Path: path}).EscapedPath()+"?mode=ro")
	if err != nil {
		return err
	}
	defer db.Close()
	var verdict string
	if err := db.QueryRowContext(ctx, `PRAGMA quick_check`).Scan(&verdict); err != nil {
		return fmt.Errorf("quick_check: %w", err)
	}
	if verdict != "ok" {
		return fmt.Errorf("quick_check: %s", verdict)
	}
	return nil
}

// writeBackup writes the archive to file through a temporary file renamed
// into place once it is on the disk, so that FILE is whole or absent.
func writeBackup(file string, manifest BackupManifest, copies []string) error {
	tmp, err := os.CreateTemp(filepath.Dir(file), ".marketplace-backup-*.partial")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	zw := gzip.NewWriter(tmp)
	tw := tar.NewWriter(zw)
	js, err := json.MarshalIndent(manifest, "", "  ")
	if err != nil {
		return err
	}
	if err := tw.WriteHeader(&tar.Header{Name: backupManifestName, Mode: 0o600, Size: int64(len(js)), ModTime: manifest.Created}); err != nil {
		return err
	}
	if _, err := tw.Write(js); err != nil {
		return err
	}
	for i, db := range manifest.Databases {
		if err := addFile(tw, db.File, copies[i], manifest.Created); err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	if err := tmp.Sync(); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), file)
}

func addFile(tw *tar.Writer, name, path string, modTime time.Time) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return err
	}
	if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o600, Size: info.Size(), ModTime: modTime}); err != nil {
		return err
	}
	_, err = io.Copy(tw, f)
	return err
}

// fileDigest returns the size and SHA-256 (hex) of the file at path.
func fileDigest(path string) (int64, string, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, "", err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return 0, "", err
	}
	return n, hex.EncodeToString(h.Sum(nil)), nil
}

// HumanBytes writes a size the way people read it: 12.3 MB.
func HumanBytes(n int64) string {
	const unit = 1000
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for v := n / unit; v >= unit; v /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %cB", float64(n)/float64(div), "kMGTPE"[exp])
}
