package params

import (
	"math/big"

	"github.com/ballast-chain/ballast/internal/chainhash"
)

// This file is the small part of proof of work that params needs to build
// and check genesis blocks: compact bits to target, and the hash comparison.
// The consensus implementation lives in internal/pow; params keeps its own so
// that the network definitions depend on nothing but wire, merkle and
// address. The two must agree; params' tests check the built-in genesis
// blocks against hard-coded hashes, and pow's tests check its compact
// encoding against Bitcoin Core's.

// compactToTarget decodes compact bits as Bitcoin Core's SetCompact does and
// returns the target, rejecting bits that give no usable target: negative,
// zero, or 2^256 and above.
func compactToTarget(bits uint32) (*big.Int, string) {
	size := uint(bits >> 24)
	word := bits & 0x007fffff
	if size <= 3 {
		word >>= 8 * (3 - size)
	}
	if word == 0 {
		return nil, "encodes a zero target"
	}
	if bits&0x00800000 != 0 {
		return nil, "has the sign bit set (a negative target)"
	}
	if size > 34 || (word > 0xff && size > 33) || (word > 0xffff && size > 32) {
		return nil, "encodes a target of 2^256 or more"
	}
	t := new(big.Int).SetUint64(uint64(word))
	if size > 3 {
		t.Lsh(t, 8*(size-3))
	}
	return t, ""
}

// targetToCompact is Bitcoin Core's GetCompact for a positive target: the
// byte length as exponent, the top three bytes as mantissa, shifted down a
// byte when the mantissa's top bit would read as the sign.
func targetToCompact(t *big.Int) uint32 {
	size := uint((t.BitLen() + 7) / 8)
	var word uint32
	if size <= 3 {
		word = uint32(t.Uint64()) << (8 * (3 - size))
	} else {
		word = uint32(new(big.Int).Rsh(t, 8*(size-3)).Uint64())
	}
	if word&0x00800000 != 0 {
		word >>= 8
		size++
	}
	return uint32(size)<<24 | word
}

// targetBytes returns t as a 32-byte big-endian number (t < 2^256).
func targetBytes(t *big.Int) [32]byte {
	var b [32]byte
	t.FillBytes(b[:])
	return b
}

// hashMeetsTarget reports whether h, read as a little-endian 256-bit number
// (Bitcoin's rule), is at most the big-endian target.
func hashMeetsTarget(h *chainhash.Hash, target *[32]byte) bool {
	for i := 0; i < 32; i++ {
		hb, tb := h[31-i], target[i]
		if hb != tb {
			return hb < tb
		}
	}
	return true
}
