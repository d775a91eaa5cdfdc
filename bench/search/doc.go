// Package search holds the benchmark of the marketplace's search as buyers
// meet it: GET /v1/search on the real HTTP API, with the embedded engine
// holding 10,000 and 100,000 generated listings, loaded by a fasthttp
// client over several connections. In the same run it measures the floors
// and the alternative beside it: the same queries on the engine without
// HTTP, on raw Bleve with the obvious query plan, and as MongoDB $regex
// scans of the same words over 2,000 listings (FerretDB), and reports
// p50 and p99 of each and their ratios.
//
//	go test -run '^$' -bench . ./bench/search
//	go test -run '^$' -bench 'Search/listings=10k' ./bench/search
//
// BENCH_VERBOSE=1 prints each query's p50 and p99 on stderr. It has no
// code of its own; the benchmark is in its test file.
//
// It may import anything: it measures the whole program (through
// cmd/marketplace/app), and nothing imports it.
package search
