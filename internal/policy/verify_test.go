package policy

import (
	"bytes"
	"crypto/sha256"
	"testing"

	"github.com/ballast-chain/ballast/internal/chainhash"
	"github.com/ballast-chain/ballast/internal/wire"
)

func testSigHash(label string) [32]byte { return sha256.Sum256([]byte("sighash " + label)) }

// spend checks sat against n through VerifySpend with a policy lock, and
// checks CountSigChecks against the result.
func spend(t *testing.T, n *Node, sat []byte, env *SpendEnv) (int, error) {
	t.Helper()
	enc := n.Encode()
	witness := [][]byte{enc, sat}
	got, err := VerifySpend(wire.PolicyLock(n.Hash()), witness, env)
	if count := CountSigChecks(witness); err == nil && count != got {
		t.Errorf("VerifySpend checked %d signatures, CountSigChecks says %d", got, count)
	}
	if err != nil && got != 0 {
		t.Errorf("failed VerifySpend returned count %d", got)
	}
	return got, err
}

func TestVerifySpendKeyLock(t *testing.T) {
	r := newTestRing()
	m := testSigHash("key")
	env := &SpendEnv{SigHash: m}
	good := r.sig(t, r.A, m)
	lock := wire.KeyLock(r.A)
	tests := []struct {
		name    string
		lock    wire.Lock
		witness [][]byte
		env     *SpendEnv
		want    ErrorKind
	}{
		{"valid", lock, [][]byte{good}, env, ""},
		{"other sighash", lock, [][]byte{r.sig(t, r.A, testSigHash("other"))}, env, ErrBadSignature},
		{"other key", lock, [][]byte{r.sig(t, r.B, m)}, env, ErrBadSignature},
		{"flipped bit", lock, [][]byte{cat(good[:63], []byte{good[63] ^ 1})}, env, ErrBadSignature},
		{"63 bytes", lock, [][]byte{good[:63]}, env, ErrBadSignature},
		{"65 bytes sighash byte", lock, [][]byte{cat(good, []byte{0x01})}, env, ErrBadSignature},
		{"65 bytes zero byte", lock, [][]byte{cat(good, []byte{0x00})}, env, ErrBadSignature},
		{"empty sig", lock, [][]byte{{}}, env, ErrBadSignature},
		{"no items", lock, nil, env, ErrWitnessShape},
		{"two items", lock, [][]byte{good, good}, env, ErrWitnessShape},
		{"burn", wire.BurnLock(nil), [][]byte{good}, env, ErrUnspendable},
		{"burn with key data", wire.BurnLock(r.A[:]), [][]byte{good}, env, ErrUnspendable},
		{"unknown kind", wire.Lock{Kind: 3, Data: r.A[:]}, [][]byte{good}, env, ErrUnspendable},
		{"short key lock", wire.Lock{Kind: wire.LockKey, Data: r.A[:31]}, [][]byte{good}, env, ErrUnspendable},
		{"short policy lock", wire.Lock{Kind: wire.LockPolicy, Data: r.A[:31]}, [][]byte{good, nil}, env, ErrUnspendable},
		{"nil env", lock, [][]byte{good}, nil, ErrInvalidArgument},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n, err := VerifySpend(tc.lock, tc.witness, tc.env)
			wantKind(t, err, tc.want)
			if want := map[bool]int{true: 1, false: 0}[tc.want == ""]; n != want {
				t.Errorf("sigChecks = %d, want %d", n, want)
			}
		})
	}
}

