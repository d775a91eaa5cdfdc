package bleve

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	blevesearch "github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"

	"cooptrade/marketplace"
	"cooptrade/search"
)

var _ search.Engine = (*Engine)(nil)

// currentFile names the index directory in use, so that a rebuild swaps
// indexes by renaming one small file.
const currentFile = "CURRENT"

// Engine is the embedded search engine. It is safe for concurrent use.
type Engine struct {
	dir string

	mu     sync.RWMutex // guards idx and name; held for reading by searches
	idx    blevesearch.Index
	name   string
	closed bool

	// rebuildMu serialises rebuilds; while one runs, writes are recorded
	// in pending so that they are applied to the new index as well.
	rebuildMu sync.Mutex
	pendingMu sync.Mutex
	pending   map[string]*search.Document // nil doc: deleted
	building  bool
}

// Open opens the index under dir, creating dir and an empty index when
// there is none.
func Open(dir string) (*Engine, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("bleve: open: %w", err)
	}
	e := &Engine{dir: dir}
	name, err := e.readCurrent()
	if err != nil {
		return nil, err
	}
	if name != "" {
		idx, err := blevesearch.Open(filepath.Join(dir, name))
		if err == nil {
			e.idx, e.name = idx, name
			return e, nil
		}
		// An index that cannot be opened is rebuilt by the caller
		// (marketplace reindex); start from an empty one meanwhile.
	}
	name = nextName(name)
	idx, err := create(filepath.Join(dir, name))
	if err != nil {
		return nil, err
	}
	if err := e.writeCurrent(name); err != nil {
		idx.Close()
		return nil, err
	}
	e.idx, e.name = idx, name
	return e, nil
}

func create(path string) (blevesearch.Index, error) {
	if err := os.RemoveAll(path); err != nil {
		return nil, fmt.Errorf("bleve: create: %w", err)
	}
	idx, err := blevesearch.NewUsing(path, newMapping(), scorch.Name, scorch.Name, nil)
	if err != nil {
		return nil, fmt.Errorf("bleve: create: %w", err)
	}
	return idx, nil
}

func (e *Engine) readCurrent() (string, error) {
	b, err := os.ReadFile(filepath.Join(e.dir, currentFile))
	if errors.Is(err, os.ErrNotExist) {
		return "", nil
	} else if err != nil {
		return "", fmt.Errorf("bleve: open: %w", err)
	}
	return strings.TrimSpace(string(b)), nil
}

func (e *Engine) writeCurrent(name string) error {
	tmp := filepath.Join(e.dir, currentFile+".tmp")
	if err := os.WriteFile(tmp, []byte(name+"\n"), 0o644); err != nil {
		return fmt.Errorf("bleve: write %s: %w", currentFile, err)
	}
	if err := os.Rename(tmp, filepath.Join(e.dir, currentFile)); err != nil {
		return fmt.Errorf("bleve: write %s: %w", currentFile, err)
	}
	return nil
}

// nextName returns the directory name after name: index-000001, -000002…
func nextName(name string) string {
	n, _ := strconv.Atoi(strings.TrimPrefix(name, "index-"))
	return fmt.Sprintf("index-%06d", n+1)
}

// index returns the current index with the read lock held; the caller
// calls e.mu.RUnlock when done with it.
func (e *Engine) index() (blevesearch.Index, error) {
	e.mu.RLock()
	if e.closed {
		e.mu.RUnlock()
		return nil, marketplace.Errorf(marketplace.EUNAVAILABLE, "The search index is closed.")
	}
	return e.idx, nil
}

// Upsert implements search.Engine.
func (e *Engine) Upsert(ctx context.Context, docs []search.Document) error {
	if len(docs) == 0 {
		return nil
	}
	idx, err := e.index()
	if err != nil {
		return err
	}
	defer e.mu.RUnlock()
	if err := writeBatch(ctx, idx, docs, nil); err != nil {
		return err
	}
	e.record(docs, nil)
	return nil
}

// Delete implements search.Engine.
func (e *Engine) Delete(ctx context.Context, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	idx, err := e.index()
	if err != nil {
		return err
	}
	defer e.mu.RUnlock()
	if err := writeBatch(ctx, idx, nil, ids); err != nil {
		return err
	}
	e.record(nil, ids)
	return nil
}

