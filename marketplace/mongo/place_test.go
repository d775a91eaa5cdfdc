package mongo_test

import (
	"context"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/bson/primitive"

	"cooptrade/marketplace"
	"cooptrade/marketplace/mongo"
	"cooptrade/marketplace/mongo/mongotest"
)

// Listings and members stored when places were postcode areas have an area
// and the area's centroid only: they are read placed by their district.
func TestStoredAreasAreReplacedByDistrict(t *testing.T) {
	ctx := context.Background()
	db := mongotest.NewDB(t)
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	listingID, memberID := primitive.NewObjectID(), primitive.NewObjectID()
	// The area "LS" centroid, as the old table had it.
	if _, err := db.Database.Collection("listings").InsertOne(ctx, bson.D{
		{Key: "_id", Value: listingID}, {Key: "memberId", Value: memberID}, {Key: "kind", Value: "offer"},
		{Key: "title", Value: "Bike repairs"}, {Key: "category", Value: "print-runs"},
		{Key: "postcode", Value: "LS25 1AA"}, {Key: "area", Value: "LS"}, {Key: "lat", Value: 53.82},
		{Key: "lon", Value: -1.55}, {Key: "radiusKm", Value: 20}, {Key: "status", Value: "published"},
		{Key: "version", Value: int64(1)}, {Key: "createdAt", Value: now}, {Key: "updatedAt", Value: now},
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Database.Collection("members").InsertOne(ctx, bson.D{
		{Key: "_id", Value: memberID}, {Key: "kind", Value: "enterprise"}, {Key: "name", Value: "Spokes"},
		{Key: "slug", Value: "spokes"}, {Key: "postcode", Value: "M4 1HN"}, {Key: "area", Value: "M"},
		{Key: "lat", Value: 53.48}, {Key: "lon", Value: -2.24}, {Key: "standing", Value: "active"},
		{Key: "version", Value: int64(1)}, {Key: "createdAt", Value: now}, {Key: "updatedAt", Value: now},
	}); err != nil {
		t.Fatal(err)
	}

	l, err := mongo.NewListingStore(db).FindListingByID(ctx, listingID.Hex())
	if err != nil {
		t.Fatal(err)
	}
	ls25, _ := marketplace.FindDistrict("LS25")
	if l.District != "LS25" || l.Area != "LS" || l.Lat != ls25.Lat || l.Lon != ls25.Lon {
		t.Errorf("listing placed at %s %s (%v, %v); want LS25 LS (%v, %v)", l.District, l.Area, l.Lat, l.Lon, ls25.Lat, ls25.Lon)
	}
	m, err := mongo.NewMemberStore(db).FindMemberByID(ctx, memberID.Hex())
	if err != nil {
		t.Fatal(err)
	}
	m4, _ := marketplace.FindDistrict("M4")
	if m.District != "M4" || m.Lat != m4.Lat || m.Lon != m4.Lon {
		t.Errorf("member placed at %s (%v, %v); want M4 (%v, %v)", m.District, m.Lat, m.Lon, m4.Lat, m4.Lon)
	}
}
