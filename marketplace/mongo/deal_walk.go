package mongo

import (
	"context"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/bson"

	"cooptrade/marketplace"
	"cooptrade/mongodb"
)

// DealsWalkTTL is how long the deals WalkDeals read are kept for the
// staff's figures, as the metrics keep the figures that cost a scan: on
// FerretDB a walk reads and decodes the whole collection, so a page of
// figures asked for again (another period, a CSV download) reuses it.
// Writes through the store forget it at once; on MongoDB, which other
// processes write too, the figures may lag the others' writes by as much.
const DealsWalkTTL = 15 * time.Second

// dealsWalked keeps the last walk of the deals.
type dealsWalked struct {
	mu    sync.Mutex
	deals []*marketplace.Deal
	at    time.Time
	// writes counts the writes through the store: a walk that a write
	// overlapped is not kept.
	writes uint64
}

// WalkDeals implements marketplace.DealStore: one pass over the
// collection, for the staff's figures, or over the deals the last pass
// read, for DealsWalkTTL unless a write came since. fn gets a copy of
// each deal.
func (s *DealStore) WalkDeals(ctx context.Context, fn func(*marketplace.Deal) error) error {
	deals, err := s.allDeals(ctx)
	if err != nil {
		return err
	}
	for _, d := range deals {
		c := *d
		if err := fn(&c); err != nil {
			return err
		}
	}
	return nil
}

func (s *DealStore) allDeals(ctx context.Context) ([]*marketplace.Deal, error) {
	w := s.walked
	w.mu.Lock()
	if w.deals != nil && s.now().Sub(w.at) < DealsWalkTTL {
		deals := w.deals
		w.mu.Unlock()
		return deals, nil
	}
	ticket := w.writes
	w.mu.Unlock()
	all := []*marketplace.Deal{}
	err := mongodb.Walk(ctx, s.coll, bson.D{}, "deals", func(d *dealDoc) error {
		all = append(all, d.deal())
		return nil
	})
	if err != nil {
		return nil, err
	}
	w.mu.Lock()
	if w.writes == ticket {
		w.deals, w.at = all, s.now()
	}
	w.mu.Unlock()
	return all, nil
}

// forgetWalked drops the kept walk, after a write to a deal.
func (s *DealStore) forgetWalked() {
	s.walked.mu.Lock()
	s.walked.writes++
	s.walked.deals = nil
	s.walked.mu.Unlock()
}
