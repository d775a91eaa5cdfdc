package workers

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/hibiken/asynq"
)

// HandleListingIndex handles TypeListingIndex: the search index follows the
// listing, then the listing records the version indexed.
func (w *Workers) HandleListingIndex(ctx context.Context, t *asynq.Task) error {
	p, err := parseListingPayload(t)
	if err != nil {
		return err
	}
	return skipRetryWhenPointless(w.indexer.IndexListing(ctx, p.ListingID, p.Version))
}

// HandleMemberReindex handles TypeMemberReindex.
func (w *Workers) HandleMemberReindex(ctx context.Context, t *asynq.Task) error {
	var p MemberPayload
	if err := json.Unmarshal(t.Payload(), &p); err != nil || p.MemberID == "" {
		return fmt.Errorf("workers: bad %s payload %q: %w", t.Type(), t.Payload(), asynq.SkipRetry)
	}
	return skipRetryWhenPointless(w.indexer.ReindexMember(ctx, p.MemberID))
}
