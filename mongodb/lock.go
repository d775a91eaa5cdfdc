package mongodb

import (
	"hash/fnv"
	"slices"
	"sync"
)

// Lock serialises the updates of one document when the server is FerretDB,
// whose updates read the document and write it back whole. It returns the
// function that releases it. The locks hold within this process: on the
// embedded database, one process serves.
func (db *DB) Lock(collection, id string) func() {
	if !db.FerretDB {
		return func() {}
	}
	return db.locks.lock(collection + "/" + id)
}

// LockMany locks the documents of one collection, as Lock does one.
func (db *DB) LockMany(collection string, ids []string) func() {
	if !db.FerretDB {
		return func() {}
	}
	keys := make([]string, len(ids))
	for i, id := range ids {
		keys[i] = collection + "/" + id
	}
	return db.locks.lockMany(keys)
}

// docLocks is a set of striped mutexes: two documents may share a stripe,
// which only costs a little waiting.
type docLocks struct {
	stripes [64]sync.Mutex
}

func stripe(key string) int {
	h := fnv.New32a()
	_, _ = h.Write([]byte(key))
	return int(h.Sum32() % 64)
}

func (l *docLocks) lock(key string) func() {
	m := &l.stripes[stripe(key)]
	m.Lock()
	return m.Unlock
}

// lockMany locks the stripes of many keys, in ascending order so that two
// callers never wait for each other, and returns the function that unlocks
// them. (Every other caller holds one stripe at a time.)
func (l *docLocks) lockMany(keys []string) func() {
	idx := make([]int, 0, len(keys))
	for _, k := range keys {
		idx = append(idx, stripe(k))
	}
	slices.Sort(idx)
	idx = slices.Compact(idx)
	for _, i := range idx {
		l.stripes[i].Lock()
	}
	return func() {
		for _, i := range idx {
			l.stripes[i].Unlock()
		}
	}
}
