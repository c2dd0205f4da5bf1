//go:build ignore

// gen_asm writes the amd64 kernels: go run gen_asm.go gen_avx512.go gen_avx2.go
package main

import (
	"bytes"
	"fmt"
	"os"
)

// stream is one nonce's registers: the SHA-NI state pair (s0 holds ABEF
// after an even number of SHA256RNDS2), the four message words groups and a
// temporary. X0 is SHA256RNDS2's implicit operand, shared by the streams:
// every use of it is emitted inside one chunk.
type stream struct {
	s0, s1, t string
	m         [4]string
	nonce     string // general register holding the byte-swapped nonce
}

type chunk []string

func ins(f string, a ...any) string { return fmt.Sprintf("\t"+f, a...) }

// rounds returns the 4-round step of group g: X0 = wk, two SHA256RNDS2.
func rounds(s stream, wk string) chunk {
	return chunk{
		wk,
		ins("SHA256RNDS2 X0, %s, %s", s.s0, s.s1),
		ins("PSHUFD $0x0e, X0, X0"),
		ins("SHA256RNDS2 X0, %s, %s", s.s1, s.s0),
	}
}

// schedule returns the message schedule work done in group g (4..14 generic).
func msg2(s stream, g int) chunk {
	return chunk{
		ins("VPALIGNR $4, %s, %s, %s", s.m[(g+3)%4], s.m[g%4], s.t),
		ins("VPADDD %s, %s, %s", s.t, s.m[(g+1)%4], s.m[(g+1)%4]),
		ins("SHA256MSG2 %s, %s", s.m[g%4], s.m[(g+1)%4]),
	}
}

func msg1(s stream, g int) chunk {
	return chunk{ins("SHA256MSG1 %s, %s", s.m[g%4], s.m[(g+3)%4])}
}

func k(g int) string { return fmt.Sprintf("shaK<>+%d(SB)", 16*g) }

// generic emits groups from..15 (group 15 only its first two rounds when
// last, which leave h64 in lane 0 of s1).
func generic(s stream, from int, last bool) []chunk {
	var cs []chunk
	for g := from; g < 16; g++ {
		wk := ins("VPADDD %s, %s, X0", k(g), s.m[g%4])
		if g == 15 && last {
			cs = append(cs, chunk{wk, ins("SHA256RNDS2 X0, %s, %s", s.s0, s.s1)})
			break
		}
		cs = append(cs, rounds(s, wk))
		if g <= 14 {
			cs = append(cs, msg2(s, g))
		}
		if g <= 12 {
			cs = append(cs, msg1(s, g))
		}
	}
	return cs
}

// block1 is the header's second chunk: rounds 0 and 1 are precomputed
// (jobState.st2), words 4..15 are constant per job.
func block1(s stream) []chunk {
	f := func(name string) string { return "jobState_" + name + "(DI)" }
	cs := []chunk{
		{
			ins("VMOVDQU %s, %s", f("w0"), s.m[0]),
			ins("PINSRD $3, %s, %s", s.nonce, s.m[0]),
			ins("VMOVDQU %s, %s", f("st2"), s.s1),
			ins("VMOVDQU (jobState_st2+16)(DI), %s", s.s0),
		},
		{
			ins("VPADDD %s, %s, X0", k(0), s.m[0]),
			ins("PSHUFD $0x0e, X0, X0"),
			ins("SHA256RNDS2 X0, %s, %s", s.s1, s.s0),
		},
		// group 1
		{ins("VMOVDQU %s, %s", f("w1"), s.m[1])},
		rounds(s, ins("VMOVDQU %s, X0", f("wk1"))),
		{ins("SHA256MSG1 %s, %s", s.m[1], s.m[0]), ins("VMOVDQU %s, %s", f("m1"), s.m[1])},
		// group 2: m1 = msg1(w1, w2) precomputed
		rounds(s, ins("VMOVDQU %s, X0", f("wk2"))),
		// group 3: m2 = msg1(w2, w3), a3 = palignr(w3, w2) precomputed
		{ins("VMOVDQU %s, %s", f("m2"), s.m[2]), ins("VMOVDQU %s, %s", f("w3"), s.m[3])},
		rounds(s, ins("VMOVDQU %s, X0", f("wk3"))),
		{ins("VPADDD %s, %s, %s", f("a3"), s.m[0], s.m[0]), ins("SHA256MSG2 %s, %s", s.m[3], s.m[0])},
	}
	cs = append(cs, generic(s, 4, false)...)
	cs = append(cs, chunk{
		ins("VPADDD %s, %s, %s", f("mid"), s.s0, s.s0),
		ins("VPADDD (jobState_mid+16)(DI), %s, %s", s.s1, s.s1),
	})
	return cs
}

