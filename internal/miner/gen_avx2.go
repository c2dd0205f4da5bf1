//go:build ignore

package main

import (
	"bytes"
	"fmt"
)

// agen writes the 8-lane AVX2 kernel: as vgen, but with 16 registers the
// message ring lives in the stack frame, rotates are two shifts, and
// constants are broadcast into a register before use.
type agen struct {
	w      *bytes.Buffer
	st     [8]string
	consts []uint32
}

const (
	y0, y1, y2   = "Y8", "Y9", "Y10"
	yw, ys0, ys1 = "Y11", "Y12", "Y13"
	ysa          = "Y14"
)

func slot(i int) string { return fmt.Sprintf("%d(SP)", 32*(i%16)) }

func (g *agen) p(f string, a ...any) { fmt.Fprintf(g.w, "\t"+f+"\n", a...) }

func (g *agen) c(v uint32) string {
	for i, x := range g.consts {
		if x == v {
			return fmt.Sprintf("c256<>+%d(SB)", 4*i)
		}
	}
	g.consts = append(g.consts, v)
	return fmt.Sprintf("c256<>+%d(SB)", 4*(len(g.consts)-1))
}

// rot3 sets dst = ror(x,r1) ^ ror(x,r2) ^ (ror or shr)(x,r3).
func (g *agen) rot3(x, dst string, r1, r2, r3 int, shr bool) {
	g.p("VPSRLD $%d, %s, %s", r1, x, dst)
	g.p("VPSLLD $%d, %s, %s", 32-r1, x, ysa)
	g.p("VPXOR %s, %s, %s", ysa, dst, dst)
	g.p("VPSRLD $%d, %s, %s", r2, x, ysa)
	g.p("VPXOR %s, %s, %s", ysa, dst, dst)
	g.p("VPSLLD $%d, %s, %s", 32-r2, x, ysa)
	g.p("VPXOR %s, %s, %s", ysa, dst, dst)
	g.p("VPSRLD $%d, %s, %s", r3, x, ysa)
	g.p("VPXOR %s, %s, %s", ysa, dst, dst)
	if !shr {
		g.p("VPSLLD $%d, %s, %s", 32-r3, x, ysa)
		g.p("VPXOR %s, %s, %s", ysa, dst, dst)
	}
}

func (g *agen) round(kw func(h string), full bool) {
	a, b, c, d, e, f, gg, h := g.st[0], g.st[1], g.st[2], g.st[3], g.st[4], g.st[5], g.st[6], g.st[7]
	g.rot3(e, y0, 6, 11, 25, false)
	g.p("VPXOR %s, %s, %s", gg, f, y1)
	g.p("VPAND %s, %s, %s", e, y1, y1)
	g.p("VPXOR %s, %s, %s", gg, y1, y1)
	g.p("VPADDD %s, %s, %s", y0, h, h)
	g.p("VPADDD %s, %s, %s", y1, h, h)
	kw(h)
	g.p("VPADDD %s, %s, %s", h, d, d)
	if full {
		g.rot3(a, y0, 2, 13, 22, false)
		g.p("VPXOR %s, %s, %s", b, a, y1)
		g.p("VPXOR %s, %s, %s", c, b, y2)
		g.p("VPAND %s, %s, %s", y2, y1, y1)
		g.p("VPXOR %s, %s, %s", b, y1, y1)
		g.p("VPADDD %s, %s, %s", y0, h, h)
		g.p("VPADDD %s, %s, %s", y1, h, h)
	}
	g.st = [8]string{h, a, b, c, d, e, f, gg}
}

// schedule computes W[i] into yw and its slot.
func (g *agen) schedule(i int, isConst func(int) bool, constSum string) {
	var terms []string
	if !isConst(i - 15) {
		g.p("VMOVDQU %s, %s", slot(i-15), y2)
		g.rot3(y2, ys0, 7, 18, 3, true)
		terms = append(terms, ys0)
	}
	if !isConst(i - 2) {
		g.p("VMOVDQU %s, %s", slot(i-2), y2)
		g.rot3(y2, ys1, 17, 19, 10, true)
		terms = append(terms, ys1)
	}
	if !isConst(i - 16) {
		terms = append(terms, slot(i-16))
	}
	if !isConst(i - 7) {
		terms = append(terms, slot(i-7))
	}
	g.p("VMOVDQU %s, %s", terms[0], yw) // a register or a slot
	for _, t := range terms[1:] {
		g.p("VPADDD %s, %s, %s", t, yw, yw)
	}
	if constSum != "" {
		g.p("VPBROADCASTD %s, %s", constSum, y2)
		g.p("VPADDD %s, %s, %s", y2, yw, yw)
	}
	g.p("VMOVDQU %s, %s", yw, slot(i))
}