func TestVerifyThreshold(t *testing.T) {
	r := newTestRing()
	m := testSigHash("thresh")
	env := &SpendEnv{SigHash: m}
	keys := [][32]byte{r.A, r.B, r.C}
	p := NewThresh(2, NewKey(r.A), NewKey(r.B), NewKey(r.C))
	sigs := [][]byte{r.sig(t, r.A, m), r.sig(t, r.B, m), r.sig(t, r.C, m)}
	// Every pair satisfies it, with exactly two signature checks.
	for _, pair := range [][2]int{{0, 1}, {0, 2}, {1, 2}} {
		bitmap := byte(1<<pair[0] | 1<<pair[1])
		sat := cat([]byte{bitmap}, sigs[pair[0]], sigs[pair[1]])
		n, err := spend(t, p, sat, env)
		if err != nil || n != 2 {
			t.Errorf("pair %v: n=%d err=%v", pair, n, err)
		}
		// Swapped signatures fail.
		swapped := cat([]byte{bitmap}, sigs[pair[1]], sigs[pair[0]])
		_, err = spend(t, p, swapped, env)
		wantKind(t, err, ErrBadSignature)
	}
	otherKeySig := r.sig(t, r.D, m)
	tests := []struct {
		name string
		sat  []byte
		want ErrorKind
	}{
		{"one bit", cat([]byte{0b001}, sigs[0]), ErrThresholdNotMet},
		{"no bits", []byte{0}, ErrThresholdNotMet},
		{"three bits", cat([]byte{0b111}, sigs[0], sigs[1], sigs[2]), ErrSatisfactionEncoding},
		{"unused bit 3", cat([]byte{0b1011}, sigs[0], sigs[1]), ErrSatisfactionEncoding},
		{"unused bit 7", cat([]byte{0b10000011}, sigs[0], sigs[1]), ErrSatisfactionEncoding},
		{"missing sig", cat([]byte{0b011}, sigs[0]), ErrSatisfactionEncoding},
		{"extra sig", cat([]byte{0b011}, sigs[0], sigs[1], sigs[2]), ErrSatisfactionEncoding},
		{"empty", nil, ErrSatisfactionEncoding},
		{"sig by another key", cat([]byte{0b011}, sigs[0], otherKeySig), ErrBadSignature},
		{"sig over another hash", cat([]byte{0b011}, sigs[0], r.sig(t, keys[1], testSigHash("x"))), ErrBadSignature},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := spend(t, p, tc.sat, env)
			wantKind(t, err, tc.want)
		})
	}

	// A threshold over more than 8 children uses a two-byte bitmap.
	var children []*Node
	for range 9 {
		children = append(children, NewAfter(1))
	}
	children[8] = NewKey(r.E)
	wide := NewThresh(2, children...)
	wenv := &SpendEnv{SigHash: m, LockTime: 1}
	eSig := r.sig(t, r.E, m)
	if n, err := spend(t, wide, cat([]byte{0b1, 0b1}, eSig), wenv); err != nil || n != 1 {
		t.Errorf("9-child thresh: n=%d err=%v", n, err)
	}
	_, err := spend(t, wide, cat([]byte{0b1, 0b11}, eSig), wenv)
	wantKind(t, err, ErrSatisfactionEncoding)
	_, err = spend(t, wide, []byte{0b11}, wenv)
	wantKind(t, err, ErrSatisfactionEncoding)
}

func TestVerifyAndOr(t *testing.T) {
	r := newTestRing()
	m := testSigHash("andor")
	env := &SpendEnv{SigHash: m, LockTime: 100}
	// or(and(A,B), and(C, after(100)))
	p := NewOr(NewAnd(NewKey(r.A), NewKey(r.B)), NewAnd(NewKey(r.C), NewAfter(100)))
	a, b, c := r.sig(t, r.A, m), r.sig(t, r.B, m), r.sig(t, r.C, m)
	tests := []struct {
		name  string
		sat   []byte
		env   *SpendEnv
		want  ErrorKind
		count int
	}{
		{"branch 0", cat([]byte{0}, a, b), env, "", 2},
		{"branch 1", cat([]byte{1}, c), env, "", 1},
		{"branch 1 too early", cat([]byte{1}, c), &SpendEnv{SigHash: m, LockTime: 99}, ErrTimelockUnsatisfied, 0},
		{"branch 0 missing sig", cat([]byte{0}, a), env, ErrSatisfactionEncoding, 0},
		{"branch 0 swapped", cat([]byte{0}, b, a), env, ErrBadSignature, 0},
		{"branch 1 with branch 0 sigs", cat([]byte{1}, a), env, ErrBadSignature, 0},
		{"branch 2", cat([]byte{2}, c), env, ErrSatisfactionEncoding, 0},
		{"branch 0xfc", cat([]byte{0xfc}, c), env, ErrSatisfactionEncoding, 0},
		{"branch non-minimal", cat([]byte{0xfd, 1, 0}, c), env, ErrSatisfactionEncoding, 0},
		{"branch truncated", []byte{0xfd, 1}, env, ErrSatisfactionEncoding, 0},
		{"trailing byte", cat([]byte{1}, c, []byte{0}), env, ErrSatisfactionEncoding, 0},
		{"no index", nil, env, ErrSatisfactionEncoding, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n, err := spend(t, p, tc.sat, tc.env)
			wantKind(t, err, tc.want)
			if n != tc.count {
				t.Errorf("sigChecks = %d, want %d", n, tc.count)
			}
		})
	}
}

