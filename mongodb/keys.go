package mongodb

import (
	"context"
	"errors"
	"slices"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"
)

// Keys is a lookup kept as documents of their own: for each key (a member,
// a listing, an e-mail address) the IDs of the documents it names, in a
// collection whose _id is the key. On FerretDB only lookups by _id use an
// index, so "the users of a member" or "the matches of a listing" are read
// here by _id, then each document by its _id, instead of by a filter that
// reads the whole collection; on MongoDB it costs a small write more.
//
// Without transactions a key and its documents cannot change together, so
// a key is added before the document it names is stored and removed after
// the document is gone: a crash between the two leaves an ID that names
// nothing, which readers skip (FindByIDs), never a document that cannot be
// found.
type Keys struct {
	db   *DB
	coll *mongo.Collection
}

type keysDoc struct {
	Key string   `bson:"_id"`
	IDs []string `bson:"ids"`
}

// Keys returns the lookup kept in the named collection.
func (db *DB) Keys(collection string) *Keys {
	return &Keys{db: db, coll: db.Database.Collection(collection)}
}

// Add records that key names the documents ids.
func (k *Keys) Add(ctx context.Context, key string, ids ...string) error {
	if len(ids) == 0 {
		return nil
	}
	defer k.lock(key)()
	_, err := k.coll.UpdateOne(ctx, bson.D{{Key: "_id", Value: key}},
		bson.D{{Key: "$addToSet", Value: bson.D{{Key: "ids", Value: bson.D{{Key: "$each", Value: ids}}}}}},
		options.Update().SetUpsert(true))
	return Wrap(err, "add to %s %s", k.coll.Name(), key)
}

// Remove records that key no longer names the document id.
func (k *Keys) Remove(ctx context.Context, key, id string) error {
	defer k.lock(key)()
	_, err := k.coll.UpdateOne(ctx, bson.D{{Key: "_id", Value: key}}, bson.D{{Key: "$pull", Value: bson.D{{Key: "ids", Value: id}}}})
	return Wrap(err, "remove from %s %s", k.coll.Name(), key)
}

// lock serialises the writes of one key on FerretDB, with locks of the
// lookups' own: the caller may hold a document's lock (DB.Lock), and the
// two sets never wait for each other, since no one takes a document's lock
// while holding a key's.
func (k *Keys) lock(key string) func() {
	if !k.db.FerretDB {
		return func() {}
	}
	return k.db.keyLocks.lock(k.coll.Name() + "/" + key)
}

// IDs returns the IDs key names (nil for none), some of which may name
// documents that are gone.
func (k *Keys) IDs(ctx context.Context, key string) ([]string, error) {
	var d keysDoc
	err := k.coll.FindOne(ctx, bson.D{{Key: "_id", Value: key}}).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, nil
	}
	return d.IDs, Wrap(err, "find %s %s", k.coll.Name(), key)
}

// Empty reports whether the lookup holds no key: a lookup added to a
// store that already holds documents is filled from them once (AddAll).
func (k *Keys) Empty(ctx context.Context) (bool, error) {
	n, err := k.coll.EstimatedDocumentCount(ctx)
	return n == 0, Wrap(err, "count %s", k.coll.Name())
}

// AddAll records, in bulk writes, that each key names its IDs: to fill a
// lookup from a walk of the documents, or for a bulk load. Keys not there
// yet are inserted whole; the others get the IDs added.
func (k *Keys) AddAll(ctx context.Context, keys map[string][]string) error {
	if len(keys) == 0 {
		return nil
	}
	names := make([]string, 0, len(keys))
	for key := range keys {
		names = append(names, key)
	}
	// Which keys exist: by _id for a few; for many, one read of the
	// whole lookup (a long $in is checked against every key, one by one).
	existing := map[string]bool{}
	var err error
	if len(names) <= byIDsOneByOne {
		err = FindByIDs(ctx, k.db, k.coll, names, k.coll.Name(), func(d *keysDoc) { existing[d.Key] = true })
	} else {
		err = Walk(ctx, k.coll, bson.D{}, k.coll.Name(), func(d *keysDoc) error {
			existing[d.Key] = true
			return nil
		})
	}
	if err != nil {
		return err
	}
	var docs []any
	var models []mongo.WriteModel
	for key, ids := range keys {
		if !existing[key] {
			docs = append(docs, keysDoc{Key: key, IDs: slices.Compact(slices.Sorted(slices.Values(ids)))})
			continue
		}
		models = append(models, mongo.NewUpdateOneModel().SetFilter(bson.D{{Key: "_id", Value: key}}).
			SetUpdate(bson.D{{Key: "$addToSet", Value: bson.D{{Key: "ids", Value: bson.D{{Key: "$each", Value: ids}}}}}}).SetUpsert(true))
	}
	for start := 0; start < len(docs); start += 1000 {
		chunk := docs[start:min(start+1000, len(docs))]
		if _, err := k.coll.InsertMany(ctx, chunk, options.InsertMany().SetOrdered(false)); err != nil {
			// A key added meanwhile: add to it instead.
			if !OnlyDuplicates(err) {
				return Wrap(err, "fill %s", k.coll.Name())
			}
			for _, d := range chunk {
				kd := d.(keysDoc)
				if err := k.Add(ctx, kd.Key, kd.IDs...); err != nil {
					return err
				}
			}
		}
	}
	size := 1000
	if k.db.FerretDB {
		// FerretDB v1.24 keeps a connection to SQLite open for each
		// update of a bulk write that finds its document until the
		// write ends, and has 100: a larger bulk write waits for ever.
		size = 50
	}
	for start := 0; start < len(models); start += size {
		if _, err := k.coll.BulkWrite(ctx, models[start:min(start+size, len(models))], options.BulkWrite().SetOrdered(false)); err != nil {
			return Wrap(err, "fill %s", k.coll.Name())
		}
	}
	return nil
}

// OnlyDuplicates reports whether every error of a bulk insert is a
// duplicate key: what was to be inserted is there.
func OnlyDuplicates(err error) bool {
	var bwe mongo.BulkWriteException
	if !errors.As(err, &bwe) || bwe.WriteConcernError != nil {
		return false
	}
	for _, we := range bwe.WriteErrors {
		if !mongo.IsDuplicateKeyError(we) {
			return false
		}
	}
	return true
}
