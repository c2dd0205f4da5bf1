package policy

import (
	"bytes"
	"testing"

	"github.com/ballast-chain/ballast/internal/wire"
)

// countingSigner records how many signatures Satisfy asks for.
type countingSigner struct {
	Signer
	signs int
}

func (c *countingSigner) Sign(pub, msg [32]byte) ([64]byte, error) {
	c.signs++
	return c.Signer.Sign(pub, msg)
}

func TestSatisfy(t *testing.T) {
	r := newTestRing()
	m := testSigHash("satisfy")
	x := XOnly(testKey("not in the ring"))
	A, B, C, D := NewKey(r.A), NewKey(r.B), NewKey(r.C), NewKey(r.D)
	X := NewKey(x)
	noPreimage := NewKeyRing(testKey("A"), testKey("B"), testKey("C"), testKey("D"))
	base := SpendEnv{SigHash: m, TxVersion: 2}
	with := func(lockTime, seq uint32) SpendEnv {
		e := base
		e.LockTime, e.Sequence = lockTime, seq
		return e
	}
	tests := []struct {
		name   string
		n      *Node
		signer Signer
		env    SpendEnv
		want   ErrorKind
		sigs   int
		prefix []byte // expected first bytes (branch index or bitmap)
	}{
		{"key", A, r, base, "", 1, nil},
		{"unknown key", X, r, base, ErrUnsatisfiable, 0, nil},
		{"or prefers fewer sigs", NewOr(NewAnd(A, B), C), r, base, "", 1, []byte{1}},
		{"or tie takes first", NewOr(A, B), r, base, "", 1, []byte{0}},
		{"or falls back", NewOr(NewAnd(A, B), X), r, base, "", 2, []byte{0}},
		{"or unsatisfiable", NewOr(X, NewSha256([32]byte{1})), r, base, ErrUnsatisfiable, 0, nil},
		{"thresh cheapest", NewThresh(2, NewAnd(A, B), C, D), r, base, "", 2, []byte{0b110}},
		{"thresh falls back", NewThresh(2, NewAnd(A, B), C, X), r, base, "", 3, []byte{0b011}},
		{"thresh not enough", NewThresh(3, A, X, NewKey(XOnly(testKey("y")))), r, base, ErrUnsatisfiable, 0, nil},
		{"thresh 2-of-3 first two", NewThresh(2, A, B, C), r, base, "", 2, []byte{0b011}},
		{"thresh of time locks", NewThresh(2, NewAfter(100), NewOlder(10), X), r, with(100, 10), "", 0, []byte{0b011}},
		{"thresh time locks unmet", NewThresh(2, NewAfter(100), NewOlder(10), X), r, with(99, 10), ErrUnsatisfiable, 0, nil},
		{"vault recovery", NewOr(NewThresh(2, A, B, C), NewAnd(D, NewOlder(4320))), r, with(0, 4320), "", 1, []byte{1}},
		{"vault before recovery", NewOr(NewThresh(2, A, B, C), NewAnd(D, NewOlder(4320))), r, with(0, 4319), "", 2, []byte{0, 0b011}},
		{"swap claim", NewOr(NewAnd(A, NewSha256(r.digest)), NewAnd(B, NewAfter(800_000))), r, with(800_000, 0), "", 1, []byte{0}},
		{"swap refund", NewOr(NewAnd(A, NewSha256(r.digest)), NewAnd(B, NewAfter(800_000))), noPreimage, with(800_000, 0), "", 1, []byte{1}},
		{"swap too early", NewOr(NewAnd(A, NewSha256(r.digest)), NewAnd(B, NewAfter(800_000))), noPreimage, with(799_999, 0), ErrUnsatisfiable, 0, nil},
		{"after final sequence", NewAfter(5), r, with(5, SequenceFinal), ErrUnsatisfiable, 0, nil},
		{"invalid policy", NewThresh(0, A), r, base, ErrPolicyEncoding, 0, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cs := &countingSigner{Signer: tc.signer}
			sat, err := Satisfy(tc.n, cs, &tc.env)
			wantKind(t, err, tc.want)
			if err != nil {
				return
			}
			if !bytes.HasPrefix(sat, tc.prefix) {
				t.Errorf("satisfaction %x does not start with %x", sat, tc.prefix)
			}
			n, err := VerifyPolicy(tc.n, sat, &tc.env)
			if err != nil {
				t.Fatalf("VerifyPolicy of Satisfy's output: %v", err)
			}
			if n != tc.sigs || cs.signs != tc.sigs {
				t.Errorf("signatures: verified %d, signed %d, want %d", n, cs.signs, tc.sigs)
			}
		})
	}
	if _, err := Satisfy(A, nil, &base); err == nil {
		t.Error("nil signer accepted")
	}
}

