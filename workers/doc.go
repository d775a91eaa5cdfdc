// Package workers runs the marketplace's background work on asynq (Redis):
// the task types with a constructor and a handler each, the server that runs
// them with priorities (critical, default, low), the scheduler of periodic
// work, and the queue client the use cases enqueue through.
//
// The write path never depends on the queue: a listing is written first,
// its work enqueued second, and the reconciler (outbox:reconcile, at start
// and every few minutes) enqueues again whatever a crash or an outage left
// behind. Handlers are idempotent, so work done twice does no harm.
//
// It imports the domain and its engines (marketplace/alerting,
// marketplace/matching) and its own mail sender; never a store, a search
// engine or the HTTP packages, which reach it through the domain's
// interfaces.
package workers
