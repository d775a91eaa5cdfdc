package app

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// Restore puts the backup in file into an empty DATA_DIR, checking every
// file against the backup's manifest first; the search index is then to
// be rebuilt from it (OpenBulk, then Loader's Rebuild). It refuses a
// DATA_DIR with anything in it, so that it never mixes a backup with live
// data. keyFile is the copy of the secret key kept apart from the backups
// ("" when SECRET_KEY is set); a warning goes to notes when there is
// neither, as a new key will be made.
func (m *Main) Restore(file, keyFile string, notes io.Writer) (BackupManifest, error) {
	if m.Config.MongoURI != "" {
		return BackupManifest{}, errors.New("the database is MongoDB (MONGODB_URI): restore it with mongorestore, then run `marketplace reindex` (see the README)")
	}
	dataDir := m.Config.DataDir
	if err := requireEmptyDir(dataDir); err != nil {
		return BackupManifest{}, err
	}
	var key []byte
	if keyFile != "" {
		k, err := readSecretKeyFile(keyFile)
		if err != nil {
			return BackupManifest{}, fmt.Errorf("--secret-key: %w", err)
		}
		key = k
	} else if len(m.Config.SecretKey) == 0 {
		fmt.Fprintln(notes, "restore: warning: neither SECRET_KEY nor --secret-key is given, so a new key will be made: links in mail already sent stop working, and members must register their webhooks' secrets again")
	}

	// Everything is unpacked into a directory of its own and moved into
	// place only when whole; a failure leaves DATA_DIR as empty as it was.
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return BackupManifest{}, err
	}
	restoring := filepath.Join(dataDir, ".restoring")
	manifest, err := unpackBackup(file, restoring)
	if err == nil && key != nil {
		err = os.WriteFile(filepath.Join(restoring, filepath.Base(m.Config.SecretKeyFile())), []byte(hex.EncodeToString(key)+"\n"), 0o600)
	}
	if err == nil {
		err = moveInto(restoring, dataDir)
	}
	if err != nil {
		_ = emptyDir(dataDir)
		return BackupManifest{}, err
	}
	return manifest, nil
}

// requireEmptyDir refuses a directory that exists and holds anything.
func requireEmptyDir(dir string) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if len(entries) > 0 {
		return fmt.Errorf("DATA_DIR %s is not empty (it holds %s): restore puts a backup into an empty one, never over live data", dir, entries[0].Name())
	}
	return nil
}

// unpackBackup checks the archive at file against its manifest and
// unpacks its databases into dir/mongo.
func unpackBackup(file, dir string) (BackupManifest, error) {
	var manifest BackupManifest
	f, err := os.Open(file)
	if err != nil {
		return manifest, err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return manifest, fmt.Errorf("%s is not a backup: %w", file, err)
	}
	tr := tar.NewReader(zr)
	h, err := tr.Next()
	if err != nil || h.Name != backupManifestName {
		return manifest, fmt.Errorf("%s is not a backup: it does not start with %s", file, backupManifestName)
	}
	if err := json.NewDecoder(io.LimitReader(tr, 1<<20)).Decode(&manifest); err != nil {
		return manifest, fmt.Errorf("%s: manifest: %w", file, err)
	}
	if manifest.Format != backupFormat || manifest.Version != backupVersion {
		return manifest, fmt.Errorf("%s is a %q version %d backup; this program reads %q version %d", file, manifest.Format, manifest.Version, backupFormat, backupVersion)
	}
	want := map[string]BackupDatabase{}
	for _, db := range manifest.Databases {
		if !validDatabaseName(db.Name) || db.File != backupDBPrefix+db.Name+".sqlite" {
			return manifest, fmt.Errorf("%s: manifest: bad database %q", file, db.Name)
		}
		want[db.File] = db
	}
	dbDir := filepath.Join(dir, "mongo")
	if err := os.MkdirAll(dbDir, 0o700); err != nil {
		return manifest, err
	}
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return manifest, fmt.Errorf("%s: %w", file, err)
		}
		db, ok := want[h.Name]
		if !ok || h.Typeflag != tar.TypeReg {
			return manifest, fmt.Errorf("%s: unexpected entry %q", file, h.Name)
		}
		delete(want, h.Name)
		path := filepath.Join(dbDir, db.Name+".sqlite")
		if err := writeChecked(path, tr, db); err != nil {
			return manifest, fmt.Errorf("%s: %s: %w", file, h.Name, err)
		}
		if err := checkSQLite(context.Background(), path); err != nil {
			return manifest, fmt.Errorf("%s: %s: %w", file, h.Name, err)
		}
	}
	for name := range want {
		return manifest, fmt.Errorf("%s: %s is missing (the backup is cut short)", file, name)
	}
	return manifest, nil
}

// writeChecked writes r to path and checks its size and digest.
func writeChecked(path string, r io.Reader, db BackupDatabase) error {
	out, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, r); err != nil {
		out.Close()
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	if err := out.Close(); err != nil {
		return err
	}
	size, sum, err := fileDigest(path)
	if err != nil {
		return err
	}
	if size != db.Bytes || sum != db.SHA256 {
		return errors.New("its contents differ from what the manifest says (the backup is damaged)")
	}
	return nil
}

// moveInto moves every entry of from into to, then removes from.
func moveInto(from, to string) error {
	entries, err := os.ReadDir(from)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if err := os.Rename(filepath.Join(from, e.Name()), filepath.Join(to, e.Name())); err != nil {
			return err
		}
	}
	return os.Remove(from)
}

// emptyDir removes what is in dir, which restore found empty.
func emptyDir(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	var errs []error
	for _, e := range entries {
		errs = append(errs, os.RemoveAll(filepath.Join(dir, e.Name())))
	}
	return errors.Join(errs...)
}

// readSecretKeyFile reads a key as the service keeps it in DATA_DIR: hex,
// at least 32 bytes.
func readSecretKeyFile(path string) ([]byte, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	key, err := hex.DecodeString(strings.TrimSpace(string(raw)))
	if err != nil || len(key) < 32 {
		return nil, fmt.Errorf("%s is not a key (32 or more bytes in hex, as in DATA_DIR/secret.key)", path)
	}
	return key, nil
}
