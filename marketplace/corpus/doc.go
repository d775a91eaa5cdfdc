// Package corpus generates a believable federation of worker co-operatives
// (members across the UK's postcode areas and sectors, and the offers and
// needs they post, written the way co-ops write them) at any size, the same
// for the same seed. It feeds `marketplace seed`, the search benchmarks and
// the search tests.
//
// It imports only the domain: no adapter, so that the seed, the benchmarks
// and every test may use it.
package corpus
