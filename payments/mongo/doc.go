// Package mongo keeps payments' own collections in the marketplace's
// MongoDB database: dues_accounts (per member: approved dues per year, the
// Stripe customer, the newest state of the subscription and what orders
// it, waivers and offline payments), dues_applications (declarations and
// hardship requests, and staff's decisions), stripe_events (each webhook
// event by its unique ID, with when it was applied) and stripe_objects (the
// IDs of the Stripe objects made once, such as the VAT tax rate).
//
// It stays inside what FerretDB v1 does: no transactions and no TTL
// indexes; a conditional write names the version it read, and on FerretDB
// the writes of one document are serialised within the process with
// mongo.DB.LockDocument, as the marketplace's own stores do.
package mongo