// block2 hashes the 32-byte digest in s0/s1 (ABEF, CDGH) with its padding.
func block2(s stream) []chunk {
	cs := []chunk{
		{
			ins("VPUNPCKHQDQ %s, %s, %s", s.s1, s.s0, s.m[0]),
			ins("VPUNPCKLQDQ %s, %s, %s", s.s1, s.s0, s.m[1]),
			ins("PSHUFD $0xb1, %s, %s", s.m[0], s.m[0]),
			ins("PSHUFD $0xb1, %s, %s", s.m[1], s.m[1]),
			ins("VMOVDQU ivABEF<>(SB), %s", s.s0),
			ins("VMOVDQU ivCDGH<>(SB), %s", s.s1),
		},
		rounds(s, ins("VPADDD %s, %s, X0", k(0), s.m[0])),
		rounds(s, ins("VPADDD %s, %s, X0", k(1), s.m[1])),
		{ins("SHA256MSG1 %s, %s", s.m[1], s.m[0]), ins("VMOVDQU pad1<>(SB), %s", s.m[2])},
		rounds(s, ins("VMOVDQU pad1K<>(SB), X0")),
		{ins("SHA256MSG1 %s, %s", s.m[2], s.m[1]), ins("VMOVDQU pad2<>(SB), %s", s.m[3])},
		// group 3: palignr(pad2, pad1) is zero and msg1(pad1, pad2) = pad1.
		rounds(s, ins("VMOVDQU pad2K<>(SB), X0")),
		{ins("SHA256MSG2 %s, %s", s.m[3], s.m[0])},
	}
	return append(cs, generic(s, 4, true)...)
}

func interleave(w *bytes.Buffer, streams [][]chunk) {
	for i := 0; ; i++ {
		done := true
		for _, cs := range streams {
			if i < len(cs) {
				done = false
				for _, l := range cs[i] {
					fmt.Fprintln(w, l)
				}
			}
		}
		if done {
			return
		}
	}
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

var iv = [8]uint32{0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19}

// vectorFile assembles a vector kernel's file: the header, its round
// constants and lane tables (named after the register width), then body.
func vectorFile(width string, lanes int, consts []uint32, body *bytes.Buffer) []byte {
	var out bytes.Buffer
	out.WriteString("// Code generated by gen_asm.go; DO NOT EDIT.\n\n//go:build amd64\n\n#include \"textflag.h\"\n#include \"go_asm.h\"\n\n")
	data(&out, "c"+width, consts)
	var lane, bswap []uint32
	for i := range lanes {
		lane = append(lane, uint32(i))
		bswap = append(bswap, 0x00010203+0x04040404*uint32(i%4))
	}
	data(&out, "lanes"+width, lane)
	data(&out, "bswap"+width, bswap)
	out.Write(body.Bytes())
	return out.Bytes()
}

func data(w *bytes.Buffer, name string, words []uint32) {
	for i, v := range words {
		fmt.Fprintf(w, "DATA %s<>+%d(SB)/4, $0x%08x\n", name, 4*i, v)
	}
	fmt.Fprintf(w, "GLOBL %s<>(SB), RODATA|NOPTR, $%d\n\n", name, 4*len(words))
}

func main() {
	var w bytes.Buffer
	w.WriteString(`// Code generated by gen_asm.go; DO NOT EDIT.

//go:build amd64

#include "textflag.h"
#include "go_asm.h"

`)
	data(&w, "shaK", sha256K[:])
	data(&w, "ivABEF", []uint32{iv[5], iv[4], iv[1], iv[0]})
	data(&w, "ivCDGH", []uint32{iv[7], iv[6], iv[3], iv[2]})
	data(&w, "pad1", []uint32{0x80000000, 0, 0, 0})
	data(&w, "pad2", []uint32{0, 0, 0, 256})
	data(&w, "pad1K", []uint32{0x80000000 + sha256K[8], sha256K[9], sha256K[10], sha256K[11]})
	data(&w, "pad2K", []uint32{sha256K[12], sha256K[13], sha256K[14], 256 + sha256K[15]})

	a := stream{s0: "X1", s1: "X2", t: "X7", m: [4]string{"X3", "X4", "X5", "X6"}, nonce: "BX"}
	b := stream{s0: "X8", s1: "X9", t: "X14", m: [4]string{"X10", "X11", "X12", "X13"}, nonce: "DX"}
	w.WriteString(`// func shaniScan(c *jobState, nonce uint32, out []uint32)
// out[i] = word 7 of the double SHA-256 state for nonce+i; len(out) even.
TEXT ·shaniScan(SB), NOSPLIT, $0-40
	MOVQ c+0(FP), DI
	MOVL nonce+8(FP), AX
	MOVQ out_base+16(FP), SI
	MOVQ out_len+24(FP), CX
	SHRQ $1, CX
	JZ   done

loop:
	MOVL  AX, BX
	BSWAPL BX
	LEAL  1(AX), DX
	BSWAPL DX
`)
	interleave(&w, [][]chunk{block1(a), block1(b)})
	interleave(&w, [][]chunk{block2(a), block2(b)})
	fmt.Fprintf(&w, `	MOVL %s, BX
	ADDL $0x%08x, BX
	MOVL BX, (SI)
	MOVL %s, DX
	ADDL $0x%08x, DX
	MOVL DX, 4(SI)
	ADDQ $8, SI
	ADDL $2, AX
	DECQ CX
	JNZ  loop

done:
	RET
`, a.s1, iv[7], b.s1, iv[7])
	if err := os.WriteFile("kernel_shani_amd64.s", w.Bytes(), 0o644); err != nil {
		panic(err)
	}
	if err := os.WriteFile("kernel_avx512_amd64.s", genAVX512(), 0o644); err != nil {
		panic(err)
	}
	if err := os.WriteFile("kernel_avx2_amd64.s", genAVX2(), 0o644); err != nil {
		panic(err)
	}
}
