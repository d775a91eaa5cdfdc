package workers

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"cooptrade/marketplace"
	"cooptrade/marketplace/matching"
)

var _ marketplace.CandidatePool = (*SharedPool)(nil)

// poolStream is the Redis stream through which worker processes tell each
// other of every candidate put in the pool.
const poolStream = "marketplace:candidates"

// poolStreamLength is about how many puts the stream keeps. A process that
// falls further behind than that reloads the pool from storage.
const poolStreamLength = 200_000

// SharedPool is the candidate pool of all worker processes. Each process
// keeps the open listings in memory (a matching.CandidateIndex), so that
// finding a listing's counterparts costs microseconds; the processes keep
// each other's copies current through a Redis stream: Put appends to the
// stream, and every Put or Counterparts first applies what others appended.
// Because Redis orders the stream, of two listings put at once by two
// processes, the second to be appended sees the first.
type SharedPool struct {
	rdb  redis.UniversalClient
	load func(ctx context.Context) ([]matching.Candidate, error)

	mu     sync.Mutex // serialises loading and catching up
	index  *matching.CandidateIndex
	cursor string // ID of the last stream entry applied; "" before loading
}

// NewSharedPool returns a pool on the Redis client; load reads the open
// listings from storage, the first time the pool is used and whenever the
// process fell too far behind.
func NewSharedPool(rdb redis.UniversalClient, load func(ctx context.Context) ([]matching.Candidate, error)) *SharedPool {
	return &SharedPool{rdb: rdb, load: load}
}

// candidateEntry is a candidate as the stream carries it: what scoring
// needs, with the description already reduced to its words.
type candidateEntry struct {
	Listing marketplace.Listing `json:"l"`
	// Lat and Lon travel apart: the listing's JSON leaves them out.
	Lat    float64  `json:"lat"`
	Lon    float64  `json:"lon"`
	Listed bool     `json:"ok"`
	Words  []string `json:"w"`
}

// Put implements marketplace.CandidatePool.
func (p *SharedPool) Put(ctx context.Context, l *marketplace.Listing, listed bool) error {
	c := matching.NewCandidate(l, listed)
	if err := p.ensureLoaded(ctx); err != nil {
		return err
	}
	e := candidateEntry{Listing: *c.Listing, Lat: c.Listing.Lat, Lon: c.Listing.Lon, Listed: c.Listed}
	e.Listing.Description = ""
	for w := range c.Words {
		e.Words = append(e.Words, w)
	}
	data, err := json.Marshal(e)
	if err != nil {
		return err
	}
	if err := p.rdb.XAdd(ctx, &redis.XAddArgs{
		Stream: poolStream, MaxLen: poolStreamLength, Approx: true, Values: []any{"c", data},
	}).Err(); err != nil {
		return unavailable("add to the candidate pool", err)
	}
	return p.catchUp(ctx)
}

// BestMatches implements marketplace.CandidatePool.
func (p *SharedPool) BestMatches(ctx context.Context, l *marketplace.Listing, listed bool, now time.Time, limit int) ([]*marketplace.Match, error) {
	c := matching.NewCandidate(l, listed)
	if err := p.ensureLoaded(ctx); err != nil {
		return nil, err
	}
	if err := p.catchUp(ctx); err != nil {
		return nil, err
	}
	return p.index.BestMatches(c, now, limit), nil
}

// Counterparts returns the candidates that may match a listing, as this
// process knows them after catching up.
func (p *SharedPool) Counterparts(ctx context.Context, l *marketplace.Listing) ([]matching.Candidate, error) {
	if err := p.ensureLoaded(ctx); err != nil {
		return nil, err
	}
	if err := p.catchUp(ctx); err != nil {
		return nil, err
	}
	return p.index.Counterparts(l), nil
}

// Len returns how many candidates this process holds.
func (p *SharedPool) Len() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.index == nil {
		return 0
	}
	return p.index.Len()
}

// ensureLoaded fills the index the first time: from storage, then every
// put the stream still holds, oldest first. Replaying puts older than
// storage changes nothing (the index ignores older versions); puts made
// while storage was read are not lost.
func (p *SharedPool) ensureLoaded(ctx context.Context) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.index != nil {
		return nil
	}
	return p.reload(ctx)
}

func (p *SharedPool) reload(ctx context.Context) error {
	candidates, err := p.load(ctx)
	if err != nil {
		return err
	}
	index := matching.NewCandidateIndex()
	for _, c := range candidates {
		index.Put(c)
	}
	p.index, p.cursor = index, "0-0"
	return p.catchUpLocked(ctx)
}

// catchUp applies the entries appended since the last one applied.
func (p *SharedPool) catchUp(ctx context.Context) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.catchUpLocked(ctx)
}

func (p *SharedPool) catchUpLocked(ctx context.Context) error {
	for {
		res, err := p.rdb.XRead(ctx, &redis.XReadArgs{Streams: []string{poolStream, p.cursor}, Count: 1000, Block: -1}).Result()
		if err == redis.Nil {
			return nil
		} else if err != nil {
			return unavailable("read the candidate pool", err)
		}
		if len(res) == 0 || len(res[0].Messages) == 0 {
			return nil
		}
		msgs := res[0].Messages
		if p.cursor != "0-0" && p.trimmedPast(ctx) {
			// Entries this process never saw were trimmed away.
			return p.reload(ctx)
		}
		for _, m := range msgs {
			raw, _ := m.Values["c"].(string)
			var e candidateEntry
			if err := json.Unmarshal([]byte(raw), &e); err != nil {
				return fmt.Errorf("workers: candidate pool entry %s: %w", m.ID, err)
			}
			l := e.Listing
			l.Lat, l.Lon = e.Lat, e.Lon
			p.index.Put(matching.NewCandidateWithWords(&l, e.Listed, e.Words))
			p.cursor = m.ID
		}
		if len(msgs) < 1000 {
			return nil
		}
	}
}

// trimmedPast reports whether entries this process has not applied may
// have been trimmed away: the stream is at its length limit and its first
// entry is newer than the cursor.
func (p *SharedPool) trimmedPast(ctx context.Context) bool {
	n, err := p.rdb.XLen(ctx, poolStream).Result()
	if err != nil || n < poolStreamLength*9/10 {
		return false
	}
	first, err := p.rdb.XRangeN(ctx, poolStream, "-", "+", 1).Result()
	if err != nil || len(first) == 0 {
		return false
	}
	return streamIDLess(p.cursor, first[0].ID)
}

// streamIDLess compares two stream IDs ("ms-seq").
func streamIDLess(a, b string) bool {
	var am, as, bm, bs uint64
	_, _ = fmt.Sscanf(a, "%d-%d", &am, &as)
	_, _ = fmt.Sscanf(b, "%d-%d", &bm, &bs)
	return am < bm || (am == bm && as < bs)
}

func unavailable(what string, err error) error {
	return fmt.Errorf("workers: %s: %w", what, marketplace.Errorf(marketplace.EUNAVAILABLE, "The job queue's Redis is not reachable: %v", err))
}
