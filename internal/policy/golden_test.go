package policy

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"flag"
	"os"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/policy_vectors.json")

// policyVector is one golden policy: its text form, encoding and hash, and
// a satisfaction of it under a spend environment.
type policyVector struct {
	Name         string `json:"name"`
	Text         string `json:"text"`
	Encoding     string `json:"encoding"`
	Hash         string `json:"hash"` // bytes in order, as the lock holds them
	SigHash      string `json:"sighash"`
	TxVersion    uint32 `json:"tx_version"`
	LockTime     uint32 `json:"lock_time"`
	Sequence     uint32 `json:"sequence"`
	Satisfied    bool   `json:"satisfied"` // false: the test ring cannot satisfy it under this environment
	Satisfaction string `json:"satisfaction"`
	SigChecks    int    `json:"sig_checks"`
}

func goldenVectors(t *testing.T) []policyVector {
	r := newTestRing()
	var out []policyVector
	for _, tc := range validPolicies(r) {
		if tc.name == "max keys" || tc.name == "max nodes" {
			continue // large; the limits are covered by TestDecodeRejects
		}
		enc := tc.n.Encode()
		h := tc.n.Hash()
		env := SpendEnv{SigHash: testSigHash(tc.name), TxVersion: 2, LockTime: 800_000, Sequence: 0xffff}
		v := policyVector{
			Name: tc.name, Text: tc.n.String(), Encoding: hex.EncodeToString(enc), Hash: hex.EncodeToString(h[:]),
			SigHash: hex.EncodeToString(env.SigHash[:]), TxVersion: env.TxVersion, LockTime: env.LockTime, Sequence: env.Sequence,
		}
		if sat, err := Satisfy(tc.n, r, &env); err == nil {
			n, err := VerifyPolicy(tc.n, sat, &env)
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			v.Satisfied, v.Satisfaction, v.SigChecks = true, hex.EncodeToString(sat), n
		}
		out = append(out, v)
	}
	return out
}

// TestPolicyGolden pins the policy encoding, hash, text form and
// satisfaction format: any change to them fails here. Run with -update to
// rewrite the file after a deliberate change.
func TestPolicyGolden(t *testing.T) {
	const path = "testdata/policy_vectors.json"
	got, err := json.MarshalIndent(goldenVectors(t), "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s differs from the current format; run with -update if the change is deliberate", path)
	}
	// The file also checks from the other side: every vector decodes,
	// parses and verifies as recorded.
	var vs []policyVector
	if err := json.Unmarshal(want, &vs); err != nil {
		t.Fatal(err)
	}
	for _, v := range vs {
		enc, _ := hex.DecodeString(v.Encoding)
		n, err := Decode(enc)
		if err != nil {
			t.Fatalf("%s: Decode: %v", v.Name, err)
		}
		if h := n.Hash(); hex.EncodeToString(h[:]) != v.Hash || n.String() != v.Text {
			t.Fatalf("%s: hash or text differs", v.Name)
		}
		if !v.Satisfied {
			continue
		}
		sat, _ := hex.DecodeString(v.Satisfaction)
		sh, _ := hex.DecodeString(v.SigHash)
		env := &SpendEnv{SigHash: [32]byte(sh), TxVersion: v.TxVersion, LockTime: v.LockTime, Sequence: v.Sequence}
		if c, err := VerifyPolicy(n, sat, env); err != nil || c != v.SigChecks {
			t.Fatalf("%s: VerifyPolicy = %d, %v; want %d", v.Name, c, err, v.SigChecks)
		}
	}
}
