package pow

import (
	"encoding/binary"
	"math/big"

	"github.com/ballast-chain/ballast/internal/chainhash"
)

// TargetBytes decodes bits into a 256-bit target in the byte order of
// chainhash.Hash (little-endian: byte 0 least significant), ready for
// HashMeetsTarget. It does no big.Int allocation. It returns an ErrBadTarget
// RuleError when bits encode a negative, zero or overflowing target; it does
// not check a network's limit (CheckProofOfWork does).
func TargetBytes(bits uint32) ([32]byte, error) {
	var target [32]byte
	size, word := compactParts(bits)
	negative, overflow := compactFlags(bits, size, word)
	switch {
	case negative:
		return target, ruleErr(ErrBadTarget, "compact bits %08x encode a negative target", bits)
	case overflow:
		return target, ruleErr(ErrBadTarget, "compact bits %08x encode a target of 2^256 or more", bits)
	case word == 0:
		return target, ruleErr(ErrBadTarget, "compact bits %08x encode a zero target", bits)
	}
	// The mantissa's three bytes land at byte offset size-3 (0 when size <= 3,
	// where compactParts already shifted word down). Bytes past the end are
	// zero: overflow was rejected above.
	offset := 0
	if size > 3 {
		offset = int(size) - 3
	}
	for i := range 3 {
		if offset+i < len(target) {
			target[offset+i] = byte(word >> (8 * i))
		}
	}
	return target, nil
}

// HashMeetsTarget reports whether hash, read as a little-endian 256-bit
// number, is at most target, given in the same byte order (see TargetBytes).
// It is the miner's inner-loop comparison: no allocation, four 64-bit
// compares at most.
func HashMeetsTarget(hash *chainhash.Hash, target *[32]byte) bool {
	for i := 24; i >= 0; i -= 8 {
		h := binary.LittleEndian.Uint64(hash[i:])
		t := binary.LittleEndian.Uint64(target[i:])
		if h != t {
			return h < t
		}
	}
	return true
}

// CheckProofOfWork is Bitcoin Core's CheckProofOfWork with typed errors. bits
// must encode a target that is positive, below 2^256 and at most powLimit,
// else ErrBadTarget; hash, read as a little-endian number, must be at most
// that target, else ErrHighHash. A nil or non-positive powLimit rejects
// every target. The success path does not allocate.
func CheckProofOfWork(hash chainhash.Hash, bits uint32, powLimit *big.Int) error {
	target, err := TargetBytes(bits)
	if err != nil {
		return err
	}
	if !withinLimit(&target, powLimit) {
		return ruleErr(ErrBadTarget, "target %v of compact bits %08x is above the proof-of-work limit %064x",
			chainhash.Hash(target), bits, powLimit)
	}
	if !HashMeetsTarget(&hash, &target) {
		return ruleErr(ErrHighHash, "block hash %v is above target %v (compact bits %08x)",
			hash, chainhash.Hash(target), bits)
	}
	return nil
}

// withinLimit reports target <= powLimit, target little-endian.
func withinLimit(target *[32]byte, powLimit *big.Int) bool {
	if powLimit == nil || powLimit.Sign() <= 0 {
		return false
	}
	if powLimit.BitLen() > 256 {
		return true
	}
	var be [32]byte
	powLimit.FillBytes(be[:])
	var limit [32]byte
	for i := range be {
		limit[i] = be[len(be)-1-i]
	}
	return HashMeetsTarget((*chainhash.Hash)(target), &limit)
}
