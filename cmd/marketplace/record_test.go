package main_test

import (
	"strings"
	"testing"

	"cooptrade/mongodb/mongodbtest"
)

// TestBackupRecord: on MongoDB, `marketplace backup --record` after a
// mongodump records the time, which the doctor (and the metric) then see;
// on the embedded database it is refused, since backup records itself.
func TestBackupRecord(t *testing.T) {
	env := map[string]string{"DATA_DIR": t.TempDir(), "MONGODB_URI": mongodbtest.URI(t), "MONGODB_DATABASE": mongodbtest.DatabaseName()}
	lines, out, _ := doctorLines(t, env)
	wantCheck(t, lines, out, "backup", []string{"warning"}, "no backup is recorded", "marketplace backup --record")
	if out, err := runCommand(t, env, "", "backup", "--record"); err != nil || !strings.Contains(out, "recorded") {
		t.Fatalf("backup --record: %v\n%s", err, out)
	}
	lines, out, _ = doctorLines(t, env)
	wantCheck(t, lines, out, "backup", okOnly, "the last backup finished")

	if out, err := runCommand(t, map[string]string{"DATA_DIR": t.TempDir()}, "", "backup", "--record"); err == nil || !strings.Contains(err.Error(), "records its backups itself") {
		t.Errorf("backup --record on the embedded database: %v\n%s", err, out)
	}
}
