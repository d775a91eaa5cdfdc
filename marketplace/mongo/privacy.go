package mongo

import (
	"context"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/bson/primitive"
	"go.mongodb.org/mongo-driver/mongo"

	"cooptrade/marketplace"
	"cooptrade/mongodb"
)

// Personal data: every store that holds data about people exports and
// erases it (marketplace.PersonalData) and names the collections it holds
// it in; every other collection is in withoutPersonalData, with why. A
// test holds each collection in stores.go to one or the other.
//
// Export and erasure are rare (a request from a person, or staff), so
// they may read a collection through by a filter, which on FerretDB is a
// scan; what they delete or change they then write by _id, in batches.

// personalStore is a store that holds data about people.
type personalStore interface {
	marketplace.PersonalData
	// personalCollections are the collections whose data about people
	// the store exports and erases.
	personalCollections() []string
}

// withoutPersonalData are the collections that hold nothing about people.
var withoutPersonalData = map[string]string{
	alertChangesCollection: "one counter of changes to the saved searches",
}

// personalStores are the stores that hold data about people, in the order
// an erasure runs: those that read another's documents to find their own
// (matches and alert hits read the member's listings; invitations,
// applications, threads and deals the user's e-mail address; deals the
// threads' people) before it.
func (s *Stores) personalStores() []personalStore {
	return []personalStore{
		s.Audit, s.Tokens, s.Sessions, s.Resets, s.Preferences, s.Notifications, s.Alerts,
		s.Matches, s.WebhookTargets, s.Exports, s.Invitations, s.JoinApplications,
		s.Deals, s.Quotes, s.Threads, s.EnquirerLinks, s.Listings, s.Users, s.Members,
	}
}

// PersonalData returns the stores that hold data about people, for the
// service's export and erasure.
func (s *Stores) PersonalData() []marketplace.PersonalData {
	stores := s.personalStores()
	out := make([]marketplace.PersonalData, len(stores))
	for i, p := range stores {
		out[i] = p
	}
	return out
}

// exportDocs returns the documents filter finds as plain values for JSON,
// without the fields omit names (secrets, hashes).
func exportDocs(ctx context.Context, coll *mongo.Collection, filter bson.D, omit ...string) ([]map[string]any, error) {
	out := []map[string]any{}
	err := mongodb.Walk(ctx, coll, filter, coll.Name(), func(d *bson.M) error {
		m, _ := plain(*d).(map[string]any)
		for _, f := range omit {
			delete(m, f)
		}
		out = append(out, m)
		return nil
	})
	return out, err
}

// plain turns a decoded BSON value into what encoding/json writes as
// people read it: IDs as hex, dates as times, documents as objects.
func plain(v any) any {
	switch v := v.(type) {
	case bson.M:
		m := make(map[string]any, len(v))
		for k, x := range v {
			m[k] = plain(x)
		}
		return m
	case bson.D:
		m := make(map[string]any, len(v))
		for _, e := range v {
			m[e.Key] = plain(e.Value)
		}
		return m
	case bson.A:
		a := make([]any, len(v))
		for i, x := range v {
			a[i] = plain(x)
		}
		return a
	case primitive.ObjectID:
		return v.Hex()
	case primitive.DateTime:
		return v.Time().UTC()
	default:
		return v
	}
}

// idsOf returns the _ids of the documents filter finds.
func idsOf(ctx context.Context, coll *mongo.Collection, filter bson.D) ([]any, error) {
	var ids []any
	err := mongodb.Walk(ctx, coll, filter, coll.Name(), func(d *struct {
		ID any `bson:"_id"`
	}) error {
		ids = append(ids, d.ID)
		return nil
	})
	return ids, err
}

// deleteWhere deletes the documents filter finds, by _id.
func deleteWhere(ctx context.Context, coll *mongo.Collection, filter bson.D) error {
	ids, err := idsOf(ctx, coll, filter)
	if err != nil {
		return err
	}
	_, err = mongodb.DeleteByIDs(ctx, coll, ids)
	return err
}

// oidOrNil is the ObjectID an ID names; a malformed ID names nothing,
// which a filter on it then finds.
func oidOrNil(id string) primitive.ObjectID {
	oid, _ := primitive.ObjectIDFromHex(id)
	return oid
}

// memberListingIDs returns the IDs of a member's listings, read from the
// listings themselves rather than the lookup, which the listings' own
// erasure deletes.
func memberListingIDs(ctx context.Context, db *mongodb.DB, memberID string) ([]string, error) {
	ids, err := idsOf(ctx, db.Database.Collection(listingsCollection), bson.D{{Key: "memberId", Value: oidOrNil(memberID)}})
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if oid, ok := id.(primitive.ObjectID); ok {
			out = append(out, oid.Hex())
		}
	}
	return out, err
}