func TestVerifyTimelocks(t *testing.T) {
	const (
		height = 100
		time   = LockTimeThreshold + 1000
		relH   = 10
		relT   = SequenceLockTimeIsSeconds | 10
	)
	tests := []struct {
		name string
		n    *Node
		env  SpendEnv
		want ErrorKind
	}{
		{"after height at", NewAfter(height), SpendEnv{LockTime: height}, ""},
		{"after height above", NewAfter(height), SpendEnv{LockTime: height + 1}, ""},
		{"after height below", NewAfter(height), SpendEnv{LockTime: height - 1}, ErrTimelockUnsatisfied},
		{"after height, time locktime", NewAfter(height), SpendEnv{LockTime: LockTimeThreshold}, ErrTimelockUnsatisfied},
		{"after height, last height", NewAfter(height), SpendEnv{LockTime: LockTimeThreshold - 1}, ""},
		{"after height, final sequence", NewAfter(height), SpendEnv{LockTime: height, Sequence: SequenceFinal}, ErrTimelockUnsatisfied},
		{"after height, sequence final-1", NewAfter(height), SpendEnv{LockTime: height, Sequence: SequenceFinal - 1}, ""},
		{"after time at", NewAfter(time), SpendEnv{LockTime: time}, ""},
		{"after time below", NewAfter(time), SpendEnv{LockTime: time - 1}, ErrTimelockUnsatisfied},
		{"after time, height locktime", NewAfter(time), SpendEnv{LockTime: height}, ErrTimelockUnsatisfied},
		{"after threshold at", NewAfter(LockTimeThreshold), SpendEnv{LockTime: LockTimeThreshold}, ""},
		{"after threshold, height", NewAfter(LockTimeThreshold), SpendEnv{LockTime: LockTimeThreshold - 1}, ErrTimelockUnsatisfied},
		{"after max", NewAfter(0xffffffff), SpendEnv{LockTime: 0xffffffff}, ""},

		{"older blocks at", NewOlder(relH), SpendEnv{TxVersion: 2, Sequence: relH}, ""},
		{"older blocks above", NewOlder(relH), SpendEnv{TxVersion: 2, Sequence: relH + 1}, ""},
		{"older blocks below", NewOlder(relH), SpendEnv{TxVersion: 2, Sequence: relH - 1}, ErrTimelockUnsatisfied},
		{"older blocks, version 1", NewOlder(relH), SpendEnv{TxVersion: 1, Sequence: relH}, ErrTimelockUnsatisfied},
		{"older blocks, version 0", NewOlder(relH), SpendEnv{TxVersion: 0, Sequence: relH}, ErrTimelockUnsatisfied},
		{"older blocks, version max", NewOlder(relH), SpendEnv{TxVersion: 0xffffffff, Sequence: relH}, ""},
		{"older blocks, disabled", NewOlder(relH), SpendEnv{TxVersion: 2, Sequence: SequenceLockTimeDisabled | relH}, ErrTimelockUnsatisfied},
		{"older blocks, final", NewOlder(relH), SpendEnv{TxVersion: 2, Sequence: SequenceFinal}, ErrTimelockUnsatisfied},
		{"older blocks, time sequence", NewOlder(relH), SpendEnv{TxVersion: 2, Sequence: relT}, ErrTimelockUnsatisfied},
		{"older blocks, unmasked bits ignored", NewOlder(relH), SpendEnv{TxVersion: 2, Sequence: 1<<16 | 1<<30 | relH}, ""},
		{"older blocks, high amount bits", NewOlder(relH), SpendEnv{TxVersion: 2, Sequence: 1 << 16}, ErrTimelockUnsatisfied},
		{"older time at", NewOlder(relT), SpendEnv{TxVersion: 2, Sequence: relT}, ""},
		{"older time below", NewOlder(relT), SpendEnv{TxVersion: 2, Sequence: relT - 1}, ErrTimelockUnsatisfied},
		{"older time, blocks sequence", NewOlder(relT), SpendEnv{TxVersion: 2, Sequence: relH}, ErrTimelockUnsatisfied},
		{"older max", NewOlder(0xffff), SpendEnv{TxVersion: 2, Sequence: 0xffff}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n, err := spend(t, tc.n, nil, &tc.env)
			wantKind(t, err, tc.want)
			if n != 0 {
				t.Errorf("sigChecks = %d, want 0", n)
			}
		})
	}
}

