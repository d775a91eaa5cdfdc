package mongodb

import (
	"container/list"
	"context"
	"sync"

	"go.mongodb.org/mongo-driver/mongo"
)

// Cache keeps documents read by _id in memory, on the embedded database
// only (DB.Cached): there one process reads and writes the database, so a
// write made here can forget what it changed and nothing else writes. A
// read of a listing and its member then costs no query at all, instead of
// two round trips through FerretDB. On MongoDB, which other processes
// write, every read goes to the database.
//
// A read that overlaps a write of the same document does not fill the
// cache: Begin takes a ticket before the read, and Put keeps the document
// only if it was not forgotten since. Writes of other documents do not
// stop it: while the workers work through a backlog they write all the
// time, and a rule of "no write anywhere since" would leave every
// document they touched uncached, read from the database by every request.
type Cache[V any] struct {
	mu      sync.Mutex
	max     int
	entries map[string]*list.Element
	order   *list.List // most recently used first
	writes  uint64
	// forgotten holds, for each document forgotten since the ticket low,
	// the ticket of its last Forget; it is emptied when it grows past
	// maxForgotten, and low moves up, refusing older reads.
	forgotten map[string]uint64
	low       uint64
}

// maxForgotten bounds the forgotten documents a cache remembers; a read
// that began before the last time they were cleared keeps nothing.
const maxForgotten = 4096

type cacheEntry[V any] struct {
	id string
	v  V
}

// NewCache returns a cache of at most max documents, or nil when db is not
// the embedded database; a nil cache holds nothing.
func NewCache[V any](db *DB, max int) *Cache[V] {
	if !db.Cached() {
		return nil
	}
	return &Cache[V]{max: max, entries: map[string]*list.Element{}, order: list.New(), forgotten: map[string]uint64{}}
}

// Cached reports whether the stores on db may keep what they read in
// memory: on the embedded database, which this process alone writes.
func (db *DB) Cached() bool { return db.embedded != nil }

// Get returns the document with the ID, if the cache holds it.
func (c *Cache[V]) Get(id string) (V, bool) {
	var zero V
	if c == nil {
		return zero, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[id]
	if !ok {
		return zero, false
	}
	c.order.MoveToFront(e)
	return e.Value.(*cacheEntry[V]).v, true
}

// Begin returns the ticket of a read about to be made.
func (c *Cache[V]) Begin() uint64 {
	if c == nil {
		return 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.writes
}

// Put keeps a document read with the ticket, unless a write of it came
// between.
func (c *Cache[V]) Put(id string, v V, ticket uint64) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if ticket < c.low || c.forgotten[id] > ticket {
		return
	}
	if e, ok := c.entries[id]; ok {
		e.Value.(*cacheEntry[V]).v = v
		c.order.MoveToFront(e)
		return
	}
	c.entries[id] = c.order.PushFront(&cacheEntry[V]{id: id, v: v})
	for c.order.Len() > c.max {
		last := c.order.Back()
		delete(c.entries, last.Value.(*cacheEntry[V]).id)
		c.order.Remove(last)
	}
}

// Forget drops the documents with the IDs. A write of them calls it before
// and again after writing, so that a read that began before the write and
// ended after it keeps nothing.
func (c *Cache[V]) Forget(ids ...string) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.writes++
	if len(c.forgotten)+len(ids) > maxForgotten {
		clear(c.forgotten)
		c.low = c.writes
	}
	for _, id := range ids {
		c.forgotten[id] = c.writes
		if e, ok := c.entries[id]; ok {
			delete(c.entries, id)
			c.order.Remove(e)
		}
	}
}

// FindByIDsCached is FindByIDs through a cache keyed by the documents'
// string IDs (idOf): the documents it holds are not read, those read are
// kept.
func FindByIDsCached[D any](ctx context.Context, db *DB, coll *mongo.Collection, cache *Cache[D], ids []string, what string, idOf func(*D) string, fn func(*D)) error {
	var missing []string
	for _, id := range ids {
		if d, ok := cache.Get(id); ok {
			fn(&d)
		} else {
			missing = append(missing, id)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	ticket := cache.Begin()
	return FindByIDs(ctx, db, coll, missing, what, func(d *D) {
		cache.Put(idOf(d), *d, ticket)
		fn(d)
	})
}
