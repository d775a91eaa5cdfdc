package workers

import (
	"context"
	"fmt"
	"time"

	"github.com/hibiken/asynq"

	"cooptrade/marketplace"
)

// Job is a unit of work that another part of the service (payments, say)
// defines without knowing the queue: a type, a payload, and how to queue it.
type Job struct {
	Type    string
	Payload []byte
	// Queue is QueueCritical, QueueDefault (the default) or QueueLow.
	Queue string
	// ID makes the job unique while it waits: a second job with the same
	// ID is dropped. Empty: no such check.
	ID string
	// MaxRetry is how often a failed job is retried (default 10).
	MaxRetry int
	// Timeout bounds one run (default one minute).
	Timeout time.Duration
	// ProcessIn delays the job.
	ProcessIn time.Duration
}

// JobFunc handles a job's payload. An error with the code EINVALID or
// ENOTFOUND is not retried: running the job again would not help.
type JobFunc func(ctx context.Context, payload []byte) error

// EnqueueJob queues a job.
func (q *Queue) EnqueueJob(ctx context.Context, j Job) error {
	opts := []asynq.Option{asynq.Queue(QueueDefault), asynq.MaxRetry(10), asynq.Timeout(time.Minute)}
	if j.Queue != "" {
		opts = append(opts, asynq.Queue(j.Queue))
	}
	if j.ID != "" {
		opts = append(opts, asynq.TaskID(j.ID))
	}
	if j.MaxRetry > 0 {
		opts = append(opts, asynq.MaxRetry(j.MaxRetry))
	}
	if j.Timeout > 0 {
		opts = append(opts, asynq.Timeout(j.Timeout))
	}
	if j.ProcessIn > 0 {
		opts = append(opts, asynq.ProcessIn(j.ProcessIn))
	}
	return q.Enqueue(ctx, asynq.NewTask(j.Type, j.Payload), opts...)
}

// HandleJob registers the handler of a job type.
func (w *Workers) HandleJob(jobType string, fn JobFunc) {
	w.metrics.known(jobType)
	w.mux.HandleFunc(jobType, func(ctx context.Context, t *asynq.Task) error {
		return skipRetryWhenPointless(fn(ctx, t.Payload()))
	})
}

// Periodic is a job the scheduler enqueues on a cron spec ("@every 1h",
// "0 6 * * *"), in UTC. Each run is unique for a minute, so that several
// processes scheduling the same job enqueue it once.
type Periodic struct {
	Spec  string
	Type  string
	Queue string
	// AtStart runs the job once more when the workers start: for
	// reconcilers, since a queue that forgot its jobs (the embedded one
	// at a restart, or a Redis that lost its data) forgot theirs too.
	AtStart bool
}

func (p Periodic) task() *asynq.Task {
	q := p.Queue
	if q == "" {
		q = QueueDefault
	}
	return asynq.NewTask(p.Type, nil, asynq.Queue(q), asynq.MaxRetry(3), asynq.Timeout(10*time.Minute), asynq.Unique(time.Minute))
}

// skipRetryWhenPointless marks errors that a retry cannot cure.
func skipRetryWhenPointless(err error) error {
	switch marketplace.ErrorCode(err) {
	case marketplace.EINVALID, marketplace.ENOTFOUND:
		return fmt.Errorf("%w: %w", err, asynq.SkipRetry)
	}
	return err
}
