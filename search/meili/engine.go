package meili

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/meilisearch/meilisearch-go"

	"cooptrade/marketplace"
	"cooptrade/search"
)

var _ search.Engine = (*Engine)(nil)

// Config says where Meilisearch is and how long to wait for it. Zero
// values are defaults.
type Config struct {
	// URL is Meilisearch's address, e.g. "http://localhost:7700".
	URL string
	// APIKey is the key sent with every request (the master key or an
	// admin key: the engine writes settings and documents).
	APIKey string
	// Index is the uid of the index of listings (default "listings").
	Index string
	// TaskTimeout bounds the wait for a write's task to finish (default
	// 30 s).
	TaskTimeout time.Duration
	// PollInterval is how often a task's status is asked for (default
	// 50 ms).
	PollInterval time.Duration
	// BatchSize is the most documents sent in one request (default 1,000).
	BatchSize int
	// HTTPClient sends the requests (default: one with a 10 s timeout).
	// Searches are bounded by their context as well.
	HTTPClient *http.Client
}

func (c *Config) defaults() {
	if c.Index == "" {
		c.Index = "listings"
	}
	if c.TaskTimeout <= 0 {
		c.TaskTimeout = 30 * time.Second
	}
	if c.PollInterval <= 0 {
		c.PollInterval = 50 * time.Millisecond
	}
	if c.BatchSize <= 0 {
		c.BatchSize = 1000
	}
	if c.HTTPClient == nil {
		c.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
}

// Engine is the Meilisearch engine. It is safe for concurrent use.
type Engine struct {
	cfg    Config
	client meilisearch.ServiceManager

	// writeMu is read-held by writes and held by the end of a rebuild,
	// so that no write is lost between the last batch and the swap.
	writeMu   sync.RWMutex
	rebuildMu sync.Mutex
	log       search.RebuildLog
}

// Open connects to Meilisearch, creates the index if it is missing, and
// applies Settings to it, waiting for both tasks.
func Open(ctx context.Context, cfg Config) (*Engine, error) {
	cfg.defaults()
	if cfg.URL == "" {
		return nil, marketplace.Errorf(marketplace.EINVALID, "MEILI_URL is not set.")
	}
	e := &Engine{
		cfg: cfg,
		client: meilisearch.New(strings.TrimRight(cfg.URL, "/"),
			meilisearch.WithAPIKey(cfg.APIKey),
			meilisearch.WithCustomClient(cfg.HTTPClient),
			// Writers are retried by the queue and searches by people;
			// the client's own retries would wait seconds.
			meilisearch.DisableRetries(),
		),
	}
	if err := e.prepare(ctx, cfg.Index); err != nil {
		return nil, err
	}
	return e, nil
}

// prepare creates an index (if missing) and applies the settings.
func (e *Engine) prepare(ctx context.Context, uid string) error {
	task, err := e.client.CreateIndex(ctx, &meilisearch.IndexConfig{Uid: uid, PrimaryKey: "id"})
	if err != nil {
		return translate("create index "+uid, err)
	}
	if err := e.wait(ctx, "create index "+uid, task, "index_already_exists"); err != nil {
		return err
	}
	task, err = e.client.Index(uid).UpdateSettings(ctx, Settings())
	if err != nil {
		return translate("update settings of "+uid, err)
	}
	return e.wait(ctx, "update settings of "+uid, task)
}

// wait waits for a task to finish within the task timeout. A failed task
// whose error code is one of ok is taken as done.
func (e *Engine) wait(ctx context.Context, op string, info *meilisearch.TaskInfo, ok ...string) error {
	ctx, cancel := context.WithTimeout(ctx, e.cfg.TaskTimeout)
	defer cancel()
	task, err := e.client.WaitForTask(ctx, info.TaskUID, e.cfg.PollInterval)
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("meili: %s: task %d: %w", op, info.TaskUID,
				marketplace.Errorf(marketplace.EUNAVAILABLE, "Search did not finish the change in time."))
		}
		return translate(op, err)
	}
	switch task.Status {
	case meilisearch.TaskStatusSucceeded:
		return nil
	case meilisearch.TaskStatusFailed:
		for _, code := range ok {
			if string(task.Error.Code) == code {
				return nil
			}
		}
		return taskError(op, task)
	default:
		return fmt.Errorf("meili: %s: task %d ended %s", op, task.UID, task.Status)
	}
}

