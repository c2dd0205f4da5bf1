// Package sigcache remembers signatures that have verified, so a
// transaction checked on its way into the mempool does not cost its
// signature checks again when a block confirms it (Bitcoin Core's signature
// cache).
//
// An entry is the salted SHA-256 of a (message, x-only public key,
// signature) triple. The salt is the caller's secret (the node draws it from
// crypto/rand at start-up), so nobody else can compute where an entry lands:
// an attacker can neither make two triples collide nor aim insertions at a
// chosen slot to evict honest entries. The table is fixed at construction
// (32 bytes an entry, no allocation afterwards) and split into shards, each
// a set-associative array of 4-way buckets behind its own mutex. A full
// bucket evicts the way named by bits of the incoming entry, which the salt
// makes random to everyone but the node, like Core's cuckoo cache.
//
// The package only stores and finds entries. Soundness is the caller's
// duty: add an entry only after its signature verified, since a hit skips
// verification. The package is pure: no I/O, no clock, no randomness.
package sigcache