// record remembers writes made while a rebuild runs.
func (e *Engine) record(docs []search.Document, deleted []string) {
	e.pendingMu.Lock()
	defer e.pendingMu.Unlock()
	if !e.building {
		return
	}
	for i := range docs {
		d := docs[i]
		e.pending[d.ID] = &d
	}
	for _, id := range deleted {
		e.pending[id] = nil
	}
}

func writeBatch(ctx context.Context, idx blevesearch.Index, docs []search.Document, deleted []string) error {
	if err := ctx.Err(); err != nil {
		return marketplace.Errorf(marketplace.EUNAVAILABLE, "The search index did not answer in time.")
	}
	b := idx.NewBatch()
	for i := range docs {
		if docs[i].ID == "" {
			return marketplace.Errorf(marketplace.EINVALID, "A document has no ID.")
		}
		doc, err := indexDoc(&docs[i])
		if err != nil {
			return fmt.Errorf("bleve: index %s: %w", docs[i].ID, err)
		}
		if err := b.Index(docs[i].ID, doc); err != nil {
			return fmt.Errorf("bleve: index %s: %w", docs[i].ID, err)
		}
	}
	for _, id := range deleted {
		b.Delete(id)
	}
	if err := idx.Batch(b); err != nil {
		return fmt.Errorf("bleve: write batch: %w", err)
	}
	return nil
}

// Rebuild implements search.Engine. Batches are written two at a time.
func (e *Engine) Rebuild(ctx context.Context, batches iter.Seq2[[]search.Document, error]) error {
	e.rebuildMu.Lock()
	defer e.rebuildMu.Unlock()

	e.mu.RLock()
	if e.closed {
		e.mu.RUnlock()
		return marketplace.Errorf(marketplace.EUNAVAILABLE, "The search index is closed.")
	}
	name := nextName(e.name)
	e.mu.RUnlock()

	e.pendingMu.Lock()
	e.building, e.pending = true, map[string]*search.Document{}
	e.pendingMu.Unlock()
	defer func() {
		e.pendingMu.Lock()
		e.building, e.pending = false, nil
		e.pendingMu.Unlock()
	}()

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
	if err := fill(ctx, idx, batches); err != nil {
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
	e.pendingMu.Lock()
	var docs []search.Document
	var deleted []string
	for id, d := range e.pending {
		if d == nil {
			deleted = append(deleted, id)
		} else {
			docs = append(docs, *d)
		}
	}
	e.building, e.pending = false, nil
	e.pendingMu.Unlock()
	if err := writeBatch(context.WithoutCancel(ctx), idx, docs, deleted); err != nil {
		return abandon(err)
	}
	if err := e.writeCurrent(name); err != nil {
		return abandon(err)
	}
	old, oldName := e.idx, e.name
	e.idx, e.name = idx, name
	old.Close()
	os.RemoveAll(filepath.Join(e.dir, oldName))
	return nil
}

// fill writes the batches into idx, two at a time: analysis and segment
// building then keep both cores busy.
func fill(ctx context.Context, idx blevesearch.Index, batches iter.Seq2[[]search.Document, error]) error {
	work := make(chan []search.Document)
	errs := make(chan error, 2)
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for docs := range work {
				if err := writeBatch(ctx, idx, docs, nil); err != nil {
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

// Ping implements search.Engine.
func (e *Engine) Ping(ctx context.Context) error {
	idx, err := e.index()
	if err != nil {
		return err
	}
	defer e.mu.RUnlock()
	if _, err := idx.DocCount(); err != nil {
		return marketplace.Errorf(marketplace.EUNAVAILABLE, "The search index cannot be read.")
	}
	return nil
}

// Count returns how many documents the index holds.
func (e *Engine) Count() (int, error) {
	idx, err := e.index()
	if err != nil {
		return 0, err
	}
	defer e.mu.RUnlock()
	n, err := idx.DocCount()
	if err != nil {
		return 0, fmt.Errorf("bleve: count: %w", err)
	}
	return int(n), nil
}

// Close implements search.Engine. It waits for searches in flight.
func (e *Engine) Close() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return nil
	}
	e.closed = true
	if err := e.idx.Close(); err != nil {
		return fmt.Errorf("bleve: close: %w", err)
	}
	return nil
}
