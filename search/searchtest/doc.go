// Package searchtest is the contract every search engine passes: one small
// fixed federation (Corpus) and the hits each query must return, written
// out. An engine's own tests call Run with a function that gives each test
// a fresh, empty engine. suite.go holds the queries, changes.go the writes
// and rebuilds, check.go the helpers that run and describe them.
//
// It imports the search model and no engine, so that each engine's tests
// can import it.
package searchtest
