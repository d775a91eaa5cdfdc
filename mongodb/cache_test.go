package mongodb

import (
	"container/list"
	"fmt"
	"testing"
)

func newTestCache(max int) *Cache[string] {
	return &Cache[string]{max: max, entries: map[string]*list.Element{}, order: list.New(), forgotten: map[string]uint64{}}
}

// While the workers write other documents all the time, a read of one
// they leave alone must still be kept: otherwise every request during a
// backlog reads the database.
func TestCacheKeepsAReadOverlappingOtherWrites(t *testing.T) {
	c := newTestCache(10)
	ticket := c.Begin()
	c.Forget("other")
	c.Put("a", "A", ticket)
	if v, ok := c.Get("a"); !ok || v != "A" {
		t.Fatalf("a read overlapping a write of another document was not kept: %q %v", v, ok)
	}
}

func TestCacheRefusesAReadOverlappingItsOwnWrite(t *testing.T) {
	c := newTestCache(10)
	c.Forget("a") // an earlier write does not matter
	ticket := c.Begin()
	c.Forget("a")
	c.Put("a", "stale", ticket)
	if v, ok := c.Get("a"); ok {
		t.Fatalf("a read that began before a write of the document was kept: %q", v)
	}
	// A read after the write is kept.
	c.Put("a", "fresh", c.Begin())
	if v, ok := c.Get("a"); !ok || v != "fresh" {
		t.Fatalf("a read after the write was not kept: %q %v", v, ok)
	}
}

// When the cache stops remembering what it forgot, reads that began
// before are refused rather than trusted.
func TestCacheRefusesOldReadsOnceItForgetsWhatItForgot(t *testing.T) {
	c := newTestCache(10)
	ticket := c.Begin()
	c.Forget("a")
	for i := range maxForgotten + 1 {
		c.Forget(fmt.Sprint("x", i))
	}
	if len(c.forgotten) > maxForgotten {
		t.Fatalf("the cache remembers %d forgotten documents, more than %d", len(c.forgotten), maxForgotten)
	}
	c.Put("a", "stale", ticket)
	if _, ok := c.Get("a"); ok {
		t.Fatal("a read older than what the cache remembers was kept")
	}
	c.Put("a", "fresh", c.Begin())
	if _, ok := c.Get("a"); !ok {
		t.Fatal("a read after the cache cleared was not kept")
	}
}
