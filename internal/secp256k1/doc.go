// Package secp256k1 verifies BIP340 signatures with libsecp256k1, Bitcoin
// Core's C library, through cgo: 3.7 times faster than the pure-Go verifier
// on the project's machine (docs/benchmarks.md).
//
// It is compiled in only with the build tag libsecp256k1 (and cgo enabled),
// against the system library (Debian: libsecp256k1-dev, 0.2.0 or later, with
// the extrakeys and schnorrsig modules). Without the tag, NewVerifier
// reports ErrUnavailable and the node keeps the pure-Go verifier, which
// stays the reference: tests built with the tag check that both give the
// same answer on the BIP340 vectors and on thousands of random valid and
// mutated signatures.
//
// The consensus core never imports this package: the node passes the
// verifier it returns in consensus.Options, as a policy.SchnorrVerifier.
package secp256k1

import "errors"

// ErrUnavailable is returned by NewVerifier in a build without
// libsecp256k1.
var ErrUnavailable = errors.New("secp256k1: built without libsecp256k1 (build tag libsecp256k1, cgo)")
