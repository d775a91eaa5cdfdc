// Package load puts many members and listings in at once, for seeding,
// importing and rebuilding: stored with bulk writes, indexed by building a
// fresh search index that is swapped in, and matched in memory, so that a
// bulk load leaves no thousands of jobs behind it.
//
// Importing reads members and listings from CSV or JSON Lines (ReadFile),
// checks each row as the API checks what people type, resolves the rows'
// references against each other and the stored members, and loads the good
// ones (Loader.Import); rebuilding makes the search index afresh from the
// stored listings (Loader.Rebuild). Both tell a Progress how far they have
// got.
//
// It imports only the domain and the standard library: never an adapter
// (MongoDB, a search engine, the queue) nor cmd; the stores and the index
// it is given satisfy its small interfaces, and the program wires them.
package load
