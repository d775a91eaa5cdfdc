// Package payments is the federation's dues: how much each member pays a
// year (DuesPolicy.Compute), the members' applications and staff's
// decisions on them, payment through Stripe Checkout and the Billing
// Portal, Stripe's webhook events, waivers and offline payments, and the
// standing all of these give a member (Account.Standing, the state
// machine).
//
// The member's standing is kept on the member, in marketplace; Service
// changes it only through marketplace.Service.ChangeStanding, as the staff
// user acting or as marketplace.SystemUser("payments"), so that every
// change is audited and the member's listings follow it in search.
// payments keeps its own data through its own stores (AccountStore,
// ApplicationStore, EventStore, ObjectStore; payments/mongo implements
// them) and queues its background work through Jobs, which the program
// wires to its queue: payments knows neither the queue nor search.
//
// Stripe's events are stored by ID before they are applied, so a
// redelivery is recognised; applying one is idempotent and tolerates any
// order, since an account keeps only the newest state of the subscription
// it has seen (Subscription.NewerThan: by the end of the period the state
// is about, then by the event's time).
//
// Amounts are int64 pence in Currency; rates are basis points, never
// floats. Errors are marketplace errors with codes: invalid input is
// EINVALID naming the field at fault.
//
// The sub-package stripetest starts stripe-mock for tests and signs webhook
// payloads the way Stripe does.
//
// It imports the domain and Stripe's client; never a store (its own are in
// payments/mongo), a search engine, the queue or the HTTP packages.
package payments
