// Package merkle computes Bitcoin's merkle tree over transaction hashes:
// double SHA-256 of each concatenated pair, the last node of an odd level
// paired with itself. It also detects the CVE-2012-2459 mutation (two equal
// adjacent nodes), which lets two different transaction lists share a root,
// and builds the branches a Stratum miner needs.
package merkle

import (
	"crypto/sha256"

	"github.com/ballast-chain/ballast/internal/chainhash"
)

// HashPair returns double SHA-256(l || r).
func HashPair(l, r *chainhash.Hash) chainhash.Hash {
	var buf [64]byte
	copy(buf[:32], l[:])
	copy(buf[32:], r[:])
	first := sha256.Sum256(buf[:])
	return sha256.Sum256(first[:])
}

// Root returns the merkle root of hashes and whether the tree is mutated: at
// some level two adjacent nodes that are paired together are equal, so a
// different list (with duplicated entries) has the same root. A block whose
// tree is mutated is invalid. Root of an empty list is the zero hash. hashes is
// used as scratch space and overwritten.
func Root(hashes []chainhash.Hash) (root chainhash.Hash, mutated bool) {
	n := len(hashes)
	if n == 0 {
		return chainhash.Hash{}, false
	}
	for n > 1 {
		for i := 0; i < n; i += 2 {
			if i+1 < n {
				if hashes[i] == hashes[i+1] {
					mutated = true
				}
				hashes[i/2] = HashPair(&hashes[i], &hashes[i+1])
			} else {
				hashes[i/2] = HashPair(&hashes[i], &hashes[i])
			}
		}
		n = (n + 1) / 2
	}
	return hashes[0], mutated
}

// RootOf is Root on a copy, leaving hashes untouched.
func RootOf(hashes []chainhash.Hash) (chainhash.Hash, bool) {
	return Root(append([]chainhash.Hash(nil), hashes...))
}

// CoinbaseBranch returns the hashes a miner combines with the coinbase txid,
// from the leaves upward, to obtain the root of a tree whose first leaf is the
// coinbase and whose other leaves are rest (Stratum's merkle_branch).
func CoinbaseBranch(rest []chainhash.Hash) []chainhash.Hash {
	var branch []chainhash.Hash
	// level holds the nodes right of the coinbase path at the current level;
	// index 0 stands for the (unknown) coinbase path node.
	level := append([]chainhash.Hash{{}}, rest...)
	for len(level) > 1 {
		branch = append(branch, level[1])
		next := make([]chainhash.Hash, 0, (len(level)+1)/2)
		next = append(next, chainhash.Hash{})
		for i := 2; i < len(level); i += 2 {
			r := i + 1
			if r == len(level) {
				r = i
			}
			next = append(next, HashPair(&level[i], &level[r]))
		}
		level = next
	}
	return branch
}

// RootFromBranch folds a coinbase txid up a CoinbaseBranch.
func RootFromBranch(coinbase chainhash.Hash, branch []chainhash.Hash) chainhash.Hash {
	h := coinbase
	for i := range branch {
		h = HashPair(&h, &branch[i])
	}
	return h
}
