package secp256k1

import (
	"crypto/sha256"
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