func TestVerifyHashLock(t *testing.T) {
	r := newTestRing()
	if len(r.preimage) != PreimageSize {
		t.Fatalf("test preimage is %d bytes", len(r.preimage))
	}
	p := NewSha256(r.digest)
	env := &SpendEnv{}
	wrong := bytes.Repeat([]byte{7}, 32)
	tests := []struct {
		name string
		sat  []byte
		want ErrorKind
	}{
		{"right", r.preimage, ""},
		{"wrong", wrong, ErrHashPreimage},
		{"31 bytes", r.preimage[:31], ErrSatisfactionEncoding},
		{"33 bytes", cat(r.preimage, []byte{0}), ErrSatisfactionEncoding},
		{"empty", nil, ErrSatisfactionEncoding},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := spend(t, p, tc.sat, env)
			wantKind(t, err, tc.want)
		})
	}
	// A short secret is not a valid preimage even when it hashes right:
	// preimages are exactly 32 bytes.
	short := NewSha256Preimage([]byte("short"))
	_, err := spend(t, short, cat([]byte("short"), make([]byte, 27)), env)
	wantKind(t, err, ErrHashPreimage)
}

func TestVerifySpendPolicyLock(t *testing.T) {
	r := newTestRing()
	m := testSigHash("policy lock")
	env := &SpendEnv{SigHash: m}
	p := NewAnd(NewKey(r.A), NewKey(r.B))
	enc := p.Encode()
	sat := cat(r.sig(t, r.A, m), r.sig(t, r.B, m))
	lock := wire.PolicyLock(p.Hash())

	other := NewAnd(NewKey(r.B), NewKey(r.A))
	garbage := []byte{0x03, 0x01, 0x05, 1, 0, 0, 0} // and() with one child
	huge := make([]byte, MaxPolicySize+1)
	tests := []struct {
		name    string
		lock    wire.Lock
		witness [][]byte
		want    ErrorKind
	}{
		{"valid", lock, [][]byte{enc, sat}, ""},
		{"other policy", lock, [][]byte{other.Encode(), sat}, ErrPolicyHashMismatch},
		{"policy plus byte", lock, [][]byte{cat(enc, []byte{0}), sat}, ErrPolicyHashMismatch},
		{"one item", lock, [][]byte{enc}, ErrWitnessShape},
		{"three items", lock, [][]byte{enc, sat, nil}, ErrWitnessShape},
		{"no items", lock, nil, ErrWitnessShape},
		{"key-lock witness", lock, [][]byte{sat[:64]}, ErrWitnessShape},
		{"policy witness on key lock", wire.KeyLock(r.A), [][]byte{enc, sat}, ErrWitnessShape},
		{"malformed policy matching lock", wire.PolicyLock(HashEncoding(garbage)), [][]byte{garbage, nil}, ErrPolicyEncoding},
		{"oversized policy", wire.PolicyLock(HashEncoding(huge)), [][]byte{huge, nil}, ErrPolicyLimits},
		{"satisfaction swapped", lock, [][]byte{enc, cat(sat[64:], sat[:64])}, ErrBadSignature},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n, err := VerifySpend(tc.lock, tc.witness, env)
			wantKind(t, err, tc.want)
			if tc.want == "" && n != 2 {
				t.Errorf("sigChecks = %d, want 2", n)
			}
		})
	}
}

// TestCheapChecksFirst: a satisfaction that is invalid for a cheap reason
// is rejected for it even when a signature before it is also bad, so no
// signature is checked.
func TestCheapChecksFirst(t *testing.T) {
	r := newTestRing()
	m := testSigHash("order")
	p := NewAnd(NewKey(r.A), NewAfter(100), NewSha256(r.digest))
	bad := make([]byte, 64)
	tests := []struct {
		name string
		sat  []byte
		env  SpendEnv
		want ErrorKind
	}{
		{"bad sig, early locktime", cat(bad, r.preimage), SpendEnv{SigHash: m, LockTime: 99}, ErrTimelockUnsatisfied},
		{"bad sig, wrong preimage", cat(bad, bad[:32]), SpendEnv{SigHash: m, LockTime: 100}, ErrHashPreimage},
		{"bad sig, trailing", cat(bad, r.preimage, []byte{1}), SpendEnv{SigHash: m, LockTime: 100}, ErrSatisfactionEncoding},
		{"bad sig only", cat(bad, r.preimage), SpendEnv{SigHash: m, LockTime: 100}, ErrBadSignature},
		{"valid", cat(r.sig(t, r.A, m), r.preimage), SpendEnv{SigHash: m, LockTime: 100}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := VerifyPolicy(p, tc.sat, &tc.env)
			wantKind(t, err, tc.want)
		})
	}
}

