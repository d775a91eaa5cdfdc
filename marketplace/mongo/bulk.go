package mongo

import (
	"context"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/bson/primitive"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"cooptrade/marketplace"
	"cooptrade/marketplace/mongo/mongodb"
)

// bulkSize bounds the documents of one bulk write.
const bulkSize = 1000

// InsertMembers stores many members at once, as they are (IDs included, or
// new ones when empty), for imports and seeding. It returns ECONFLICT when
// a slug or an ID is taken; the members before the one refused may have
// been stored.
func (s *MemberStore) InsertMembers(ctx context.Context, members []*marketplace.Member) error {
	for start := 0; start < len(members); start += bulkSize {
		chunk := members[start:min(start+bulkSize, len(members))]
		docs := make([]any, len(chunk))
		slugs := map[string][]string{}
		for i, m := range chunk {
			d := toMemberDoc(m)
			if d.ID.IsZero() {
				d.ID = primitive.NewObjectID()
			}
			m.ID = d.ID.Hex()
			docs[i] = d
			slugs[d.Slug] = append(slugs[d.Slug], m.ID)
		}
		if err := s.bySlug.AddAll(ctx, slugs); err != nil { // before: see Keys
			return err
		}
		_, err := s.coll.InsertMany(ctx, docs)
		if mongo.IsDuplicateKeyError(err) {
			return marketplace.Errorf(marketplace.ECONFLICT, "A member's slug or ID is taken by a stored member.")
		} else if err != nil {
			return mongodb.Wrap(err, "insert members")
		}
	}
	return nil
}

// MarkListingsIndexed records, as MarkListingIndexed does for one, that
// each listing is in the search index at the version named, with bulk
// writes of up to a thousand listings. A listing that has moved on to a
// newer version since is left for that version's work to mark.
//
// On FerretDB every update reads the whole collection, so marking costs
// in proportion to the listings marked times the listings stored: mark
// only those whose marker is behind.
func (s *ListingStore) MarkListingsIndexed(ctx context.Context, refs []marketplace.ListingRef) error {
	size := bulkSize
	if s.db.FerretDB {
		size = 100 // the locks are held while FerretDB reads the collection once per listing
	}
	for start := 0; start < len(refs); start += size {
		chunk := refs[start:min(start+size, len(refs))]
		models := make([]mongo.WriteModel, 0, len(chunk))
		for _, r := range chunk {
			oid, err := primitive.ObjectIDFromHex(r.ID)
			if err != nil {
				continue // no stored listing has that ID
			}
			models = append(models, mongo.NewUpdateOneModel().
				SetFilter(bson.D{{Key: "_id", Value: oid}, {Key: "version", Value: r.Version}, {Key: "indexedVersion", Value: bson.D{{Key: "$lt", Value: r.Version}}}}).
				SetUpdate(bson.D{{Key: "$set", Value: bson.D{{Key: "indexedVersion", Value: r.Version}, {Key: "indexPending", Value: false}}}}))
		}
		if len(models) == 0 {
			continue
		}
		if err := s.bulkWrite(ctx, chunk, models); err != nil {
			return err
		}
	}
	return nil
}

// bulkWrite writes models that update the listings of refs, holding their
// document locks on FerretDB (whose updates are not atomic) meanwhile.
func (s *ListingStore) bulkWrite(ctx context.Context, refs []marketplace.ListingRef, models []mongo.WriteModel) error {
	ids := make([]string, len(refs))
	for i, r := range refs {
		ids[i] = r.ID
	}
	defer s.db.LockMany(listingsCollection, ids)()
	_, err := s.coll.BulkWrite(ctx, models, options.BulkWrite().SetOrdered(false))
	return mongodb.Wrap(err, "mark listings indexed")
}
