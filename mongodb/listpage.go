package mongodb

import (
	"slices"
	"strconv"
	"strings"
	"time"
)

// PageList pages a list read whole: the documents a lookup (Keys) names,
// which no query can order or skip. It is keyset paging all the same, so
// that a page does not shift when items are added before it: items are
// ordered by their key (a time, then the ID; newest first when desc), the
// page starts after the item cursor names ("" for the first page) and
// holds at most limit items (all when 0), and the next page's cursor is
// made from its last item (Cut). A cursor this function did not make is
// EINVALID (BadCursor).
func PageList[T any](items []T, keyOf func(T) (time.Time, string), desc bool, cursor string, limit int) ([]T, string, error) {
	compare := func(at time.Time, id string, bt time.Time, bid string) int {
		c := at.Compare(bt)
		if c == 0 {
			c = strings.Compare(id, bid)
		}
		if desc {
			return -c
		}
		return c
	}
	items = slices.Clone(items)
	slices.SortFunc(items, func(a, b T) int {
		at, aid := keyOf(a)
		bt, bid := keyOf(b)
		return compare(at, aid, bt, bid)
	})
	if cursor != "" {
		after, afterID, err := parseListCursor(cursor)
		if err != nil {
			return nil, "", err
		}
		items = slices.DeleteFunc(items, func(it T) bool {
			at, id := keyOf(it)
			return compare(at, id, after, afterID) <= 0
		})
	}
	page, next := Cut(items, limit, func(it T) string {
		at, id := keyOf(it)
		return strconv.FormatInt(at.UnixNano(), 36) + "." + id
	})
	return page, next, nil
}

// parseListCursor reads a cursor of PageList: the time in nanoseconds
// (base 36) and the ID, in hex.
func parseListCursor(cursor string) (time.Time, string, error) {
	nanos, id, ok := strings.Cut(cursor, ".")
	n, err := strconv.ParseInt(nanos, 36, 64)
	if !ok || err != nil || id == "" || len(id) > 64 || strings.Trim(id, "0123456789abcdef") != "" {
		return time.Time{}, "", BadCursor()
	}
	return time.Unix(0, n).UTC(), id, nil
}
