package mongo

import (
	"context"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/bson/primitive"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"cooptrade/marketplace"
	"cooptrade/mongodb"
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
// each listing is in the search index at the version named. A listing that
// has moved on to a newer version since is left for that version's work
// to mark.
func (s *ListingStore) MarkListingsIndexed(ctx context.Context, refs []marketplace.ListingRef) error {
	return s.markMany(ctx, refs, "indexedVersion", "indexPending")
}

// MarkListingsMatched records, as MarkListingMatched does for one, that
// each listing's matches are those of the version named.
func (s *ListingStore) MarkListingsMatched(ctx context.Context, refs []marketplace.ListingRef) error {
	return s.markMany(ctx, refs, "matchedVersion", "matchPending")
}

// markMany sets a marker of many listings: on MongoDB with bulk writes of
// conditional updates; on FerretDB, whose conditional filters read the
// whole collection, one by one by _id (mark).
func (s *ListingStore) markMany(ctx context.Context, refs []marketplace.ListingRef, marker, flag string) error {
	if s.db.FerretDB && len(refs) < markOneByOne {
		for _, r := range refs {
			if err := s.mark(ctx, r.ID, r.Version, marker, flag); err != nil && marketplace.ErrorCode(err) != marketplace.ENOTFOUND {
				return err
			}
		}
		return nil
	}
	if s.db.FerretDB {
		return s.markByVersion(ctx, refs, marker, flag)
	}
	for start := 0; start < len(refs); start += bulkSize {
		chunk := refs[start:min(start+bulkSize, len(refs))]
		models := make([]mongo.WriteModel, 0, len(chunk))
		for _, r := range chunk {
			oid, err := primitive.ObjectIDFromHex(r.ID)
			if err != nil {
				continue // no stored listing has that ID
			}
			models = append(models, mongo.NewUpdateOneModel().
				SetFilter(bson.D{{Key: "_id", Value: oid}, {Key: "version", Value: r.Version}, {Key: marker, Value: bson.D{{Key: "$lt", Value: r.Version}}}}).
				SetUpdate(bson.D{{Key: "$set", Value: bson.D{{Key: marker, Value: r.Version}, {Key: flag, Value: false}}}}))
		}
		if len(models) == 0 {
			continue
		}
		if _, err := s.coll.BulkWrite(ctx, models, options.BulkWrite().SetOrdered(false)); err != nil {
			return mongodb.Wrap(err, "mark listings %s", marker)
		}
	}
	return nil
}

// InsertMatches stores many new matches at once, for bulk loads; a pair
// already stored is left as it is.
func (s *MatchStore) InsertMatches(ctx context.Context, ms []*marketplace.Match) error {
	ofListing, ofMember := map[string][]string{}, map[string][]string{}
	docs := make([]any, 0, len(ms))
	for _, m := range ms {
		ofListing[m.OfferID] = append(ofListing[m.OfferID], m.ID)
		ofListing[m.NeedID] = append(ofListing[m.NeedID], m.ID)
		ofMember[m.OfferMemberID] = append(ofMember[m.OfferMemberID], m.ID)
		ofMember[m.NeedMemberID] = append(ofMember[m.NeedMemberID], m.ID)
		docs = append(docs, toMatchDoc(m))
	}
	// The lookups first: see mongodb.Keys.
	if err := s.ofListing.AddAll(ctx, ofListing); err != nil {
		return err
	}
	if err := s.ofMember.AddAll(ctx, ofMember); err != nil {
		return err
	}
	ids := make([]string, len(ms))
	for i, m := range ms {
		ids[i] = m.ID
	}
	defer s.cache.Forget(ids...)
	s.cache.Forget(ids...)
	for start := 0; start < len(docs); start += bulkSize {
		_, err := s.coll.InsertMany(ctx, docs[start:min(start+bulkSize, len(docs))], options.InsertMany().SetOrdered(false))
		if err != nil && !mongodb.OnlyDuplicates(err) {
			return mongodb.Wrap(err, "insert matches")
		}
	}
	return nil
}

// markOneByOne is how many listings markMany marks one by one on FerretDB;
// more are marked a version at a time (markByVersion).
const markOneByOne = 200

// markByVersion marks many listings on FerretDB with one update of all the
// listings at each version: FerretDB reads the whole collection for each
// update whose filter is not _id alone, so one update per version (a
// handful) beats one per listing. It holds the listings' locks meanwhile,
// as FerretDB's updates are not atomic.
func (s *ListingStore) markByVersion(ctx context.Context, refs []marketplace.ListingRef, marker, flag string) error {
	byVersion := map[int64][]primitive.ObjectID{}
	ids := make([]string, 0, len(refs))
	for _, r := range refs {
		if oid, err := primitive.ObjectIDFromHex(r.ID); err == nil {
			byVersion[r.Version] = append(byVersion[r.Version], oid)
			ids = append(ids, r.ID)
		}
	}
	defer s.db.LockMany(listingsCollection, ids)()
	defer s.cache.Forget(ids...)
	s.cache.Forget(ids...)
	for v, oids := range byVersion {
		_, err := s.coll.UpdateMany(ctx,
			bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: oids}}}, {Key: "version", Value: v}, {Key: marker, Value: bson.D{{Key: "$lt", Value: v}}}},
			bson.D{{Key: "$set", Value: bson.D{{Key: marker, Value: v}, {Key: flag, Value: false}}}})
		if err != nil {
			return mongodb.Wrap(err, "mark listings %s", marker)
		}
	}
	return nil
}