// taskError describes a failed task. Failures of Meilisearch itself (type
// "system", or "internal") make search unavailable; any other is ours.
func taskError(op string, task *meilisearch.Task) error {
	detail := fmt.Sprintf("meili: %s: task %d failed: %s (code %s, type %s, %s)",
		op, task.UID, task.Error.Message, task.Error.Code, task.Error.Type, task.Error.Link)
	if task.Error.Type == "system" || task.Error.Type == "internal" {
		return fmt.Errorf("%s: %w", detail, marketplace.Errorf(marketplace.EUNAVAILABLE, "Search is unavailable right now."))
	}
	return errors.New(detail)
}

// translate turns a client error into ours: Meilisearch out of reach, too
// slow, failing (5xx), without the index or refusing the key is
// EUNAVAILABLE; any other error answer is an internal error that keeps
// Meilisearch's message, code, type and link.
func translate(op string, err error) error {
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return fmt.Errorf("meili: %s: %v: %w", op, err, unavailable())
	}
	var me *meilisearch.Error
	if !errors.As(err, &me) {
		return fmt.Errorf("meili: %s: %w", op, err)
	}
	switch me.ErrCode {
	case meilisearch.TimeoutError, meilisearch.CommunicationError, meilisearch.MaxRetriesExceeded:
		return fmt.Errorf("meili: %s: %v: %w", op, me.OriginError, unavailable())
	case meilisearch.ErrCodeResponseUnmarshalBody:
		if me.StatusCode >= 500 || me.StatusCode == 0 {
			return fmt.Errorf("meili: %s: status %d: %w", op, me.StatusCode, unavailable())
		}
	}
	api := me.APIError
	detail := fmt.Sprintf("meili: %s: status %d: %s (code %s, type %s, %s)", op, me.StatusCode, api.Message, api.Code, api.Type, api.Link)
	switch {
	case me.StatusCode >= 500, me.StatusCode == http.StatusTooManyRequests,
		me.StatusCode == http.StatusUnauthorized, me.StatusCode == http.StatusForbidden,
		api.Code == meilisearch.APIErrCode("index_not_found"):
		return fmt.Errorf("%s: %w", detail, unavailable())
	}
	return errors.New(detail)
}

func unavailable() error {
	return marketplace.Errorf(marketplace.EUNAVAILABLE, "Search is unavailable right now.")
}

// Upsert implements search.Engine: documents go in batches, and Upsert
// returns once Meilisearch has indexed them.
func (e *Engine) Upsert(ctx context.Context, docs []search.Document) error {
	e.writeMu.RLock()
	defer e.writeMu.RUnlock()
	if err := e.upsert(ctx, e.cfg.Index, docs); err != nil {
		return err
	}
	e.log.Record(docs, nil)
	return nil
}

func (e *Engine) upsert(ctx context.Context, uid string, docs []search.Document) error {
	for start := 0; start < len(docs); start += e.cfg.BatchSize {
		batch := docs[start:min(start+e.cfg.BatchSize, len(docs))]
		mds := make([]document, len(batch))
		for i := range batch {
			if batch[i].ID == "" {
				return marketplace.Errorf(marketplace.EINVALID, "A document has no ID.")
			}
			mds[i] = newDocument(&batch[i])
		}
		pk := "id"
		task, err := e.client.Index(uid).AddDocuments(ctx, mds, &meilisearch.DocumentOptions{PrimaryKey: &pk})
		if err != nil {
			return translate("add documents to "+uid, err)
		}
		if err := e.wait(ctx, "add documents to "+uid, task); err != nil {
			return err
		}
	}
	return nil
}

// Delete implements search.Engine.
func (e *Engine) Delete(ctx context.Context, ids []string) error {
	e.writeMu.RLock()
	defer e.writeMu.RUnlock()
	if err := e.delete(ctx, e.cfg.Index, ids); err != nil {
		return err
	}
	e.log.Record(nil, ids)
	return nil
}

