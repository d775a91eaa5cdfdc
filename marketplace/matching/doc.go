// Package matching finds the counterparts of a listing: the hard
// constraints (opposite kinds, open, members in good standing, related
// categories, within reach), the score out of 100 with its reasons, and an
// in-memory index of open listings by kind, category and district that ranks
// thousands of candidates cheaply.
//
// It holds the algorithm only: the domain's types and rules come from
// package marketplace, and it imports no adapter (no storage, queue or
// search engine). The job workers keep its index in a pool shared through
// Redis (workers.SharedPool); bulk loads use it directly.
package matching
