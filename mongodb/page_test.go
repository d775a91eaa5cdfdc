package mongodb_test

import (
	"context"
	"slices"
	"strconv"
	"testing"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/bson/primitive"

	"cooptrade/marketplace"
	"cooptrade/mongodb"
	"cooptrade/mongodb/mongodbtest"
)

func TestCut(t *testing.T) {
	cursor := func(n int) string { return strconv.Itoa(n) }
	for _, tc := range []struct {
		name  string
		items []int
		limit int
		page  []int
		next  string
	}{
		{"OneBeyond", []int{5, 4, 3}, 2, []int{5, 4}, "4"},
		{"EndsWithin", []int{5, 4}, 2, []int{5, 4}, ""},
		{"NoLimit", []int{5, 4, 3}, 0, []int{5, 4, 3}, ""},
		{"Empty", nil, 2, nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			page, next := mongodb.Cut(tc.items, tc.limit, cursor)
			if !slices.Equal(page, tc.page) || next != tc.next {
				t.Fatalf("Cut: %v %q; want %v %q", page, next, tc.page, tc.next)
			}
		})
	}
}

type numberDoc struct {
	ID      primitive.ObjectID `bson:"_id"`
	N       int                `bson:"n"`
	Even    bool               `bson:"even"`
	Version int64              `bson:"version"`
}

func (d *numberDoc) number() int { return d.N }

// TestPageByID walks a list newest first, page by page, on the test's
// server: every document once, in order, and the last page says there is
// no next.
func TestPageByID(t *testing.T) {
	ctx := context.Background()
	db := mongodbtest.NewDB(t)
	coll := db.Database.Collection("numbers")
	ids := map[int]string{}
	for n := range 7 {
		d := numberDoc{ID: primitive.NewObjectID(), N: n, Even: n%2 == 0}
		if _, err := coll.InsertOne(ctx, d); err != nil {
			t.Fatal(err)
		}
		ids[n] = d.ID.Hex()
	}
	idOf := func(n int) string { return ids[n] }
	walk := func(filter bson.D) []int {
		var all []int
		cursor := ""
		for range 10 {
			page, next, err := mongodb.PageByID(ctx, coll, filter, cursor, 2, "numbers", (*numberDoc).number, idOf)
			if err != nil {
				t.Fatal(err)
			}
			if len(page) > 2 {
				t.Fatalf("a page of %d; want at most 2", len(page))
			}
			all = append(all, page...)
			if next == "" {
				return all
			}
			cursor = next
		}
		t.Fatal("the pages never end")
		return nil
	}
	if got, want := walk(bson.D{}), []int{6, 5, 4, 3, 2, 1, 0}; !slices.Equal(got, want) {
		t.Errorf("every number: %v; want %v", got, want)
	}
	if got, want := walk(bson.D{{Key: "even", Value: true}}), []int{6, 4, 2, 0}; !slices.Equal(got, want) {
		t.Errorf("even numbers: %v; want %v", got, want)
	}
	if _, _, err := mongodb.PageByID(ctx, coll, nil, "not a cursor", 2, "numbers", (*numberDoc).number, idOf); marketplace.ErrorCode(err) != marketplace.EINVALID {
		t.Errorf("a bad cursor: %v; want EINVALID", err)
	}
}

// TestFindOneAndUpdateVersion: a missing document (or an ID that is not
// an ObjectID) is ENOTFOUND, a write
// naming an old version EPRECONDITION, and the right version writes.
func TestFindOneAndUpdateVersion(t *testing.T) {
	ctx := context.Background()
	db := mongodbtest.NewDB(t)
	coll := db.Database.Collection("versioned")
	d := numberDoc{ID: primitive.NewObjectID(), N: 1, Version: 1}
	if _, err := coll.InsertOne(ctx, d); err != nil {
		t.Fatal(err)
	}
	byID := func(id primitive.ObjectID) bson.D { return bson.D{{Key: "_id", Value: id}} }
	if _, err := mongodb.FindOne(ctx, coll, byID(primitive.NewObjectID()), "number", "x", (*numberDoc).number); marketplace.ErrorCode(err) != marketplace.ENOTFOUND {
		t.Fatalf("find a missing document: %v; want ENOTFOUND", err)
	}
	for _, id := range []string{primitive.NewObjectID().Hex(), "not an ObjectID"} {
		if _, err := mongodb.FindByID(ctx, coll, id, "number", (*numberDoc).number); marketplace.ErrorCode(err) != marketplace.ENOTFOUND {
			t.Fatalf("find %q by ID: %v; want ENOTFOUND", id, err)
		}
	}
	if got, err := mongodb.FindByID(ctx, coll, d.ID.Hex(), "number", (*numberDoc).number); err != nil || got != 1 {
		t.Fatalf("find by ID: %v %v; want 1", got, err)
	}
	set := func(n int, version int64) bson.D {
		return bson.D{{Key: "$set", Value: bson.D{{Key: "n", Value: n}, {Key: "version", Value: version}}}}
	}
	for _, tc := range []struct {
		name    string
		id      primitive.ObjectID
		version int64
		code    string
	}{
		{"Missing", primitive.NewObjectID(), 1, marketplace.ENOTFOUND},
		{"Stale", d.ID, 0, marketplace.EPRECONDITION},
		{"Current", d.ID, 1, ""},
		{"AgainAtTheOldVersion", d.ID, 1, marketplace.EPRECONDITION},
	} {
		t.Run(tc.name, func(t *testing.T) {
			unlock := db.Lock("versioned", tc.id.Hex())
			err := db.UpdateVersion(ctx, coll, tc.id, tc.version, "number", tc.id.Hex(), set(2, tc.version+1))
			unlock()
			if marketplace.ErrorCode(err) != tc.code {
				t.Fatalf("update at version %d: %v; want code %q", tc.version, err, tc.code)
			}
		})
	}
	got, err := mongodb.FindOne(ctx, coll, byID(d.ID), "number", d.ID.Hex(), func(d *numberDoc) numberDoc { return *d })
	if err != nil || got.N != 2 || got.Version != 2 {
		t.Fatalf("after the update: %+v %v; want n 2 at version 2", got, err)
	}
}
