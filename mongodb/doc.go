// Package mongodb is what the stores on MongoDB share: the connection, to
// a MongoDB server or to FerretDB embedded in the process on SQLite files;
// the creation of collections and indexes; the locks that make FerretDB's
// updates safe; conditional writes that stay fast on FerretDB; paging,
// walking and the mapping of the driver's errors to the domain's codes.
//
// The marketplace's stores (package marketplace/mongo) and the payments'
// (payments/mongo) build on it and on nothing of each other's. It imports
// the domain only for its error codes, and no adapter; mongodbtest gives a
// test an empty database of its own.
//
// Queries stay inside what both MongoDB and FerretDB v1 do: no
// transactions, no TTL indexes, no $lookup or $facet. FerretDB v1 applies
// an update by reading the document and writing it back whole, and reads
// only by _id through an index (see Embedded.IndexIDs); every other filter
// reads the whole collection. So on FerretDB a conditional write reads the
// document by _id, checks the condition and writes it by _id, all under
// the document's lock in this process (UpdateIf); on MongoDB the condition
// is part of the write's filter, atomic across processes.
package mongodb
