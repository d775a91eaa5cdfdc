package workers

import (
	"context"
	"time"

	"github.com/hibiken/asynq"

	"cooptrade/marketplace"
)

// Task types of saved searches.
const (
	// TypeListingAlerts evaluates the saved searches against a new version
	// of a listing; enqueued with listing:index and listing:match.
	TypeListingAlerts = "listing:alerts"
	// TypeAlertsDigestDaily and TypeAlertsDigestWeekly send the digests.
	TypeAlertsDigestDaily  = "alerts:digest:daily"
	TypeAlertsDigestWeekly = "alerts:digest:weekly"
	// TypeAlertsCatchUp evaluates the listings published lately, once at
	// start, in case their evaluation was lost with the queue.
	TypeAlertsCatchUp = "alerts:catchup"
)

// NewListingAlertsTask returns the task that evaluates the saved searches
// against a version of a listing, unique per listing and version.
func NewListingAlertsTask(listingID string, version int64) (*asynq.Task, error) {
	return newListingTask(TypeListingAlerts, listingID, version)
}

// NewAlertsCatchUpTask returns the task that evaluates the listings
// published in the last marketplace.AlertCatchUpWindow against the saved
// searches.
func NewAlertsCatchUpTask() *asynq.Task {
	return asynq.NewTask(TypeAlertsCatchUp, nil, asynq.Queue(QueueLow), asynq.MaxRetry(5),
		asynq.Timeout(10*time.Minute), asynq.Unique(time.Minute))
}

// HandleListingAlerts handles TypeListingAlerts.
func (w *Workers) HandleListingAlerts(ctx context.Context, t *asynq.Task) error {
	p, err := parseListingPayload(t)
	if err != nil {
		return err
	}
	return skipRetryWhenPointless(w.alerts.EvaluateListing(ctx, p.ListingID, p.Version))
}

// HandleAlertsDigestDaily handles TypeAlertsDigestDaily.
func (w *Workers) HandleAlertsDigestDaily(ctx context.Context, _ *asynq.Task) error {
	return w.sendDigests(ctx, marketplace.AlertDaily)
}

// HandleAlertsDigestWeekly handles TypeAlertsDigestWeekly.
func (w *Workers) HandleAlertsDigestWeekly(ctx context.Context, _ *asynq.Task) error {
	return w.sendDigests(ctx, marketplace.AlertWeekly)
}

func (w *Workers) sendDigests(ctx context.Context, f marketplace.AlertFrequency) error {
	n, err := w.alerts.SendDigests(ctx, f)
	if n > 0 {
		w.logger.InfoContext(ctx, "sent alert digests", "frequency", f, "alerts", n)
	}
	return err
}

// HandleAlertsCatchUp handles TypeAlertsCatchUp.
func (w *Workers) HandleAlertsCatchUp(ctx context.Context, _ *asynq.Task) error {
	n, err := w.alerts.CatchUp(ctx, w.cfg.Now().Add(-marketplace.AlertCatchUpWindow))
	if n > 0 {
		w.logger.InfoContext(ctx, "saved searches caught up with recent listings", "hits", n)
	}
	return err
}
