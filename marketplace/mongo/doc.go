// Package mongo keeps the marketplace's members, users, tokens, listings,
// matches, notifications and alerts in MongoDB with the official driver.
// It builds on the base package mongodb (the connection, FerretDB
// embedded, locks, conditional writes, lookups, paging and errors), as
// payments/mongo does, and imports no other adapter; mongotest gives a test
// a database with these stores on it.
//
// Queries stay inside what both MongoDB and FerretDB v1 do: no transactions,
// no TTL indexes, no $lookup or $facet. FerretDB v1 applies an update by
// reading the document and writing it back whole, so concurrent updates of
// one document could lose each other's changes; on FerretDB the stores
// therefore serialise the updates of each document within the process.
package mongo
