package search

import "sync"

// RebuildLog keeps the writes an engine makes while a rebuild runs. The
// rebuild's batches were read before those writes and would undo them, so
// the engine applies what the log holds to the fresh index before it swaps
// it in. The zero value records nothing until Start; it is safe for
// concurrent use.
type RebuildLog struct {
	mu      sync.Mutex
	pending map[string]*Document // by ID, the last write of each; nil: deleted
}

// Start begins recording, for a rebuild about to read its batches.
func (l *RebuildLog) Start() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.pending = map[string]*Document{}
}

// Stop stops recording and forgets what was recorded: for a rebuild that
// ends without taking it.
func (l *RebuildLog) Stop() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.pending = nil
}

// Record notes documents written and IDs deleted, when a rebuild runs.
func (l *RebuildLog) Record(docs []Document, deleted []string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.pending == nil {
		return
	}
	for i := range docs {
		d := docs[i]
		l.pending[d.ID] = &d
	}
	for _, id := range deleted {
		l.pending[id] = nil
	}
}

// Take stops recording and returns what was written meanwhile: the last
// version of each document written and the IDs last deleted, in no order.
func (l *RebuildLog) Take() (docs []Document, deleted []string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for id, d := range l.pending {
		if d == nil {
			deleted = append(deleted, id)
		} else {
			docs = append(docs, *d)
		}
	}
	l.pending = nil
	return docs, deleted
}
