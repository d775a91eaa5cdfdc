package meili_test

import (
	"context"
	"fmt"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"cooptrade/search"
	"cooptrade/search/meili"
	"cooptrade/search/searchtest"
)

var indexSeq atomic.Int64

// TestContract runs the contract suite against a real Meilisearch when
// MEILI_URL (and MEILI_API_KEY, if it needs one) is set: each engine gets an
// index of its own, deleted afterwards.
func TestContract(t *testing.T) {
	url := os.Getenv("MEILI_URL")
	if url == "" {
		t.Skip("MEILI_URL is not set: the contract suite runs against Meilisearch only when one is reachable (the adapter's own tests above run always)")
	}
	searchtest.Run(t, func(t *testing.T) search.Engine {
		uid := fmt.Sprintf("contract_%d_%d", time.Now().UnixNano(), indexSeq.Add(1))
		e, err := meili.Open(context.Background(), meili.Config{URL: url, APIKey: os.Getenv("MEILI_API_KEY"), Index: uid})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			if err := e.Drop(context.Background()); err != nil {
				t.Errorf("drop %s: %v", uid, err)
			}
			e.Close()
		})
		return e
	})
}
