//go:build ignore

package main

import (
	"bytes"
	"fmt"
	"math/bits"
)

// vgen writes the 16-lane AVX-512 kernel: one ZMM lane per nonce, state
// a..h renamed each round instead of moved, message words in a ring of 16
// registers, words known per job (block 1) or fixed (block 2's padding)
// folded into broadcast constants.
type vgen struct {
	w      *bytes.Buffer
	st     [8]string
	consts []uint32 // static table c512<>
}

const (
	t0, t1, t2 = "Z24", "Z25", "Z26"
	s0, s1, sa = "Z27", "Z30", "Z28"
	sb         = "Z29"
)

func ring(i int) string { return fmt.Sprintf("Z%d", 8+i%16) }

func (g *vgen) p(f string, a ...any) { fmt.Fprintf(g.w, "\t"+f+"\n", a...) }

func (g *vgen) c(v uint32) string {
	for i, x := range g.consts {
		if x == v {
			return fmt.Sprintf("c512<>+%d(SB)", 4*i)
		}
	}
	g.consts = append(g.consts, v)
	return fmt.Sprintf("c512<>+%d(SB)", 4*(len(g.consts)-1))
}

// round i; kw adds K[i]+W[i] into h. Without full only e is updated.
func (g *vgen) round(kw func(h string), full bool) {
	a, b, c, d, e, f, gg, h := g.st[0], g.st[1], g.st[2], g.st[3], g.st[4], g.st[5], g.st[6], g.st[7]
	g.p("VPRORD $6, %s, %s", e, t0)
	g.p("VPRORD $11, %s, %s", e, t1)
	g.p("VPRORD $25, %s, %s", e, t2)
	g.p("VPTERNLOGD $0x96, %s, %s, %s", t2, t1, t0)
	g.p("VMOVDQA32 %s, %s", e, t1)
	g.p("VPTERNLOGD $0xca, %s, %s, %s", gg, f, t1)
	g.p("VPADDD %s, %s, %s", t0, h, h)
	g.p("VPADDD %s, %s, %s", t1, h, h)
	kw(h)
	g.p("VPADDD %s, %s, %s", h, d, d)
	if full {
		g.p("VPRORD $2, %s, %s", a, t0)
		g.p("VPRORD $13, %s, %s", a, t1)
		g.p("VPRORD $22, %s, %s", a, t2)
		g.p("VPTERNLOGD $0x96, %s, %s, %s", t2, t1, t0)
		g.p("VMOVDQA32 %s, %s", a, t1)
		g.p("VPTERNLOGD $0xe8, %s, %s, %s", c, b, t1)
		g.p("VPADDD %s, %s, %s", t0, h, h)
		g.p("VPADDD %s, %s, %s", t1, h, h)
	}
	g.st = [8]string{h, a, b, c, d, e, f, gg}
}

func (g *vgen) sigma(x, dst string, r1, r2, sh int) {
	g.p("VPRORD $%d, %s, %s", r1, x, dst)
	g.p("VPRORD $%d, %s, %s", r2, x, sa)
	g.p("VPSRLD $%d, %s, %s", sh, x, sb)
	g.p("VPTERNLOGD $0x96, %s, %s, %s", sb, sa, dst)
}

// schedule computes W[i] into ring(i); isConst says which words are not
// vectors; constSum is the sum of the constant terms, as an operand (""
// when zero).
func (g *vgen) schedule(i int, isConst func(int) bool, constSum string) {
	var terms []string
	if !isConst(i - 16) {
		terms = append(terms, ring(i-16))
	}
	if !isConst(i - 15) {
		g.sigma(ring(i-15), s0, 7, 18, 3)
		terms = append(terms, s0)
	}
	if !isConst(i - 7) {
		terms = append(terms, ring(i-7))
	}
	if !isConst(i - 2) {
		g.sigma(ring(i-2), s1, 17, 19, 10)
		terms = append(terms, s1)
	}
	dst := ring(i)
	switch {
	case len(terms) >= 2:
		g.p("VPADDD %s, %s, %s", terms[1], terms[0], dst)
		for _, t := range terms[2:] {
			g.p("VPADDD %s, %s, %s", t, dst, dst)
		}
		if constSum != "" {
			g.p("VPADDD.BCST %s, %s, %s", constSum, dst, dst)
		}
	case len(terms) == 1 && constSum != "":
		g.p("VPADDD.BCST %s, %s, %s", constSum, terms[0], dst)
	case len(terms) == 1:
		g.p("VMOVDQA32 %s, %s", terms[0], dst)
	default:
		panic("constant word")
	}
}

