package mongodb_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"cooptrade/marketplace"
	"cooptrade/mongodb"
)

type listed struct {
	at time.Time
	id string
}

func listedKey(l listed) (time.Time, string) { return l.at, l.id }

// TestPageList walks a list held in memory page by page, newest first and
// oldest first: every item once, in order (ties by ID), an item added
// before the first page does not shift the next, and a cursor it did not
// make is refused.
func TestPageList(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	items := []listed{{t0.Add(time.Hour), "0a"}, {t0, "0c"}, {t0.Add(2 * time.Hour), "0b"}, {t0, "0d"}, {t0.Add(3 * time.Hour), "01"}}
	for _, tc := range []struct {
		name string
		desc bool
		want []string
	}{
		{"NewestFirst", true, []string{"01", "0b", "0a", "0d", "0c"}},
		{"OldestFirst", false, []string{"0c", "0d", "0a", "0b", "01"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			cursor, pages := "", 0
			for {
				page, next, err := mongodb.PageList(items, listedKey, tc.desc, cursor, 2)
				if err != nil {
					t.Fatal(err)
				}
				pages++
				for _, it := range page {
					got = append(got, it.id)
				}
				if pages == 1 {
					// Added while the walk goes: the next pages do not
					// shift.
					items = append(items, listed{t0.Add(-time.Hour), "ff"}, listed{t0.Add(9 * time.Hour), "fe"})
					defer func() { items = items[:5] }()
				}
				if next == "" || pages > 5 {
					break
				}
				cursor = next
			}
			// The item added after the walk's end comes last; the one
			// added before its start is not seen.
			want := append([]string{}, tc.want...)
			if tc.desc {
				want = append(want, "ff")
			} else {
				want = append(want, "fe")
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Fatalf("the pages (-want +got):\n%s", diff)
			}
		})
	}
	for _, bad := range []string{"x", "12", "z!.0a", "1.", "1.0A", "1.0a;drop"} {
		if _, _, err := mongodb.PageList(items, listedKey, true, bad, 2); marketplace.ErrorCode(err) != marketplace.EINVALID {
			t.Errorf("cursor %q: %v; want invalid", bad, err)
		}
	}
	if page, next, err := mongodb.PageList(items, listedKey, true, "", 0); err != nil || len(page) != 5 || next != "" {
		t.Errorf("no limit: %d items, next %q, %v", len(page), next, err)
	}
}
