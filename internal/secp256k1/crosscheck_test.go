//go:build cgo && libsecp256k1

package secp256k1

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/csv"
	"encoding/hex"
	"math/rand/v2"
	"os"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcec/v2/schnorr"

	"github.com/ballast-chain/ballast/internal/policy"
	"github.com/ballast-chain/ballast/internal/wire"
)

func newVerifier(t testing.TB) policy.SchnorrVerifier {
	t.Helper()
	v, err := NewVerifier()
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// crossCheck asks both verifiers, directly and through policy.VerifySpend,
// and fails the test if any answer differs. It returns the answer.
func crossCheck(t *testing.T, c policy.SchnorrVerifier, what string, pub, msg [32]byte, sig [64]byte) bool {
	t.Helper()
	goOK := policy.GoVerifier{}.VerifySchnorr(&pub, &msg, &sig)
	cOK := c.VerifySchnorr(&pub, &msg, &sig)
	if goOK != cOK {
		t.Fatalf("%s: pure Go says %v, libsecp256k1 says %v\npub %x\nmsg %x\nsig %x", what, goOK, cOK, pub, msg, sig)
	}
	lock := wire.KeyLock(pub)
	_, errGo := policy.VerifySpend(lock, [][]byte{sig[:]}, &policy.SpendEnv{SigHash: msg})
	_, errC := policy.VerifySpend(lock, [][]byte{sig[:]}, &policy.SpendEnv{SigHash: msg, Verifier: c})
	if (errGo == nil) != goOK || (errC == nil) != goOK {
		t.Fatalf("%s: VerifySpend disagrees with the verifiers (%v): pure Go err=%v, libsecp256k1 err=%v", what, goOK, errGo, errC)
	}
	return goOK
}

// bip340Vectors returns the rows of the BIP340 test vectors, header
// left out: index, secret key, public key, aux_rand, message, signature,
// result, comment.
func bip340Vectors(t *testing.T) [][]string {
	t.Helper()
	f, err := os.Open("../policy/testdata/bip340-test-vectors.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows[1:]
}

// TestBIP340Vectors checks both verifiers against the BIP340 vectors.
func TestBIP340Vectors(t *testing.T) {
	c := newVerifier(t)
	for _, row := range bip340Vectors(t) {
		pub, msg, sig := mustHex(t, row[2]), mustHex(t, row[4]), mustHex(t, row[5])
		want := row[6] == "TRUE"
		if got := crossCheck(t, c, "vector "+row[0], [32]byte(pub), [32]byte(msg), [64]byte(sig)); got != want {
			t.Errorf("vector %s (%s): verifies %v, want %v", row[0], row[7], got, want)
		}
	}
}

// Values at and past the bounds BIP340 checks: p (field size) for r and
// key x, n (group order) for s.
var (
	fieldP = "fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f"
	orderN = "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141"
)

// TestRangeChecks puts r, s and the key at and past their bounds in an
// otherwise valid signature; both verifiers must reject each on their own
// (btcec alone would reduce s modulo n). No valid signature has an
// encoding with s >= n except with probability about 2^-128, so these are
// the cases that can be shown.
func TestRangeChecks(t *testing.T) {
	c := newVerifier(t)
	priv := key(1)
	pub := xonly(priv)
	msg := sha256.Sum256([]byte("range"))
	sig := sign(t, priv, msg, 1)
	if !crossCheck(t, c, "base", pub, msg, sig) {
		t.Fatal("base signature does not verify")
	}
	for _, tc := range []struct {
		name, hex string
		field     int // 0 r, 1 s, 2 key
	}{
		{"r = p", fieldP, 0},
		{"r = p+1", "fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc30", 0},
		{"r = 2^256-1", "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", 0},
		{"s = n", orderN, 1},
		{"s = n+1", "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364142", 1},
		{"s = 2^256-1", "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", 1},
		{"key = p", fieldP, 2},
		{"key = 2^256-1", "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", 2},
	} {
		p, s := pub, sig
		v := [32]byte(mustHex(t, tc.hex))
		switch tc.field {
		case 0:
			copy(s[:32], v[:])
		case 1:
			copy(s[32:], v[:])
		case 2:
			p = v
		}
		if crossCheck(t, c, tc.name, p, msg, s) {
			t.Errorf("%s: accepted", tc.name)
		}
	}
}

// TestRandomCrossCheck compares the verifiers on random keys and messages:
// each valid signature, then mutated in the signature, the message and the
// key, and random garbage.
func TestRandomCrossCheck(t *testing.T) {
	n := 1000 // 5,000 cases
	if testing.Short() || raceEnabled {
		n = 150
	}
	c := newVerifier(t)
	rng := rand.New(rand.NewPCG(1, 2))
	valid := 0
	for i := range n {
		priv := key(uint64(i) + 100)
		pub := xonly(priv)
		var msg [32]byte
		fill(rng, msg[:])
		sig := sign(t, priv, msg, uint64(i))
		if crossCheck(t, c, "valid", pub, msg, sig) {
			valid++
		}

		s := sig
		bit := rng.IntN(512)
		s[bit/8] ^= 1 << (bit % 8)
		crossCheck(t, c, "sig bit flipped", pub, msg, s)

		m := msg
		m[rng.IntN(32)] ^= 1 << rng.IntN(8)
		crossCheck(t, c, "msg bit flipped", pub, m, sig)

		p := pub
		p[rng.IntN(32)] ^= 1 << rng.IntN(8)
		crossCheck(t, c, "key bit flipped", p, msg, sig)

		var g [64]byte
		fill(rng, g[:])
		crossCheck(t, c, "random signature", pub, msg, g)
	}
	if valid != n {
		t.Errorf("%d of %d fresh signatures verify", valid, n)
	}
}

// TestConcurrentVerify shares one verifier between goroutines (for -race).
func TestConcurrentVerify(t *testing.T) {
	c := newVerifier(t)
	priv := key(7)
	pub := xonly(priv)
	msg := sha256.Sum256([]byte("concurrent"))
	sig := sign(t, priv, msg, 0)
	done := make(chan bool)
	for range 4 {
		go func() {
			ok := true
			for range 200 {
				ok = ok && c.VerifySchnorr(&pub, &msg, &sig)
			}
			done <- ok
		}()
	}
	for range 4 {
		if !<-done {
			t.Error("a valid signature failed under concurrency")
		}
	}
}

func key(i uint64) *btcec.PrivateKey {
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], i)
	d := sha256.Sum256(append([]byte("ballast secp256k1 test key"), b[:]...))
	priv, _ := btcec.PrivKeyFromBytes(d[:])
	return priv
}

func xonly(priv *btcec.PrivateKey) [32]byte {
	return [32]byte(schnorr.SerializePubKey(priv.PubKey()))
}

func sign(t testing.TB, priv *btcec.PrivateKey, msg [32]byte, aux uint64) [64]byte {
	t.Helper()
	var a [32]byte
	binary.LittleEndian.PutUint64(a[:], aux)
	sig, err := schnorr.Sign(priv, msg[:], schnorr.CustomNonce(a))
	if err != nil {
		t.Fatal(err)
	}
	return [64]byte(sig.Serialize())
}

func fill(rng *rand.Rand, b []byte) {
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
}

func mustHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
