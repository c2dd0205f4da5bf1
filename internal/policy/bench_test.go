package policy

import (
	"testing"

	"github.com/ballast-chain/ballast/internal/wire"
)

func BenchmarkVerifySpendKey(b *testing.B) {
	r := newTestRing()
	env := &SpendEnv{SigHash: testSigHash("bench")}
	lock := wire.KeyLock(r.A)
	witness := [][]byte{r.sig(b, r.A, env.SigHash)}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := VerifySpend(lock, witness, env); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerifySpendThresh2of3(b *testing.B) {
	r := newTestRing()
	env := &SpendEnv{SigHash: testSigHash("bench")}
	p := NewThresh(2, NewKey(r.A), NewKey(r.B), NewKey(r.C))
	lock := wire.PolicyLock(p.Hash())
	witness, err := BuildWitness(lock, p, r, env)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if n, err := VerifySpend(lock, witness, env); err != nil || n != 2 {
			b.Fatal(n, err)
		}
	}
}

func benchDecodeHash(b *testing.B, p *Node) {
	enc := p.Encode()
	b.SetBytes(int64(len(enc)))
	b.ReportAllocs()
	for b.Loop() {
		n, err := Decode(enc)
		if err != nil {
			b.Fatal(err)
		}
		_ = HashEncoding(enc)
		_ = n
	}
}

func BenchmarkDecodeHash2of3(b *testing.B) {
	r := newTestRing()
	benchDecodeHash(b, NewThresh(2, NewKey(r.A), NewKey(r.B), NewKey(r.C)))
}

func BenchmarkDecodeHashVault(b *testing.B) {
	r := newTestRing()
	benchDecodeHash(b, NewOr(NewThresh(2, NewKey(r.A), NewKey(r.B), NewKey(r.C)), NewAnd(NewKey(r.D), NewOlder(4320))))
}

// BenchmarkDecodeHashMaxKeys is the worst case for decoding: 100 keys, each
// checked to be on the curve.
func BenchmarkDecodeHashMaxKeys(b *testing.B) {
	keys := make([]*Node, MaxPolicyKeys)
	for i := range keys {
		keys[i] = NewKey(XOnly(testKey(string(rune(i)))))
	}
	benchDecodeHash(b, NewThresh(1, keys...))
}

func BenchmarkCountSigChecks2of3(b *testing.B) {
	r := newTestRing()
	env := &SpendEnv{SigHash: testSigHash("bench")}
	p := NewThresh(2, NewKey(r.A), NewKey(r.B), NewKey(r.C))
	witness, err := BuildWitness(wire.PolicyLock(p.Hash()), p, r, env)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if CountSigChecks(witness) != 2 {
			b.Fatal("wrong count")
		}
	}
}

func BenchmarkSatisfy2of3(b *testing.B) {
	r := newTestRing()
	env := &SpendEnv{SigHash: testSigHash("bench")}
	p := NewThresh(2, NewKey(r.A), NewKey(r.B), NewKey(r.C))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Satisfy(p, r, env); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseText2of3(b *testing.B) {
	r := newTestRing()
	s := NewThresh(2, NewKey(r.A), NewKey(r.B), NewKey(r.C)).String()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseText(s); err != nil {
			b.Fatal(err)
		}
	}
}
