// Package searchtest is the contract every search engine passes: one small
// fixed federation (Corpus) and the hits each query must return, written
// out. An engine's own tests call Run with a function that gives each test
// a fresh, empty engine.
package searchtest
