// Package app opens the whole marketplace from a Config and closes it: the
// database (MongoDB, or FerretDB embedded), the queue (Redis, or miniredis
// in the process), the search engine (Meilisearch, or Bleve embedded), the
// use cases, the members' dues, the job workers, and the HTTP server with
// the API and the pages. It is the one place the program is wired. It
// also does the operator's work on an install: Backup and Restore of the
// embedded database, the Doctor's checks of a configuration and the
// services it names, and the container's Healthcheck.
//
// cmd/marketplace parses the command line, calls it and prints; the tests
// and benchmarks that need the whole application open it with Knobs of
// their own (an open test database, a listener, a quick password hasher,
// a clock). Only commands, tests and benchmarks import it; no package of the
// service does.
package app
