package miner

import (
	"encoding/binary"
	"math/bits"
)

// jobState is one header's per-job precomputation, shared by the
// multi-nonce kernels (the amd64 assembly reads it through go_asm.h
// offsets). Words are SHA-256 message/state words (big-endian decoded).
// Layouts marked SHA-NI hold state as ABEF, CDGH and message groups as
// four words, low lane first.
type jobState struct {
	// SHA-NI: state after rounds 0 and 1 of the second chunk (neither
	// depends on the nonce, which is word 3).
	st2 [8]uint32
	mid [8]uint32 // SHA-NI: the midstate, for the feed-forward
	w0  [4]uint32 // words 0..2 of the second chunk; word 3 is the nonce
	w1  [4]uint32 // words 4..7
	w3  [4]uint32 // words 12..15
	wk1 [4]uint32 // words 4..15 plus round constants
	wk2 [4]uint32
	wk3 [4]uint32
	m1  [4]uint32 // sha256msg1(w1, w2)
	m2  [4]uint32 // sha256msg1(w2, w3)
	a3  [4]uint32 // words 9..12 (palignr(w3, w2))

	// AVX-512: state after rounds 0..2, K+W of the constant rounds 4..17
	// (16 and 17 do not depend on word 3) and, for words 18..63, the sum
	// of their schedule terms that are constant.
	s3  [8]uint32
	kw1 [18]uint32
	ct1 [64]uint32

	// Plain layouts for the pure-Go reference and vector kernels.
	state [8]uint32  // midstate a..h
	block [16]uint32 // second chunk, word 3 (nonce) zero
}

var sha256K = [64]uint32{
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
	0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
	0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
	0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
}

var sha256IV = [8]uint32{0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19}

func sigma0(x uint32) uint32 { return bits.RotateLeft32(x, -7) ^ bits.RotateLeft32(x, -18) ^ x>>3 }
func sigma1(x uint32) uint32 { return bits.RotateLeft32(x, -17) ^ bits.RotateLeft32(x, -19) ^ x>>10 }

// round does SHA-256 round i on s with message word w.
func round(s *[8]uint32, i int, w uint32) {
	a, b, c, d, e, f, g, h := s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7]
	t1 := h + (bits.RotateLeft32(e, -6) ^ bits.RotateLeft32(e, -11) ^ bits.RotateLeft32(e, -25)) +
		((e & f) ^ (^e & g)) + sha256K[i] + w
	t2 := (bits.RotateLeft32(a, -2) ^ bits.RotateLeft32(a, -13) ^ bits.RotateLeft32(a, -22)) +
		((a & b) ^ (a & c) ^ (b & c))
	*s = [8]uint32{t1 + t2, a, b, c, d + t1, e, f, g}
}

// compress is the SHA-256 block function on words.
func compress(s *[8]uint32, block *[16]uint32) {
	var w [64]uint32
	copy(w[:], block[:])
	for i := 16; i < 64; i++ {
		w[i] = sigma1(w[i-2]) + w[i-7] + sigma0(w[i-15]) + w[i-16]
	}
	v := *s
	for i := range 64 {
		round(&v, i, w[i])
	}
	for i := range s {
		s[i] += v[i]
	}
}

// shaniLayout is the SHA-NI register layout of a state: ABEF, CDGH.
func shaniLayout(s *[8]uint32) [8]uint32 {
	return [8]uint32{s[5], s[4], s[1], s[0], s[7], s[6], s[3], s[2]}
}

// msg1 is SHA256MSG1: w[i] + sigma0(w[i+1]) over a group and the next.
func msg1(a, b [4]uint32) [4]uint32 {
	return [4]uint32{a[0] + sigma0(a[1]), a[1] + sigma0(a[2]), a[2] + sigma0(a[3]), a[3] + sigma0(b[0])}
}

func newJobState(header *[80]byte) *jobState {
	js := new(jobState)
	var blk [16]uint32
	for i := range blk {
		blk[i] = binary.BigEndian.Uint32(header[4*i:])
	}
	js.state = sha256IV
	compress(&js.state, &blk)
	for i := range 3 {
		js.block[i] = binary.BigEndian.Uint32(header[64+4*i:])
	}
	js.block[4] = 0x80000000
	js.block[15] = 80 * 8

	js.mid = shaniLayout(&js.state)
	st := js.state
	round(&st, 0, js.block[0])
	round(&st, 1, js.block[1])
	js.st2 = shaniLayout(&st)
	group := func(g int) [4]uint32 { return [4]uint32(js.block[4*g : 4*g+4]) }
	wk := func(g int) [4]uint32 {
		w := group(g)
		for i := range w {
			w[i] += sha256K[4*g+i]
		}
		return w
	}
	js.w0 = group(0)
	js.w1, js.w3 = group(1), group(3)
	js.wk1, js.wk2, js.wk3 = wk(1), wk(2), wk(3)
	js.m1 = msg1(group(1), group(2))
	js.m2 = msg1(group(2), group(3))
	js.a3 = [4]uint32(js.block[9:13])

	round(&st, 2, js.block[2])
	js.s3 = st
	var w [18]uint32
	copy(w[:], js.block[:])
	w[16] = sigma1(w[14]) + w[9] + sigma0(w[1]) + w[0]
	w[17] = sigma1(w[15]) + w[10] + sigma0(w[2]) + w[1]
	for i := 4; i < 18; i++ {
		js.kw1[i] = sha256K[i] + w[i]
	}
	isConst := func(j int) bool { return j < 18 && j != 3 }
	for i := 18; i < 64; i++ {
		var c uint32
		if isConst(i - 16) {
			c += w[i-16]
		}
		if isConst(i - 15) {
			c += sigma0(w[i-15])
		}
		if isConst(i - 7) {
			c += w[i-7]
		}
		if isConst(i - 2) {
			c += sigma1(w[i-2])
		}
		js.ct1[i] = c
	}
	return js
}

// goFill is the reference multi-nonce kernel in Go: out[i] is word 7 of
// the double SHA-256 state for nonce+i.
func goFill(js *jobState, nonce uint32, out []uint32) {
	for i := range out {
		blk := js.block
		blk[3] = bits.ReverseBytes32(nonce + uint32(i))
		s := js.state
		compress(&s, &blk)
		var b2 [16]uint32
		copy(b2[:], s[:])
		b2[8] = 0x80000000
		b2[15] = 256
		s = sha256IV
		compress(&s, &b2)
		out[i] = s[7]
	}
}
