package bleve

import (
	"context"
	"fmt"
	"iter"
	"os"
	"path/filepath"
	"sync"

	blevesearch "github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"

	"cooptrade/marketplace"
	"cooptrade/search"
)

// Rebuild implements search.Engine. Batches are written two at a time,
// and the new index is merged into one segment before it is swapped in.
func (e *Engine) Rebuild(ctx context.Context, batches iter.Seq2[[]search.Document, error]) error {
	e.rebuildMu.Lock()
	defer e.rebuildMu.Unlock()

	if err := e.acquire(); err != nil {
		return err
	}
	name := nextName(e.name)
	e.mu.RUnlock()

	e.log.Start()
	defer e.log.Stop()

	path := filepath.Join(e.dir, name)
	idx, err := create(path)
	if err != nil {
		return err
	}
	abandon := func(err error) error {
		idx.Close()
		os.RemoveAll(path)
		return err
	}
	tbl := newTable()
	var tblMu sync.RWMutex
	if err := fill(ctx, idx, tbl, &tblMu, batches); err != nil {
		return abandon(err)
	}
	if err := merge(ctx, idx); err != nil {
		return abandon(err)
	}

	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return abandon(marketplace.Errorf(marketplace.EUNAVAILABLE, "The search index is closed."))
	}
	// Writes made meanwhile win over what the batches said.
	docs, deleted := e.log.Take()
	if err := write(context.WithoutCancel(ctx), idx, tbl, &tblMu, docs, deleted); err != nil {
		return abandon(err)
	}
	if err := e.writeCurrent(name); err != nil {
		return abandon(err)
	}
	old, oldName := e.idx, e.name
	e.tblMu.Lock()
	e.idx, e.name, e.tbl = idx, name, tbl
	e.tblMu.Unlock()
	old.Close()
	os.RemoveAll(filepath.Join(e.dir, oldName))
	return nil
}

// fill writes the batches into a new index, two at a time so that both
// cores are kept busy.
func fill(ctx context.Context, idx blevesearch.Index, tbl *table, mu *sync.RWMutex, batches iter.Seq2[[]search.Document, error]) error {
	work := make(chan []search.Document)
	errs := make(chan error, 2)
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for docs := range work {
				if err := write(ctx, idx, tbl, mu, docs, nil); err != nil {
					errs <- err
					for range work {
					}
					return
				}
			}
		}()
	}
	var err error
	for docs, berr := range batches {
		if berr != nil {
			err = fmt.Errorf("bleve: rebuild: %w", berr)
			break
		}
		if err = ctx.Err(); err != nil {
			err = marketplace.Errorf(marketplace.EUNAVAILABLE, "The rebuild was cancelled.")
			break
		}
		select {
		case err = <-errs:
		default:
			select {
			case work <- docs:
			case err = <-errs:
			}
		}
		if err != nil {
			break
		}
	}
	close(work)
	wg.Wait()
	if err == nil {
		select {
		case err = <-errs:
		default:
		}
	}
	return err
}

// merge merges the index's segments into one: fewer segments answer
// queries faster.
func merge(ctx context.Context, idx blevesearch.Index) error {
	adv, err := idx.Advanced()
	if err != nil {
		return fmt.Errorf("bleve: merge: %w", err)
	}
	s, ok := adv.(*scorch.Scorch)
	if !ok {
		return nil
	}
	if err := s.ForceMerge(ctx, nil); err != nil {
		return fmt.Errorf("bleve: merge: %w", err)
	}
	return nil
}
