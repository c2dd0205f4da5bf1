// Package policy implements Ballast's spending conditions: outputs locked to
// one BIP340 x-only public key or to the hash of a policy tree, and the
// rules that check a spend of them.
//
// A policy is a tree of key, k-of-n thresh, and, or, after (absolute lock
// time, BIP65 rules), older (relative lock time, BIP68/BIP112 rules) and
// sha256 (hash lock) nodes. It has a canonical byte encoding (Decode,
// Node.Encode), whose tagged hash (Node.Hash) a policy lock holds, and a
// text form for people and wallets (ParseText, Node.String). To spend, the
// witness reveals the policy and a satisfaction: a byte string read in
// preorder alongside the tree, holding one signature per key it uses, a
// bitmap per threshold naming the children it satisfies, a branch index per
// or, and a preimage per hash lock. VerifySpend checks a witness against a
// lock; Satisfy and BuildWitness make witnesses.
//
// Cost model. The work a spend can cause is bounded by the limits, which
// Decode checks before allocating: a policy is at most MaxPolicySize bytes,
// MaxPolicyNodes nodes, MaxPolicyDepth deep and holds at most MaxPolicyKeys
// keys. VerifySpend hashes the revealed policy before decoding it, so a
// wrong policy costs one hash. Decoding checks each key is on the curve (a
// field square root, about a twentieth of a signature check); a block of
// 4 MB holds at most about 121,000 keys (33 bytes each), so this cost is
// bounded by the block size rather than counted. Verification walks the
// satisfaction once, checking structure, time locks and preimages, and only
// then verifies the signatures, at most one per key node. A satisfaction cannot carry a signature that is not checked:
// thresholds name the children they satisfy, so unused keys cost nothing.
// CountSigChecks gives the number of signatures a witness makes the
// verifier check from the witness alone, so the consensus package can
// charge it against a per-block limit before verifying; no separate
// per-input limit is needed beyond MaxPolicyKeys.
//
// Everything here is pure: no I/O, no clock, no logging, no package state.
// The chain-level checks that after and older rely on (the transaction's
// lock time is final at the block's height and median time past, BIP68
// sequence locks against the confirmation of the spent outputs) belong to
// the consensus package. docs/protocol.md §5 specifies the encodings and rules byte by
// byte.
package policy
