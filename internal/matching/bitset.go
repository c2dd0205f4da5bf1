package matching

import "math/bits"

// bitset is a hierarchical bitset: level 0 has one bit per tick, and each
// higher level has one bit per non-zero word below it. Finding the next or
// previous set bit costs a few word operations per level (five levels for
// the largest tick range) instead of a scan, which is what lets the engine
// find the next best price after a level empties in constant time.
type bitset struct {
	lv [][]uint64
}

func newBitset(n int) bitset {
	var b bitset
	for {
		words := (n + 63) / 64
		b.lv = append(b.lv, make([]uint64, words))
		if words == 1 {
			return b
		}
		n = words
	}
}

func (b *bitset) set(i int) {
	for l := range b.lv {
		w := i >> 6
		old := b.lv[l][w]
		b.lv[l][w] = old | 1<<(uint(i)&63)
		if old != 0 {
			return
		}
		i = w
	}
}

func (b *bitset) clear(i int) {
	for l := range b.lv {
		w := i >> 6
		v := b.lv[l][w] &^ (1 << (uint(i) & 63))
		b.lv[l][w] = v
		if v != 0 {
			return
		}
		i = w
	}
}

// next returns the smallest set index >= i, or -1.
func (b *bitset) next(i int) int {
	if i < 0 {
		i = 0
	}
	l := 0
	for ; l < len(b.lv); l++ {
		w := i >> 6
		if w >= len(b.lv[l]) {
			return -1
		}
		if m := b.lv[l][w] & (^uint64(0) << (uint(i) & 63)); m != 0 {
			i = w<<6 | bits.TrailingZeros64(m)
			break
		}
		i = w + 1
	}
	if l == len(b.lv) {
		return -1
	}
	for l > 0 {
		l--
		i = i<<6 | bits.TrailingZeros64(b.lv[l][i])
	}
	return i
}

// prev returns the largest set index <= i, or -1.
func (b *bitset) prev(i int) int {
	if n := len(b.lv[0]) << 6; i >= n {
		i = n - 1
	}
	l := 0
	for ; l < len(b.lv); l++ {
		if i < 0 {
			return -1
		}
		w := i >> 6
		if m := b.lv[l][w] & (^uint64(0) >> (63 - uint(i)&63)); m != 0 {
			i = w<<6 | (63 - bits.LeadingZeros64(m))
			break
		}
		i = w - 1
	}
	if l == len(b.lv) {
		return -1
	}
	for l > 0 {
		l--
		i = i<<6 | (63 - bits.LeadingZeros64(b.lv[l][i]))
	}
	return i
}

// count returns the number of set bits. It visits only the level-0 words
// that the level above marks non-zero, so it costs one pass over level 1
// (numTicks/4096 words) plus one popcount per non-empty word.
func (b *bitset) count() int {
	if len(b.lv) == 1 {
		return bits.OnesCount64(b.lv[0][0])
	}
	n := 0
	for i, w := range b.lv[1] {
		for ; w != 0; w &= w - 1 {
			n += bits.OnesCount64(b.lv[0][i<<6|bits.TrailingZeros64(w)])
		}
	}
	return n
}
