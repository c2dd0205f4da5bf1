package policy

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
)

// testKey returns a deterministic private key named by label.
func testKey(label string) *btcec.PrivateKey {
	d := sha256.Sum256([]byte("ballast policy test key " + label))
	priv, _ := btcec.PrivKeyFromBytes(d[:])
	return priv
}

// testRing holds keys A..E and the preimage "secret".
type testRing struct {
	*KeyRing
	A, B, C, D, E [32]byte
	preimage      []byte
	digest        [32]byte
}

func newTestRing() *testRing {
	r := &testRing{KeyRing: NewKeyRing()}
	r.A = r.AddKey(testKey("A"))
	r.B = r.AddKey(testKey("B"))
	r.C = r.AddKey(testKey("C"))
	r.D = r.AddKey(testKey("D"))
	r.E = r.AddKey(testKey("E"))
	r.preimage = []byte("a 32-byte hash-lock preimage....")
	r.digest = r.AddPreimage(r.preimage)
	return r
}

// sig signs msg with pub's key or fails the test.
func (r *testRing) sig(t testing.TB, pub [32]byte, msg [32]byte) []byte {
	t.Helper()
	s, err := r.Sign(pub, msg)
	if err != nil {
		t.Fatal(err)
	}
	return s[:]
}

func mustHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func cat(parts ...[]byte) []byte {
	var b []byte
	for _, p := range parts {
		b = append(b, p...)
	}
	return b
}

// wantKind checks that err is of kind want (nil want: no error).
func wantKind(t testing.TB, err error, want ErrorKind) {
	t.Helper()
	switch {
	case want == "" && err != nil:
		t.Fatalf("unexpected error: %v", err)
	case want != "" && !errors.Is(err, want):
		t.Fatalf("error = %v, want kind %s", err, want)
	}
	if want != "" {
		var re *RuleError
		if !errors.As(err, &re) {
			t.Fatalf("error %v is not a *RuleError", err)
		}
	}
}

// keyHex returns the hex of a fixed valid x-only key (the generator's x).
const genX = "79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"

func repeat(s string, n int, sep string) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = s
	}
	return strings.Join(parts, sep)
}
