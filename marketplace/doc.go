// Package marketplace is the domain of the federation's trading and sourcing
// marketplace: members (co-operative enterprises and individual worker
// members), their users, and the listings they post, offers of work and
// needs to source, together with the use cases that act on them.
//
// It imports no adapter. It declares the small interfaces it needs (stores,
// a queue, a password hasher) and its sub-packages and the search, payments
// and workers packages satisfy them; cmd/marketplace wires them together.
// Errors are *Error values with a code (error.go) that adapters translate
// from their own errors and the HTTP API maps to statuses.
package marketplace
