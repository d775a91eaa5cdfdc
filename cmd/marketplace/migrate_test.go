package main_test

import (
	"strings"
	"testing"
)

// TestMigrateCommand runs `marketplace migrate` on the embedded database:
// a dry run says what it would do, the run does it, and a second run finds
// nothing to do.
func TestMigrateCommand(t *testing.T) {
	env := map[string]string{"DATA_DIR": t.TempDir()}
	for _, step := range []struct {
		args []string
		want []string
	}{
		{[]string{"migrate", "--dry-run"}, []string{"at schema version 1; this program's is 2", "listings", "dry run: nothing was changed"}},
		{[]string{"migrate"}, []string{"the database is now at schema version 2"}},
		{[]string{"migrate", "--dry-run"}, []string{"at schema version 2, this program's: nothing to do"}},
	} {
		out, err := runCommand(t, env, "", step.args...)
		if err != nil {
			t.Fatalf("%v: %v\n%s", step.args, err, out)
		}
		for _, w := range step.want {
			if !strings.Contains(out, w) {
				t.Errorf("%v said:\n%s\nwant %q in it", step.args, out, w)
			}
		}
	}
	if out, err := runCommand(t, env, "", "migrate", "now"); err == nil {
		t.Errorf("migrate with an argument: no error\n%s", out)
	}
}