// TestSatisfyValidPolicies satisfies every policy of the shared table that
// the test ring can, and checks the result verifies.
func TestSatisfyValidPolicies(t *testing.T) {
	r := newTestRing()
	for _, tc := range validPolicies(r) {
		env := &SpendEnv{SigHash: testSigHash(tc.name), TxVersion: 2, LockTime: 800_000, Sequence: 0xffff}
		sat, err := Satisfy(tc.n, r, env)
		if err != nil {
			// Policies over keys outside the ring, or time locks of the
			// other type, cannot be satisfied here.
			wantKind(t, err, ErrUnsatisfiable)
			continue
		}
		if _, err := spend(t, tc.n, sat, env); err != nil {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
}

func TestSatisfyMaxKeys(t *testing.T) {
	ring := NewKeyRing()
	keys := make([]*Node, MaxPolicyKeys)
	for i := range keys {
		keys[i] = NewKey(ring.AddKey(testKey(string(rune(i)))))
	}
	p := NewThresh(MaxPolicyKeys, keys...)
	env := &SpendEnv{SigHash: testSigHash("max")}
	sat, err := Satisfy(p, ring, env)
	if err != nil {
		t.Fatal(err)
	}
	if n, err := spend(t, p, sat, env); err != nil || n != MaxPolicyKeys {
		t.Fatalf("n=%d err=%v", n, err)
	}
}

func TestBuildWitness(t *testing.T) {
	r := newTestRing()
	m := testSigHash("witness")
	env := &SpendEnv{SigHash: m}
	p := NewThresh(2, NewKey(r.A), NewKey(r.B), NewKey(r.C))
	tests := []struct {
		name   string
		lock   wire.Lock
		policy *Node
		want   ErrorKind
		sigs   int
	}{
		{"key lock", wire.KeyLock(r.A), nil, "", 1},
		{"policy lock", wire.PolicyLock(p.Hash()), p, "", 2},
		{"key not held", wire.KeyLock(XOnly(testKey("zz"))), nil, ErrUnsatisfiable, 0},
		{"policy missing", wire.PolicyLock(p.Hash()), nil, ErrInvalidArgument, 0},
		{"wrong policy", wire.PolicyLock(p.Hash()), NewKey(r.A), ErrPolicyHashMismatch, 0},
		{"burn", wire.BurnLock([]byte("redeem")), nil, ErrUnspendable, 0},
		{"invalid policy", wire.PolicyLock(p.Hash()), NewAnd(NewKey(r.A), nil), ErrPolicyEncoding, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w, err := BuildWitness(tc.lock, tc.policy, r, env)
			wantKind(t, err, tc.want)
			if err != nil {
				return
			}
			n, err := VerifySpend(tc.lock, w, env)
			if err != nil || n != tc.sigs || CountSigChecks(w) != tc.sigs {
				t.Fatalf("VerifySpend: n=%d err=%v count=%d, want %d", n, err, CountSigChecks(w), tc.sigs)
			}
		})
	}
}

func TestKeyRing(t *testing.T) {
	var ring KeyRing // the zero value is usable
	pub := ring.AddKey(testKey("A"))
	m := testSigHash("ring")
	s1, err := ring.Sign(pub, m)
	if err != nil {
		t.Fatal(err)
	}
	s2, _ := ring.Sign(pub, m)
	if s1 != s2 {
		t.Error("signing is not deterministic")
	}
	if err := verifySig(nil, &pub, s1[:], &m); err != nil {
		t.Error(err)
	}
	if _, err := ring.Sign(XOnly(testKey("B")), m); err == nil {
		t.Error("signed for a key it does not hold")
	}
	if ring.HasKey(XOnly(testKey("B"))) || !ring.HasKey(pub) {
		t.Error("HasKey wrong")
	}
	if _, ok := ring.Preimage([32]byte{}); ok {
		t.Error("unknown preimage found")
	}
	d := ring.AddPreimage([]byte("p"))
	if p, ok := ring.Preimage(d); !ok || string(p) != "p" {
		t.Error("preimage not found")
	}
}
