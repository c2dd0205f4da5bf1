package pow

import (
	"math/big"

	"github.com/ballast-chain/ballast/internal/chainhash"
)

// Layout of the compact ("nBits") encoding; see CompactToBig.
const (
	compactMantissaMask = 0x007fffff
	compactSignBit      = 0x00800000
)

// CompactToBig decodes compact bits as Bitcoin Core's
// arith_uint256::SetCompact does. The top byte is a base-256 exponent e, bit
// 23 a sign and the low 23 bits a mantissa m:
//
//	value = m >> 8*(3-e)   if e <= 3
//	value = m << 8*(e-3)   otherwise
//
// negative reports the sign bit set on a non-zero value, and target is then
// -value. overflow reports a non-zero value of 2^256 or more (Core's rule:
// e > 34, or e > 33 with m > 0xff, or e > 32 with m > 0xffff); target is
// then the exact value, where Core would keep only its low 256 bits. A caller
// must reject a target that is negative, overflowing or zero.
func CompactToBig(bits uint32) (target *big.Int, negative, overflow bool) {
	size, word := compactParts(bits)
	target = new(big.Int).SetUint64(uint64(word))
	if size > 3 {
		target.Lsh(target, 8*(size-3))
	}
	negative, overflow = compactFlags(bits, size, word)
	if negative {
		target.Neg(target)
	}
	return target, negative, overflow
}

// compactParts returns the exponent and the mantissa of bits, the mantissa
// already shifted right when the exponent is below 3.
func compactParts(bits uint32) (size uint, word uint32) {
	size = uint(bits >> 24)
	word = bits & compactMantissaMask
	if size <= 3 {
		word >>= 8 * (3 - size)
	}
	return size, word
}

// compactFlags is the pfNegative/pfOverflow logic of Core's SetCompact.
func compactFlags(bits uint32, size uint, word uint32) (negative, overflow bool) {
	negative = word != 0 && bits&compactSignBit != 0
	overflow = word != 0 && (size > 34 || (word > 0xff && size > 33) || (word > 0xffff && size > 32))
	return negative, overflow
}

// BigToCompact encodes n as Core's arith_uint256::GetCompact(n < 0) does: the
// exponent is the byte length of |n|, the mantissa its top three bytes
// (truncating the rest), and when the mantissa's top bit would collide with
// the sign bit the mantissa is shifted down a byte and the exponent raised.
// Zero encodes as 0. Every value CompactToBig returns encodes back to the
// same value, in this normal form.
//
// |n| must fit the encoding (below 2^2040); BigToCompact panics otherwise, as
// Core asserts. Targets, at most 2^256-1, always fit.
func BigToCompact(n *big.Int) uint32 {
	if n.Sign() == 0 {
		return 0
	}
	size := uint((n.BitLen() + 7) / 8)
	var word uint32
	if size <= 3 {
		word = uint32(absLow64(n)) << (8 * (3 - size))
	} else {
		t := new(big.Int).Abs(n)
		word = uint32(absLow64(t.Rsh(t, 8*(size-3))))
	}
	if word&compactSignBit != 0 {
		word >>= 8
		size++
	}
	if size > 0xff {
		panic("pow: BigToCompact: value too large for the compact encoding")
	}
	bits := uint32(size)<<24 | word
	if n.Sign() < 0 {
		bits |= compactSignBit
	}
	return bits
}

// absLow64 returns the low 64 bits of |n|.
func absLow64(n *big.Int) uint64 {
	words := n.Bits()
	if len(words) == 0 {
		return 0
	}
	return uint64(words[0]) // callers pass |n| < 2^24, which fits any big.Word
}

// HashToBig reads h as a little-endian unsigned 256-bit number, the way proof
// of work compares a block hash with its target.
func HashToBig(h *chainhash.Hash) *big.Int {
	var be [chainhash.Size]byte
	for i := range chainhash.Size {
		be[i] = h[chainhash.Size-1-i]
	}
	return new(big.Int).SetBytes(be[:])
}

// CalcWork returns the expected number of hashes needed to meet the target
// bits encode, floor(2^256 / (target+1)) (Core's GetBlockProof). It returns 0
// when bits encode a negative, zero or overflowing target.
func CalcWork(bits uint32) *big.Int {
	target, negative, overflow := CompactToBig(bits)
	if negative || overflow || target.Sign() == 0 {
		return new(big.Int)
	}
	denominator := target.Add(target, big.NewInt(1))
	work := new(big.Int).Lsh(big.NewInt(1), 256)
	return work.Quo(work, denominator)
}
