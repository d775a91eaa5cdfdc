// Package mongo keeps payments' own collections in the marketplace's
// MongoDB database: dues_accounts (per member: approved dues per year, the
// Stripe customer, the newest state of the subscription and what orders
// it, waivers and offline payments), dues_applications (declarations and
// hardship requests, and staff's decisions), stripe_events (each webhook
// event by its unique ID, with when it was applied) and stripe_objects (the
// IDs of the Stripe objects made once, such as the VAT tax rate).
//
// It builds on the base package mongodb, as the marketplace's own stores
// do, and on nothing of theirs: a conditional write names the version it
// read (mongodb.DB.ReplaceIf), and on FerretDB the writes of one document
// are serialised within the process (mongodb.DB.Lock).
//
// It imports the domain, payments and the MongoDB base; never the
// marketplace's stores (marketplace/mongo).
package mongo