func (e *Engine) delete(ctx context.Context, uid string, ids []string) error {
	for start := 0; start < len(ids); start += e.cfg.BatchSize {
		batch := ids[start:min(start+e.cfg.BatchSize, len(ids))]
		task, err := e.client.Index(uid).DeleteDocuments(ctx, batch, nil)
		if err != nil {
			return translate("delete documents from "+uid, err)
		}
		if err := e.wait(ctx, "delete documents from "+uid, task); err != nil {
			return err
		}
	}
	return nil
}

// Rebuild implements search.Engine: the batches go into a fresh index
// (the index's uid with "_rebuild"), which is then swapped with the live
// one; the old documents are deleted with the fresh index's old name.
func (e *Engine) Rebuild(ctx context.Context, batches iter.Seq2[[]search.Document, error]) error {
	e.rebuildMu.Lock()
	defer e.rebuildMu.Unlock()
	fresh := e.cfg.Index + "_rebuild"

	// A rebuild that died half-way left its index behind.
	if err := e.deleteIndex(ctx, fresh); err != nil {
		return err
	}
	if err := e.prepare(ctx, fresh); err != nil {
		return err
	}
	e.log.Start()
	defer e.log.Stop()
	for docs, err := range batches {
		if err != nil {
			e.deleteIndex(context.WithoutCancel(ctx), fresh)
			return fmt.Errorf("meili: rebuild: %w", err)
		}
		if err := e.upsert(ctx, fresh, docs); err != nil {
			e.deleteIndex(context.WithoutCancel(ctx), fresh)
			return err
		}
	}

	e.writeMu.Lock()
	defer e.writeMu.Unlock()
	// Writes made meanwhile win over what the batches said.
	docs, deleted := e.log.Take()
	if err := e.upsert(ctx, fresh, docs); err != nil {
		return err
	}
	if err := e.delete(ctx, fresh, deleted); err != nil {
		return err
	}
	if err := e.swap(ctx, e.cfg.Index, fresh); err != nil {
		return err
	}
	return e.deleteIndex(ctx, fresh)
}

// swap swaps two indexes. It posts the body Meilisearch has accepted
// since swap-indexes came, without the fields newer versions added.
func (e *Engine) swap(ctx context.Context, a, b string) error {
	body, _ := json.Marshal([]map[string][]string{{"indexes": {a, b}}})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(e.cfg.URL, "/")+"/swap-indexes", bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("meili: swap indexes: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	if e.cfg.APIKey != "" {
		req.Header.Set("Authorization", "Bearer "+e.cfg.APIKey)
	}
	resp, err := e.cfg.HTTPClient.Do(req)
	if err != nil {
		return fmt.Errorf("meili: swap indexes: %v: %w", err, unavailable())
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode != http.StatusAccepted {
		me := &meilisearch.Error{StatusCode: resp.StatusCode, ErrCode: meilisearch.APIError}
		if json.Unmarshal(raw, &me.APIError) != nil {
			me.ErrCode = meilisearch.ErrCodeResponseUnmarshalBody
		}
		return translate("swap indexes", me)
	}
	var info meilisearch.TaskInfo
	if err := json.Unmarshal(raw, &info); err != nil {
		return fmt.Errorf("meili: swap indexes: %w", err)
	}
	return e.wait(ctx, "swap indexes", &info)
}

func (e *Engine) deleteIndex(ctx context.Context, uid string) error {
	task, err := e.client.DeleteIndex(ctx, uid)
	if err != nil {
		return translate("delete index "+uid, err)
	}
	return e.wait(ctx, "delete index "+uid, task, "index_not_found")
}

// Ping implements search.Engine.
func (e *Engine) Ping(ctx context.Context) error {
	h, err := e.client.Health(ctx)
	if err != nil {
		return translate("health", err)
	}
	if h.Status != "available" {
		return fmt.Errorf("meili: health: status %q: %w", h.Status, unavailable())
	}
	return nil
}

// Close implements search.Engine.
func (e *Engine) Close() error {
	e.client.Close()
	return nil
}

// Drop deletes the engine's index and all it holds.
func (e *Engine) Drop(ctx context.Context) error {
	return e.deleteIndex(ctx, e.cfg.Index)
}
