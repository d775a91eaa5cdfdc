package workers

import (
	"context"
	"errors"
	"fmt"

	"github.com/hibiken/asynq"

	"cooptrade/marketplace"
)

var (
	_ marketplace.ListingQueue = (*Queue)(nil)
	_ marketplace.MemberQueue  = (*Queue)(nil)
	_ marketplace.ExportQueue  = (*Queue)(nil)
)

// Queue enqueues the marketplace's work on asynq.
type Queue struct {
	client *asynq.Client
}

// NewQueue returns a queue on the Redis at opt.
func NewQueue(opt asynq.RedisConnOpt) *Queue {
	return &Queue{client: asynq.NewClient(opt)}
}

// Close closes the connection to Redis.
func (q *Queue) Close() error { return q.client.Close() }

// Ping checks that Redis answers.
func (q *Queue) Ping(ctx context.Context) error {
	if err := q.client.Ping(); err != nil {
		return marketplace.Errorf(marketplace.EUNAVAILABLE, "The job queue is not reachable.")
	}
	return nil
}

// Enqueue adds a task. A task whose ID is already waiting is not an error:
// the work is already queued.
func (q *Queue) Enqueue(ctx context.Context, t *asynq.Task, opts ...asynq.Option) error {
	_, err := q.client.EnqueueContext(ctx, t, opts...)
	if err != nil && !errors.Is(err, asynq.ErrTaskIDConflict) && !errors.Is(err, asynq.ErrDuplicateTask) {
		return fmt.Errorf("workers: enqueue %s: %w", t.Type(), err)
	}
	return nil
}

// EnqueueListingChanged implements marketplace.ListingQueue: it enqueues the
// indexing and the matching of the new version, and the evaluation of the
// saved searches against it.
func (q *Queue) EnqueueListingChanged(ctx context.Context, id string, version int64) error {
	return q.enqueueListing(ctx, marketplace.ListingRef{ID: id, Version: version, NeedsIndex: true, NeedsMatches: true})
}

func (q *Queue) enqueueListing(ctx context.Context, ref marketplace.ListingRef) error {
	var errs []error
	if ref.NeedsIndex {
		t, err := NewListingIndexTask(ref.ID, ref.Version)
		if err == nil {
			err = q.Enqueue(ctx, t)
		}
		errs = append(errs, err)
	}
	if ref.NeedsMatches {
		t, err := NewListingMatchTask(ref.ID, ref.Version)
		if err == nil {
			err = q.Enqueue(ctx, t)
		}
		errs = append(errs, err)
		// Saved searches look at each version that matching looks at.
		t, err = NewListingAlertsTask(ref.ID, ref.Version)
		if err == nil {
			err = q.Enqueue(ctx, t)
		}
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// EnqueueExport implements marketplace.ExportQueue.
func (q *Queue) EnqueueExport(ctx context.Context, hash string) error {
	t, err := NewExportBuildTask(hash)
	if err != nil {
		return err
	}
	return q.Enqueue(ctx, t)
}

// EnqueueMemberChanged implements marketplace.MemberQueue.
func (q *Queue) EnqueueMemberChanged(ctx context.Context, memberID string, version int64) error {
	t, err := NewMemberReindexTask(memberID, version)
	if err != nil {
		return err
	}
	return q.Enqueue(ctx, t)
}
