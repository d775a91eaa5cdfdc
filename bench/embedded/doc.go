// Package embedded holds the benchmark of the program on its embedded
// defaults (FerretDB on SQLite, Bleve, and a redis-server the benchmark can
// watch) at a federation's real size: `marketplace seed` of 3,000 and
// 30,000 listings, then GET /v1/listings/{id} and the listing's page beside
// GET /healthz, the jobs after the seed, and a backlog of a change to every
// listing while new listings are published and searched for. It reports
// the figures as ratios measured side by side in one run.
//
//	go test -run '^$' -bench . -benchtime 1x ./bench/embedded
//
// BENCH_VERBOSE=1 prints them as sentences on stderr. It has no code of
// its own; the benchmark is in its test file.
//
// It may import anything: it measures the whole program (through
// cmd/marketplace/app), and nothing imports it.
package embedded
