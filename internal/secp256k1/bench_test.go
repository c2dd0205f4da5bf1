package secp256k1

import (
	"crypto/sha256"
	"fmt"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcec/v2/schnorr"

	"github.com/ballast-chain/ballast/internal/policy"
)

// BenchmarkVerify compares one BIP340 verification (key parse included) by
// the pure-Go verifier and, in a build with libsecp256k1, the C library.
func BenchmarkVerify(b *testing.B) {
	d := sha256.Sum256([]byte("bench key"))
	priv, _ := btcec.PrivKeyFromBytes(d[:])
	pub := [32]byte(schnorr.SerializePubKey(priv.PubKey()))
	msg := sha256.Sum256([]byte("bench message"))
	s, err := schnorr.Sign(priv, msg[:])
	if err != nil {
		b.Fatal(err)
	}
	sig := [64]byte(s.Serialize())
	verifiers := []struct {
		name string
		v    policy.SchnorrVerifier
	}{{"go", policy.GoVerifier{}}}
	if c, err := NewVerifier(); err == nil {
		verifiers = append(verifiers, struct {
			name string
			v    policy.SchnorrVerifier
		}{"cgo", c})
	}
	for _, tc := range verifiers {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if !tc.v.VerifySchnorr(&pub, &msg, &sig) {
					b.Fatal("does not verify")
				}
			}
		})
	}
}

// benchChecks returns n valid checks (distinct messages under 256 keys),
// signed on first use and shared by the benchmarks.
func benchChecks(b *testing.B, n int) []policy.SigCheck {
	for len(benchPool) < n {
		i := len(benchPool)
		d := sha256.Sum256(fmt.Appendf(nil, "bench key %d", i%256))
		priv, _ := btcec.PrivKeyFromBytes(d[:])
		msg := sha256.Sum256(fmt.Appendf(nil, "bench message %d", i))
		s, err := schnorr.Sign(priv, msg[:])
		if err != nil {
			b.Fatal(err)
		}
		benchPool = append(benchPool, policy.SigCheck{
			Pub: [32]byte(schnorr.SerializePubKey(priv.PubKey())), Msg: msg, Sig: [64]byte(s.Serialize()),
		})
	}
	return benchPool[:n]
}

var benchPool []policy.SigCheck

// BenchmarkVerifyBatch measures VerifyBatch on valid batches of each size,
// per signature (ns/sig; ns/op is per batch). Compare ns/sig with
// BenchmarkVerify/cgo, one signature at a time.
func BenchmarkVerifyBatch(b *testing.B) {
	v, err := NewVerifier()
	if err != nil {
		b.Skip(err)
	}
	bv := v.(policy.BatchVerifier)
	for _, n := range []int{1, 8, 16, 32, 64, 256, 1024, 4096} {
		checks := benchChecks(b, n)
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if !bv.VerifyBatch(checks) {
					b.Fatal("does not verify")
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/sig")
		})
	}
}
