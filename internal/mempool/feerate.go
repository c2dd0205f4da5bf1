package mempool

import (
	"fmt"
	"math/bits"
)

// FeeRate is a fee rate in base units per 1,000 virtual bytes (Core's
// sat/kvB; Core's RPC shows it divided by 10^8 as coins/kvB).
type FeeRate int64

// Fee returns the fee this rate asks of vsize virtual bytes, rounded up, and
// at least 1 for a positive rate (Core's CFeeRate::GetFee).
func (r FeeRate) Fee(vsize int64) int64 {
	if r <= 0 || vsize <= 0 {
		return 0
	}
	hi, lo := bits.Mul64(uint64(r), uint64(vsize))
	lo, carry := bits.Add64(lo, 999, 0)
	hi += carry
	if hi >= 1000 {
		return 1<<63 - 1 // saturate: no real fee is this large
	}
	q, _ := bits.Div64(hi, lo, 1000)
	return int64(q)
}

// String formats the rate as Core's RPC prints it, in coins per kvB.
func (r FeeRate) String() string {
	return fmt.Sprintf("%d.%08d/kvB", int64(r)/1e8, int64(r)%1e8)
}

// rateOf returns fee*1000/vsize (Core's CFeeRate(fee, size)), rounded down.
func rateOf(fee, vsize int64) FeeRate {
	if vsize <= 0 || fee <= 0 {
		return 0
	}
	hi, lo := bits.Mul64(uint64(fee), 1000)
	if hi >= uint64(vsize) {
		return 1<<63 - 1
	}
	q, _ := bits.Div64(hi, lo, uint64(vsize))
	return FeeRate(q)
}

// cmpRate compares the fee rates fa/sa and fb/sb exactly (fees >= 0, sizes
// > 0): -1, 0 or +1. The cross products can exceed 64 bits, so they are
// compared as 128-bit numbers.
func cmpRate(fa, sa, fb, sb int64) int {
	ah, al := bits.Mul64(uint64(fa), uint64(sb))
	bh, bl := bits.Mul64(uint64(fb), uint64(sa))
	switch {
	case ah < bh || (ah == bh && al < bl):
		return -1
	case ah > bh || (ah == bh && al > bl):
		return 1
	}
	return 0
}

// vsizeOf is the virtual size of a weight: ceil(weight/4), as BIP141 defines.
func vsizeOf(weight int) int64 { return (int64(weight) + 3) / 4 }
