package policy

import (
	"bytes"
	"encoding/csv"
	"encoding/hex"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcec/v2/schnorr"

	"github.com/ballast-chain/ballast/internal/wire"
)

type bip340Vector struct {
	index                      int
	secret, pub, aux, msg, sig []byte
	valid                      bool
	comment                    string
}

func loadBIP340(t testing.TB) []bip340Vector {
	t.Helper()
	f, err := os.Open("testdata/bip340-test-vectors.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var vs []bip340Vector
	for _, row := range rows[1:] {
		idx, err := strconv.Atoi(row[0])
		if err != nil {
			t.Fatal(err)
		}
		dec := func(s string) []byte {
			b, err := hex.DecodeString(s)
			if err != nil {
				t.Fatalf("vector %d: %v", idx, err)
			}
			return b
		}
		vs = append(vs, bip340Vector{
			index: idx, secret: dec(row[1]), pub: dec(row[2]), aux: dec(row[3]),
			msg: dec(row[4]), sig: dec(row[5]), valid: row[6] == "TRUE", comment: row[7],
		})
	}
	if len(vs) != 15 {
		t.Fatalf("read %d BIP340 vectors, want 15", len(vs))
	}
	return vs
}

// TestBIP340Vectors checks every BIP340 vector through VerifySpend: as a
// key lock, and as a key(...) policy lock. Vectors with a secret key are
// also signed with their aux randomness and must give the listed signature.
func TestBIP340Vectors(t *testing.T) {
	for _, v := range loadBIP340(t) {
		t.Run(strconv.Itoa(v.index), func(t *testing.T) {
			if len(v.msg) != 32 || len(v.pub) != 32 {
				t.Fatalf("vector %d: message or key not 32 bytes", v.index)
			}
			env := &SpendEnv{SigHash: [32]byte(v.msg)}
			pub := [32]byte(v.pub)

			n, err := VerifySpend(wire.KeyLock(pub), [][]byte{v.sig}, env)
			if v.valid {
				if err != nil || n != 1 {
					t.Fatalf("key lock: valid vector (%s) rejected: n=%d err=%v", v.comment, n, err)
				}
			} else {
				wantKind(t, err, ErrBadSignature)
			}

			policy := NewKey(pub)
			enc := policy.Encode()
			lock := wire.PolicyLock(HashEncoding(enc))
			n, err = VerifySpend(lock, [][]byte{enc, v.sig}, env)
			switch {
			case v.valid && (err != nil || n != 1):
				t.Fatalf("policy lock: valid vector rejected: n=%d err=%v", n, err)
			case !v.valid && policy.Validate() != nil:
				// An invalid key cannot appear in a policy at all.
				wantKind(t, err, ErrPolicyEncoding)
			case !v.valid:
				wantKind(t, err, ErrBadSignature)
			}

			if len(v.secret) == 0 {
				return
			}
			priv, _ := btcec.PrivKeyFromBytes(v.secret)
			if got := XOnly(priv); !bytes.Equal(got[:], v.pub) {
				t.Fatalf("public key %x, want %x", got, v.pub)
			}
			sig, err := schnorr.Sign(priv, v.msg, schnorr.CustomNonce([32]byte(v.aux)))
			if err != nil {
				t.Fatal(err)
			}
			if got := sig.Serialize(); !bytes.Equal(got, v.sig) {
				t.Fatalf("signature %x, want %x", got, v.sig)
			}
		})
	}
}

// TestSignatureSRange checks BIP340's "fail if s >= n", which btcec v2.3.5's
// ParseSignature does not enforce (it reduces s modulo n). No valid
// signature can be re-encoded with s+n below 2^256 except with probability
// about 2^-128, so the rejection cannot be shown on a signature that would
// otherwise verify; the test checks that verifySig's own range check is the
// one that fires.
func TestSignatureSRange(t *testing.T) {
	v := loadBIP340(t)[1]
	msg, pub := [32]byte(v.msg), [32]byte(v.pub)
	if err := verifySig(nil, &pub, v.sig, &msg); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{
		"fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141", // n
		"fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364142", // n+1
		"ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
	} {
		err := verifySig(nil, &pub, cat(v.sig[:32], mustHex(t, s)), &msg)
		wantKind(t, err, ErrBadSignature)
		if !strings.Contains(err.Error(), "group order") {
			t.Errorf("s=%s rejected by a later check: %v", s, err)
		}
	}
}
