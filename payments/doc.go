// Package payments is the federation's dues: how much each member pays a
// year (DuesPolicy.Compute), and, beside it, how the dues are collected
// through Stripe and how payments move a member's standing.
//
// Amounts are int64 pence in Currency; rates are basis points, never
// floats. Errors are marketplace errors with codes: invalid input is
// EINVALID naming the field at fault.
//
// The sub-package stripetest starts stripe-mock for tests and signs webhook
// payloads the way Stripe does.
package payments