func (g *vgen) vecKW(i int) func(string) {
	return func(h string) {
		g.p("VPADDD.BCST %s, %s, %s", g.c(sha256K[i]), ring(i), t2)
		g.p("VPADDD %s, %s, %s", t2, h, h)
	}
}

func rotr(x uint32, n int) uint32 { return bits.RotateLeft32(x, -n) }
func sig0(x uint32) uint32        { return rotr(x, 7) ^ rotr(x, 18) ^ x>>3 }
func sig1(x uint32) uint32        { return rotr(x, 17) ^ rotr(x, 19) ^ x>>10 }

func genAVX512() []byte {
	var w bytes.Buffer
	g := &vgen{w: &w}
	w.WriteString(`// func avx512Scan(c *jobState, nonce uint32, out []uint32)
// out[i] = word 7 of the double SHA-256 state for nonce+i; len(out) a
// multiple of 16.
TEXT ·avx512Scan(SB), NOSPLIT, $0-40
	MOVQ c+0(FP), DI
	MOVL nonce+8(FP), AX
	MOVQ out_base+16(FP), SI
	MOVQ out_len+24(FP), CX
	SHRQ $4, CX
	JZ   done

loop:
	VPBROADCASTD AX, Z11
	VPADDD lanes512<>(SB), Z11, Z11
	VPSHUFB bswap512<>(SB), Z11, Z11
`)
	// Block 1 from the state after rounds 0..2; word 3 is the nonce.
	for j := range 8 {
		g.st[j] = fmt.Sprintf("Z%d", j)
		g.p("VPBROADCASTD (jobState_s3+%d)(DI), Z%d", 4*j, j)
	}
	c1 := func(j int) bool { return j >= 0 && j < 18 && j != 3 }
	g.round(g.vecKW(3), true)
	for i := 4; i < 18; i++ {
		g.round(func(h string) { g.p("VPADDD.BCST (jobState_kw1+%d)(DI), %s, %s", 4*i, h, h) }, true)
	}
	for i := 18; i < 64; i++ {
		g.schedule(i, c1, fmt.Sprintf("(jobState_ct1+%d)(DI)", 4*i))
		g.round(g.vecKW(i), true)
	}
	for j := range 8 {
		g.p("VPADDD.BCST (jobState_state+%d)(DI), %s, %s", 4*j, g.st[j], ring(j))
	}
	// Block 2: the digest and fixed padding; round 0's state is the IV.
	var wc [64]uint32
	wc[8], wc[15] = 0x80000000, 256
	c2 := func(j int) bool { return j >= 8 && j < 16 }
	iv := [8]uint32{0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19}
	e := iv[4]
	t1c := iv[7] + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + (e&iv[5] ^ ^e&iv[6]) + sha256K[0]
	a := iv[0]
	t2c := (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + (a&iv[1] ^ a&iv[2] ^ iv[1]&iv[2])
	g.st = [8]string{"Z0", "Z1", "Z2", "Z3", "Z4", "Z5", "Z6", "Z7"}
	g.p("VPADDD.BCST %s, %s, Z0", g.c(t1c+t2c), ring(0))
	g.p("VPADDD.BCST %s, %s, Z4", g.c(t1c+iv[3]), ring(0))
	for j, v := range []uint32{iv[0], iv[1], iv[2]} {
		g.p("VPBROADCASTD %s, Z%d", g.c(v), j+1)
	}
	for j, v := range []uint32{iv[4], iv[5], iv[6]} {
		g.p("VPBROADCASTD %s, Z%d", g.c(v), j+5)
	}
	for i := 1; i < 61; i++ {
		switch {
		case i < 8 || i >= 16:
			if i >= 16 {
				sum := uint32(0)
				if c2(i - 16) {
					sum += wc[i-16]
				}
				if c2(i - 15) {
					sum += sig0(wc[i-15])
				}
				if c2(i - 7) {
					sum += wc[i-7]
				}
				if c2(i - 2) {
					sum += sig1(wc[i-2])
				}
				op := ""
				if sum != 0 {
					op = g.c(sum)
				}
				g.schedule(i, c2, op)
			}
			g.round(g.vecKW(i), i < 60)
		default:
			kw := g.c(sha256K[i] + wc[i])
			g.round(func(h string) { g.p("VPADDD.BCST %s, %s, %s", kw, h, h) }, true)
		}
	}
	// After round 60, e is h after round 63.
	g.p("VPADDD.BCST %s, %s, %s", g.c(iv[7]), g.st[4], g.st[4])
	g.p("VMOVDQU32 %s, (SI)", g.st[4])
	w.WriteString(`	ADDQ $64, SI
	ADDL $16, AX
	DECQ CX
	JNZ  loop

done:
	VZEROUPPER
	RET
`)
	return vectorFile("512", 16, g.consts, &w)
}
