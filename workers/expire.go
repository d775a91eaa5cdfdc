package workers

import (
	"context"

	"github.com/hibiken/asynq"
)

// Housekeeping task types, run by the scheduler.
const (
	TypeListingsExpire = "listings:expire"
	TypeListingsRemind = "listings:remind"
)

// HandleListingsExpire handles TypeListingsExpire.
func (w *Workers) HandleListingsExpire(ctx context.Context, _ *asynq.Task) error {
	n, err := w.service.ExpireListings(ctx)
	if n > 0 {
		w.logger.InfoContext(ctx, "expired listings", "count", n)
	}
	return err
}

// HandleListingsRemind handles TypeListingsRemind.
func (w *Workers) HandleListingsRemind(ctx context.Context, _ *asynq.Task) error {
	n, err := w.service.RemindExpiring(ctx)
	if n > 0 {
		w.logger.InfoContext(ctx, "reminded members of listings about to expire", "count", n)
	}
	return err
}
