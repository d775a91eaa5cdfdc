package workers

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/hibiken/asynq"

	"cooptrade/marketplace"
)

// TypeMatchNotify is the task that tells both sides of a new match.
const TypeMatchNotify = "match:notify"

var _ marketplace.MatchQueue = (*Queue)(nil)

// MatchPayload names a match.
type MatchPayload struct {
	MatchID string `json:"match_id"`
}

// NewMatchNotifyTask returns the task that tells both sides of a new match,
// unique per match while it waits.
func NewMatchNotifyTask(matchID string) (*asynq.Task, error) {
	payload, err := json.Marshal(MatchPayload{MatchID: matchID})
	if err != nil {
		return nil, err
	}
	return asynq.NewTask(TypeMatchNotify, payload, asynq.TaskID(TypeMatchNotify+":"+matchID),
		asynq.Queue(QueueDefault), asynq.MaxRetry(10), asynq.Timeout(2*time.Minute)), nil
}

// EnqueueMatchCreated implements marketplace.MatchQueue.
func (q *Queue) EnqueueMatchCreated(ctx context.Context, matchID string) error {
	t, err := NewMatchNotifyTask(matchID)
	if err != nil {
		return err
	}
	return q.Enqueue(ctx, t)
}

// HandleListingMatch handles TypeListingMatch.
func (w *Workers) HandleListingMatch(ctx context.Context, t *asynq.Task) error {
	p, err := parseListingPayload(t)
	if err != nil {
		return err
	}
	return skipRetryWhenPointless(w.service.MatchListing(ctx, p.ListingID, p.Version))
}

// HandleMatchNotify handles TypeMatchNotify.
func (w *Workers) HandleMatchNotify(ctx context.Context, t *asynq.Task) error {
	var p MatchPayload
	if err := json.Unmarshal(t.Payload(), &p); err != nil || p.MatchID == "" {
		return fmt.Errorf("workers: bad %s payload %q: %w", t.Type(), t.Payload(), asynq.SkipRetry)
	}
	return skipRetryWhenPointless(w.service.NotifyMatch(ctx, p.MatchID))
}
