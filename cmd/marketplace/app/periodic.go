package app

import (
	"cooptrade/payments"
	"cooptrade/workers"
)

// schedule is every job the program runs on the clock, in UTC, in one
// table. AtStart runs a job once more when the workers start: for
// reconcilers, since a queue that forgot its jobs (the embedded one at a
// restart, or a Redis that lost its data) forgot theirs too.
var schedule = []workers.Periodic{
	// Listings whose index or matching is behind, queued again.
	{Spec: "@every 5m", Type: workers.TypeOutboxReconcile},
	// Expired API tokens and page sessions deleted.
	{Spec: "@every 1h", Type: workers.TypeTokensSweep, Queue: workers.QueueLow},
	{Spec: "@every 1h", Type: workers.TypeSessionsSweep, Queue: workers.QueueLow},
	// Records past their time in the retention table deleted, at night.
	{Spec: "30 3 * * *", Type: workers.TypeRetention, Queue: workers.QueueLow},
	// Listings past their expiry closed; their owners reminded the week
	// before, in the morning.
	{Spec: "@every 1h", Type: workers.TypeListingsExpire, Queue: workers.QueueLow},
	{Spec: "0 8 * * *", Type: workers.TypeListingsRemind, Queue: workers.QueueLow},
	// Saved searches' digests: daily ones for the day before, weekly ones
	// on Mondays for the week before.
	{Spec: "0 7 * * *", Type: workers.TypeAlertsDigestDaily, Queue: workers.QueueLow},
	{Spec: "0 7 * * 1", Type: workers.TypeAlertsDigestWeekly, Queue: workers.QueueLow},
	// Dues: the clock's changes of standing and the reminders once a day;
	// Stripe's events not yet applied every five minutes and at start.
	{Spec: "15 5 * * *", Type: payments.TypeDuesLapse, Queue: payments.QueueCritical},
	{Spec: "0 9 * * *", Type: payments.TypeDuesRemind, Queue: payments.QueueCritical},
	{Spec: "@every 5m", Type: payments.TypeStripeReconcile, Queue: payments.QueueCritical, AtStart: true},
}