// TestVerifyPolicyHandBuilt: trees that Decode would never return are
// rejected without panicking.
func TestVerifyPolicyHandBuilt(t *testing.T) {
	r := newTestRing()
	env := &SpendEnv{LockTime: 1}
	cycle := NewAnd(NewAfter(1), nil)
	cycle.Children[1] = cycle
	keys := make([]*Node, MaxPolicyKeys+1)
	for i := range keys {
		keys[i] = NewKey(r.A)
	}
	tests := []struct {
		name string
		n    *Node
		sat  []byte
		want ErrorKind
	}{
		{"nil", nil, nil, ErrInvalidArgument},
		{"nil child", NewAnd(NewAfter(1), nil), nil, ErrPolicyEncoding},
		{"unknown kind", &Node{Kind: 0}, nil, ErrPolicyEncoding},
		{"thresh k>n", NewThresh(3, NewAfter(1)), []byte{1}, ErrPolicyEncoding},
		{"thresh no children", NewThresh(1), []byte{1}, ErrPolicyEncoding},
		{"or no children", NewOr(), []byte{0}, ErrSatisfactionEncoding},
		{"cycle", cycle, nil, ErrPolicyLimits},
		{"too many keys", NewAnd(keys...), make([]byte, 64*len(keys)), ErrPolicyLimits},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := VerifyPolicy(tc.n, tc.sat, env)
			wantKind(t, err, tc.want)
		})
	}
	if _, err := VerifyPolicy(NewAfter(1), nil, nil); err == nil {
		t.Error("nil env accepted")
	}
}

func TestCountSigChecks(t *testing.T) {
	r := newTestRing()
	p := NewThresh(2, NewKey(r.A), NewKey(r.B), NewAnd(NewKey(r.C), NewKey(r.D)))
	enc := p.Encode()
	sig := make([]byte, 64) // counting needs no valid signature
	tests := []struct {
		name    string
		witness [][]byte
		want    int
	}{
		{"empty", nil, 0},
		{"key spend", [][]byte{sig}, 1},
		{"key spend, any item", [][]byte{nil}, 1},
		{"A+B", [][]byte{enc, cat([]byte{0b011}, sig, sig)}, 2},
		{"A+CD", [][]byte{enc, cat([]byte{0b101}, sig, sig, sig)}, 3},
		{"B+CD", [][]byte{enc, cat([]byte{0b110}, sig, sig, sig)}, 3},
		{"truncated satisfaction", [][]byte{enc, cat([]byte{0b110}, sig, sig)}, 0},
		{"trailing satisfaction", [][]byte{enc, cat([]byte{0b011}, sig, sig, []byte{0})}, 0},
		{"bad policy", [][]byte{enc[:len(enc)-1], cat([]byte{0b011}, sig, sig)}, 0},
		{"three items", [][]byte{enc, nil, nil}, 0},
		{"preimage, after", [][]byte{NewAnd(NewSha256(r.digest), NewAfter(5)).Encode(), make([]byte, 32)}, 0},
	}
	for _, tc := range tests {
		if got := CountSigChecks(tc.witness); got != tc.want {
			t.Errorf("%s: CountSigChecks = %d, want %d", tc.name, got, tc.want)
		}
	}
	// Counting skips the key validity check but not the structure.
	badKey := cat([]byte{0x01}, bytes.Repeat([]byte{0xff}, 32))
	if got := CountSigChecks([][]byte{badKey, sig}); got != 1 {
		t.Errorf("invalid key: CountSigChecks = %d, want 1 (VerifySpend rejects the policy)", got)
	}
	_, err := VerifySpend(wire.PolicyLock(chainhash.TaggedHash(HashTag, badKey)), [][]byte{badKey, sig}, &SpendEnv{})
	wantKind(t, err, ErrPolicyEncoding)
}
