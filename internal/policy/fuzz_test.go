package policy

import (
	"bytes"
	"errors"
	"reflect"
	"testing"
)

// isPackageError reports whether err is a *RuleError of a kind the decoders
// and verifier are documented to return.
func isPackageError(err error, kinds ...ErrorKind) bool {
	var re *RuleError
	if !errors.As(err, &re) {
		return false
	}
	for _, k := range kinds {
		if re.Kind == k {
			return true
		}
	}
	return false
}

func FuzzPolicyDecode(f *testing.F) {
	r := newTestRing()
	for _, tc := range validPolicies(r) {
		f.Add(tc.n.Encode())
	}
	rejects, atLimits := decodeRejectCases(f)
	for _, tc := range rejects {
		f.Add(tc.in)
	}
	for _, b := range atLimits {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		n, err := Decode(data)
		if err != nil {
			if n != nil || !isPackageError(err, ErrPolicyEncoding, ErrPolicyLimits) {
				t.Fatalf("Decode: node %v, error %v", n, err)
			}
			return
		}
		// Canonical: the only encoding of the tree is the input.
		enc := n.Encode()
		if !bytes.Equal(enc, data) {
			t.Fatalf("Encode(Decode(b)) != b:\n%x\n%x", data, enc)
		}
		again, err := Decode(enc)
		if err != nil || !reflect.DeepEqual(n, again) {
			t.Fatalf("second decode: %v", err)
		}
		if err := n.Validate(); err != nil {
			t.Fatalf("decoded tree fails Validate: %v", err)
		}
		parsed, err := ParseText(n.String())
		if err != nil || !reflect.DeepEqual(n, parsed) {
			t.Fatalf("text round trip of %s: %v", n, err)
		}
	})
}

func FuzzPolicyText(f *testing.F) {
	r := newTestRing()
	for _, tc := range validPolicies(r) {
		if s := tc.n.String(); len(s) < 4096 {
			f.Add(s)
		}
	}
	for _, tc := range textRejectCases() {
		if len(tc.text) < 4096 {
			f.Add(tc.text)
		}
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := ParseText(s)
		if err != nil {
			if n != nil || !isPackageError(err, ErrPolicyEncoding, ErrPolicyLimits) {
				t.Fatalf("ParseText: node %v, error %v", n, err)
			}
			return
		}
		text := n.String()
		again, err := ParseText(text)
		if err != nil || !reflect.DeepEqual(n, again) {
			t.Fatalf("ParseText(String()) of %q: %v", s, err)
		}
		if again.String() != text {
			t.Fatalf("String() not stable for %q", s)
		}
		decoded, err := Decode(n.Encode())
		if err != nil || !reflect.DeepEqual(n, decoded) {
			t.Fatalf("encoding round trip of %q: %v", s, err)
		}
	})
}

func FuzzSatisfaction(f *testing.F) {
	r := newTestRing()
	for _, tc := range validPolicies(r) {
		env := SpendEnv{SigHash: testSigHash(tc.name), TxVersion: 2, LockTime: 800_000, Sequence: 0xffff}
		sat, err := Satisfy(tc.n, r, &env)
		if err != nil {
			sat = []byte{0, 1, 2}
		}
		f.Add(tc.n.Encode(), sat, env.SigHash[:], env.TxVersion, env.LockTime, env.Sequence)
	}
	f.Fuzz(func(t *testing.T, enc, sat, sigHash []byte, version, lockTime, sequence uint32) {
		n, err := Decode(enc)
		if err != nil {
			return
		}
		env := &SpendEnv{TxVersion: version, LockTime: lockTime, Sequence: sequence}
		copy(env.SigHash[:], sigHash)
		witness := [][]byte{enc, sat}
		got, err := VerifyPolicy(n, sat, env)
		count := CountSigChecks(witness)
		if err == nil {
			if got != count {
				t.Fatalf("verified %d signatures, CountSigChecks says %d", got, count)
			}
			return
		}
		if got != 0 || !isPackageError(err, ErrSatisfactionEncoding, ErrBadSignature, ErrTimelockUnsatisfied,
			ErrHashPreimage, ErrThresholdNotMet) {
			t.Fatalf("VerifyPolicy: %d, %v", got, err)
		}
	})
}
