// Package sighash computes Ballast's signature hash: the 32-byte message a
// BIP340 signature on a transaction input signs. It follows BIP341's design
// with SIGHASH_ALL only: one tagged hash over the transaction's version and
// lock time, single-SHA-256 hashes of every input's outpoint, spent asset
// and amount, spent lock and sequence, of the outputs and of the records'
// payloads, and the input's index. Committing to every spent output's asset,
// amount and lock lets an offline signer trust the fee and the assets it is
// told about, as BIP341 does for amounts and scripts.
//
// The per-transaction hashes are computed once in a Cache, so signing or
// verifying every input of a large transaction is linear in its size. The
// package is pure: no I/O, no clock, no logging. docs/protocol.md §5.9
// specifies the layout byte by byte.
package sighash
