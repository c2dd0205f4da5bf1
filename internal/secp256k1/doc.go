// Package secp256k1 verifies BIP340 signatures with libsecp256k1, Bitcoin
// Core's C library, through cgo: one at a time, 3.7 times faster than the
// pure-Go verifier on the project's machine (docs/benchmarks.md), and in
// batches (policy.BatchVerifier), up to 1.7 times faster again per
// signature.
//
// # The library
//
// It is compiled in only with the build tag libsecp256k1 (and cgo enabled).
// The package builds libsecp256k1 0.2.0 itself, from Debian's source
// tarball (libsecp256k1_0.2.0.orig.tar.xz), which scripts/install-deps.sh
// downloads, checks against a pinned SHA-256 and unpacks into csrc/ (not
// in git); make turns the tag on when that source is there. libsecp256k1.c
// includes the library's sources as one translation unit, configured as
// Debian's build of 0.2.0 is (modules extrakeys and schnorrsig,
// ECMULT_WINDOW_SIZE 15, ECMULT_GEN_PREC_BITS 4) except that it leaves out
// the x86-64 assembly field code: the C code, on 128-bit integers, is
// about 8% faster on the project's machine. Nothing links against a
// system libsecp256k1.
//
// Why from source: batch verification needs the library's multi-scalar
// multiplication (secp256k1_ecmult_multi_var, Strauss's algorithm for few
// points, Pippenger's for many), which is internal. No release's public
// API has it, nor batch verification; compiled into the package, the
// library's static functions are ours to call.
//
// Single verification is the library's own secp256k1_schnorrsig_verify.
// Both kinds use its static context (verification needs no other), so a
// verifier holds no C memory and is safe for any number of goroutines.
//
// # Batch verification
//
// VerifyBatch follows BIP340's batch verification. For checks i = 0..n-1,
// with key P_i and R_i lifted from their x (even y), s_i and the challenge
// e_i = hash_BIP0340/challenge(r_i || P_i || m_i), it tests
//
//	(Σ a_i s_i) G − Σ a_i R_i − Σ (a_i e_i) P_i = infinity
//
// as one multi-scalar multiplication of 2n points (plus G). The weights
// are a_0 = 1 and, for i ≥ 1, a_i = the last 16 bytes of SHA256(seed || i
// as 8 bytes little-endian), a 128-bit number, with seed = SHA256(salt ||
// the checks' 128-byte records) and salt 32 bytes that NewVerifier draws
// from crypto/rand, kept for the verifier's life and never shown. The range
// and curve checks the equation cannot express come first and fail the
// batch at once: r ≥ p, s ≥ n, a key ≥ p or off the curve, an r that is no
// point's x.
//
// Soundness: if check j fails its own equation, s_j G ≠ R_j + e_j P_j, the
// batch equation holds, whatever the other weights, for at most one of the
// 2^128 values of a_j (for j = 0, of any other failing check's weight, and
// never if it fails alone). The weights come from SHA-256 under a secret
// salt, so whoever chose the checks cannot aim for that value: a wrong true
// has probability 2^-128 per batch, the security level of the curve itself,
// and someone who knew the salt would still have to try about 2^128 hashes.
// BIP340 draws its weights modulo n; 128 bits is what the batch
// verification literature uses, and it is cheaper here: the term
// −a_i·R_i is computed as a_i·(−R_i), so its scalar stays 128 bits, the
// endomorphism splits it (mostly) into one half and a zero that Pippenger's
// algorithm skips, and the multiplication costs about 16% less (measured
// with 4,000 checks). A false says only that at least one check fails:
// callers verify one by one to find it.
//
// Cost: the equation needs a square root per check more than single
// verification (lifting R) and shares the rest, so it wins only with
// numbers. Below batchMin (8) checks VerifyBatch verifies one by one, in
// one call to C; from there it is one equation, about 5% cheaper per
// signature at 8 checks, 10% at 64, 35% at 1,000 and 40% at 4,096
// (BenchmarkBatchCrossover, BenchmarkVerifyBatch). Each equation takes
// about 1 KiB of C memory per check (scratch space for the algorithm,
// sized so it adds every point in one pass, and the points and scalars),
// freed before VerifyBatch returns, so batches above batchChunk (4,096)
// checks are split into equal chunks, each an equation of its own with
// its own seed, that must all verify: at most about 4 MiB per call.
//
// # Without the library
//
// Without the tag, NewVerifier reports ErrUnavailable and the node keeps
// the pure-Go verifier, which stays the reference: tests built with the
// tag check that both give the same answer on the BIP340 vectors and on
// thousands of random valid and mutated signatures, and that batches give
// the pure-Go verifier's answer for each check ANDed.
//
// The consensus core never imports this package: the node passes the
// verifier it returns in consensus.Options, as a policy.SchnorrVerifier
// that is also a policy.BatchVerifier.
package secp256k1

import "errors"

// ErrUnavailable is returned by NewVerifier in a build without
// libsecp256k1.
var ErrUnavailable = errors.New("secp256k1: built without libsecp256k1 (build tag libsecp256k1, cgo)")
