package policy

import (
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/ballast-chain/ballast/internal/wire"
)

// fakeVerifier answers every signature with ok and counts the calls.
type fakeVerifier struct {
	ok    bool
	calls atomic.Int64
}

func (f *fakeVerifier) VerifySchnorr(*[KeySize]byte, *[32]byte, *[SignatureSize]byte) bool {
	f.calls.Add(1)
	return f.ok
}

// TestGoVerifierVectors checks the exported pure-Go verifier on every BIP340
// vector.
func TestGoVerifierVectors(t *testing.T) {
	for _, v := range loadBIP340(t) {
		got := GoVerifier{}.VerifySchnorr((*[32]byte)(v.pub), (*[32]byte)(v.msg), (*[64]byte)(v.sig))
		if got != v.valid {
			t.Errorf("vector %d (%s): GoVerifier = %v, want %v", v.index, v.comment, got, v.valid)
		}
	}
}

// TestSpendEnvVerifier checks that an injected verifier decides every
// signature, once per signature, and that the checks VerifySpend makes
// itself (length, s < n, structure) still apply.
func TestSpendEnvVerifier(t *testing.T) {
	r := newTestRing()
	env := SpendEnv{SigHash: testSigHash("verifier")}
	keyLock := wire.KeyLock(r.A)
	keyWitness := [][]byte{r.sig(t, r.A, env.SigHash)}
	p := NewThresh(2, NewKey(r.A), NewKey(r.B), NewKey(r.C))
	polLock := wire.PolicyLock(p.Hash())
	polWitness, err := BuildWitness(polLock, p, r, &env)
	if err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		name    string
		lock    wire.Lock
		witness [][]byte
		ok      bool
		calls   int64
		want    ErrorKind
	}{
		{"key accepted", keyLock, keyWitness, true, 1, ""},
		{"key rejected", keyLock, keyWitness, false, 1, ErrBadSignature},
		{"policy accepted", polLock, polWitness, true, 2, ""},
		{"policy rejected", polLock, polWitness, false, 1, ErrBadSignature},
		{"short signature", keyLock, [][]byte{keyWitness[0][:63]}, true, 0, ErrBadSignature},
		{"s = n", keyLock, [][]byte{cat(keyWitness[0][:32], mustHex(t, "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141"))}, true, 0, ErrBadSignature},
		{"threshold not met", polLock, [][]byte{polWitness[0], cat([]byte{0x01}, keyWitness[0])}, true, 0, ErrThresholdNotMet},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := &fakeVerifier{ok: tc.ok}
			e := env
			e.Verifier = f
			n, err := VerifySpend(tc.lock, tc.witness, &e)
			wantKind(t, err, tc.want)
			if got := f.calls.Load(); got != tc.calls {
				t.Errorf("verifier called %d times, want %d", got, tc.calls)
			}
			if tc.want == "" && n != int(tc.calls) {
				t.Errorf("sig checks = %d, want %d", n, tc.calls)
			}
		})
	}
}

// TestVerifierPaths checks that GoVerifier injected and the default nil
// verifier give the same answer on the BIP340 vectors and on mutated
// signatures.
func TestVerifierPaths(t *testing.T) {
	for _, v := range loadBIP340(t) {
		for bit := -1; bit < 512; bit += 37 {
			sig := append([]byte(nil), v.sig...)
			if bit >= 0 {
				sig[bit/8] ^= 1 << (bit % 8)
			}
			env := &SpendEnv{SigHash: [32]byte(v.msg)}
			_, errNil := VerifySpend(wire.KeyLock([32]byte(v.pub)), [][]byte{sig}, env)
			env.Verifier = GoVerifier{}
			_, errGo := VerifySpend(wire.KeyLock([32]byte(v.pub)), [][]byte{sig}, env)
			if (errNil == nil) != (errGo == nil) {
				t.Errorf("vector %d bit %s: nil verifier err=%v, GoVerifier err=%v", v.index, strconv.Itoa(bit), errNil, errGo)
			}
		}
	}
}

// scriptedVerifier answers false to call number failAt (0-based; -1:
// never) and true to every other, recording the checks it is asked.
type scriptedVerifier struct {
	failAt int
	checks []SigCheck
}

func (s *scriptedVerifier) VerifySchnorr(pub *[KeySize]byte, msg *[32]byte, sig *[SignatureSize]byte) bool {
	s.checks = append(s.checks, SigCheck{Pub: *pub, Msg: *msg, Sig: *sig})
	return len(s.checks)-1 != s.failAt
}

// TestEverySignatureCheckDecides checks the property batch verification
// (consensus, BatchVerifier) rests on: a spend fails whenever any one of
// its signature checks fails, and which signatures are checked does not
// depend on the answers. So a spend evaluated with every check answered
// yes, and then all its checks verified together, is judged exactly as one
// verified check by check.
func TestEverySignatureCheckDecides(t *testing.T) {
	r := newTestRing()
	env := SpendEnv{SigHash: testSigHash("decides"), TxVersion: 2, Sequence: 4320}
	A, B, C, D := NewKey(r.A), NewKey(r.B), NewKey(r.C), NewKey(r.D)
	for _, p := range []*Node{
		A,
		NewThresh(2, A, B, C),
		NewThresh(4, A, B, C, D),
		NewAnd(NewOr(A, B), NewThresh(2, C, D, NewSha256(r.digest))),
		NewOr(NewThresh(3, A, B, C), NewAnd(D, NewOlder(4320))),
	} {
		var lock wire.Lock
		var witness [][]byte
		if p == A {
			lock, witness = wire.KeyLock(r.A), [][]byte{r.sig(t, r.A, env.SigHash)}
		} else {
			lock = wire.PolicyLock(p.Hash())
			w, err := BuildWitness(lock, p, r, &env)
			if err != nil {
				t.Fatal(err)
			}
			witness = w
		}
		// Every check answered yes: the same checks the real verifier
		// makes, and the spend passes.
		yes := &scriptedVerifier{failAt: -1}
		e := env
		e.Verifier = yes
		n, err := VerifySpend(lock, witness, &e)
		if err != nil || n != len(yes.checks) || n == 0 {
			t.Fatalf("%s: all yes: %d checks recorded, VerifySpend = %d, %v", p, len(yes.checks), n, err)
		}
		for _, c := range yes.checks {
			if !(GoVerifier{}).VerifySchnorr(&c.Pub, &c.Msg, &c.Sig) {
				t.Fatalf("%s: recorded a check the real verifier fails", p)
			}
		}
		// Any single no fails the spend.
		for k := range yes.checks {
			e.Verifier = &scriptedVerifier{failAt: k}
			if _, err := VerifySpend(lock, witness, &e); err == nil {
				t.Errorf("%s: spend passes with signature check %d failing", p, k)
			} else {
				wantKind(t, err, ErrBadSignature)
			}
		}
	}
}
