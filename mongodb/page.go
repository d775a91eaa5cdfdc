package mongodb

import (
	"context"
	"slices"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"
)

// Lists are paged by keyset: a page is read one item beyond its limit, to
// know whether another follows, and the cursor of the next page is made
// from the last item of this one, so that the next query starts after it.

// Cut cuts a list read one beyond its page (in the page's order) to at
// most limit items, and makes the cursor of the next page from the page's
// last item with cursorOf: "" when the list ends within the page, or when
// limit is 0 (no limit).
func Cut[T any](items []T, limit int, cursorOf func(T) string) ([]T, string) {
	if limit <= 0 || len(items) <= limit {
		return items, ""
	}
	items = items[:limit]
	return items, cursorOf(items[len(items)-1])
}

// Page reads one page of a list: at most limit documents matching filter
// in the order of sort (all when limit is 0), each turned into a T by
// convert, and the cursor of the next page, made by cursorOf from the
// page's last item ("" when there is no next page).
func Page[D, T any](ctx context.Context, coll *mongo.Collection, filter, sort bson.D, limit int, what string, convert func(*D) T, cursorOf func(T) string) ([]T, string, error) {
	opts := options.Find().SetSort(sort)
	if limit > 0 {
		opts.SetLimit(int64(limit) + 1)
	}
	items, err := FindAll(ctx, coll, filter, opts, what, convert)
	if err != nil {
		return nil, "", err
	}
	items, next := Cut(items, limit, cursorOf)
	return items, next, nil
}

// PageByID reads one page of a list ordered newest first by _id, an
// ObjectID, whose cursor is the ID (in hex) of the last item of the page
// before: after cursor ("" for the first page), at most limit documents
// matching filter (all when limit is 0), each turned into a T by convert.
// idOf gives an item's ID, from which the next page's cursor is made. A
// cursor that is not an ID is EINVALID (BadCursor).
func PageByID[D, T any](ctx context.Context, coll *mongo.Collection, filter bson.D, cursor string, limit int, what string, convert func(*D) T, idOf func(T) string) ([]T, string, error) {
	filter = slices.Clip(filter)
	if cursor != "" {
		after, err := ParseCursor(cursor)
		if err != nil {
			return nil, "", err
		}
		filter = append(filter, bson.E{Key: "_id", Value: bson.D{{Key: "$lt", Value: after}}})
	}
	return Page(ctx, coll, filter, bson.D{{Key: "_id", Value: -1}}, limit, what, convert, idOf)
}