// vecKW adds K[i] and W[i] (in yw when fresh, else from its slot).
func (g *agen) vecKW(i int, fresh bool) func(string) {
	return func(h string) {
		g.p("VPBROADCASTD %s, %s", g.c(sha256K[i]), y2)
		if fresh {
			g.p("VPADDD %s, %s, %s", yw, y2, y2)
		} else {
			g.p("VPADDD %s, %s, %s", slot(i), y2, y2)
		}
		g.p("VPADDD %s, %s, %s", y2, h, h)
	}
}

func (g *agen) bcstKW(op string) func(string) {
	return func(h string) {
		g.p("VPBROADCASTD %s, %s", op, y2)
		g.p("VPADDD %s, %s, %s", y2, h, h)
	}
}

func genAVX2() []byte {
	var w bytes.Buffer
	g := &agen{w: &w}
	w.WriteString(`// func avx2Scan(c *jobState, nonce uint32, out []uint32)
// out[i] = word 7 of the double SHA-256 state for nonce+i; len(out) a
// multiple of 8. The frame holds the 16-word message ring.
TEXT ·avx2Scan(SB), 0, $512-40
	MOVQ c+0(FP), DI
	MOVL nonce+8(FP), AX
	MOVQ out_base+16(FP), SI
	MOVQ out_len+24(FP), CX
	SHRQ $3, CX
	JZ   done

loop:
	MOVL AX, DX
	VMOVD DX, X11
	VPBROADCASTD X11, Y11
	VPADDD lanes256<>(SB), Y11, Y11
	VPSHUFB bswap256<>(SB), Y11, Y11
	VMOVDQU Y11, 96(SP)
`)
	for j := range 8 {
		g.st[j] = fmt.Sprintf("Y%d", j)
		g.p("VPBROADCASTD (jobState_s3+%d)(DI), Y%d", 4*j, j)
	}
	c1 := func(j int) bool { return j >= 0 && j < 18 && j != 3 }
	g.round(g.vecKW(3, true), true)
	for i := 4; i < 18; i++ {
		g.round(g.bcstKW(fmt.Sprintf("(jobState_kw1+%d)(DI)", 4*i)), true)
	}
	for i := 18; i < 64; i++ {
		g.schedule(i, c1, fmt.Sprintf("(jobState_ct1+%d)(DI)", 4*i))
		g.round(g.vecKW(i, true), true)
	}
	for j := range 8 {
		g.p("VPBROADCASTD (jobState_state+%d)(DI), %s", 4*j, y2)
		g.p("VPADDD %s, %s, %s", y2, g.st[j], y2)
		g.p("VMOVDQU %s, %s", y2, slot(j))
	}
	var wc [64]uint32
	wc[8], wc[15] = 0x80000000, 256
	c2 := func(j int) bool { return j >= 8 && j < 16 }
	iv := [8]uint32{0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19}
	e := iv[4]
	t1c := iv[7] + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + (e&iv[5] ^ ^e&iv[6]) + sha256K[0]
	a := iv[0]
	t2c := (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + (a&iv[1] ^ a&iv[2] ^ iv[1]&iv[2])
	g.st = [8]string{"Y0", "Y1", "Y2", "Y3", "Y4", "Y5", "Y6", "Y7"}
	g.p("VPBROADCASTD %s, Y0", g.c(t1c+t2c))
	g.p("VPADDD %s, Y0, Y0", slot(0))
	g.p("VPBROADCASTD %s, Y4", g.c(t1c+iv[3]))
	g.p("VPADDD %s, Y4, Y4", slot(0))
	for j, v := range []uint32{iv[0], iv[1], iv[2]} {
		g.p("VPBROADCASTD %s, Y%d", g.c(v), j+1)
	}
	for j, v := range []uint32{iv[4], iv[5], iv[6]} {
		g.p("VPBROADCASTD %s, Y%d", g.c(v), j+5)
	}
	for i := 1; i < 61; i++ {
		switch {
		case i < 8:
			g.round(g.vecKW(i, false), true)
		case i >= 16:
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
			g.round(g.vecKW(i, true), i < 60)
		default:
			g.round(g.bcstKW(g.c(sha256K[i]+wc[i])), true)
		}
	}
	g.p("VPBROADCASTD %s, %s", g.c(iv[7]), y2)
	g.p("VPADDD %s, %s, %s", y2, g.st[4], y2)
	g.p("VMOVDQU %s, (SI)", y2)
	w.WriteString(`	ADDQ $32, SI
	ADDL $8, AX
	DECQ CX
	JNZ  loop

done:
	VZEROUPPER
	RET
`)
	return vectorFile("256", 8, g.consts, &w)
}
