// Package mongo keeps the marketplace's members, users, tokens and listings
// in MongoDB with the official driver. It also knows how to start FerretDB
// embedded on SQLite files, which backs a one-machine install and the tests
// (see mongotest).
//
// Queries stay inside what both MongoDB and FerretDB v1 do: no transactions,
// no TTL indexes, no $lookup or $facet. FerretDB v1 applies an update by
// reading the document and writing it back whole, so concurrent updates of
// one document could lose each other's changes; on FerretDB the stores
// therefore serialise the updates of each document within the process.
package mongo
