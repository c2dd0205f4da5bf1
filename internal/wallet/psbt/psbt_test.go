package psbt

import (
	"bytes"
	"errors"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"

	"github.com/ballast-chain/ballast/internal/chainhash"
	"github.com/ballast-chain/ballast/internal/policy"
	"github.com/ballast-chain/ballast/internal/wire"
)

func key(b byte) *btcec.PrivateKey {
	k, _ := btcec.PrivKeyFromBytes(bytes.Repeat([]byte{b}, 32))
	return k
}

// multisigPacket spends a 2-of-3 policy output and a key-lock output.
func multisigPacket(t *testing.T) (*Packet, []*btcec.PrivateKey) {
	t.Helper()
	ks := []*btcec.PrivateKey{key(1), key(2), key(3), key(4)}
	pol := policy.NewThresh(2, policy.NewKey(policy.XOnly(ks[0])), policy.NewKey(policy.XOnly(ks[1])), policy.NewKey(policy.XOnly(ks[2])))
	tx := &wire.Tx{Version: 2,
		TxIn: []wire.TxIn{{PrevOut: wire.OutPoint{Hash: chainhash.Hash{1}}, Sequence: 0xfffffffd},
			{PrevOut: wire.OutPoint{Hash: chainhash.Hash{2}, Index: 1}, Sequence: 0xfffffffd}},
		TxOut: []wire.TxOut{{Value: 150_000, Lock: wire.KeyLock(policy.XOnly(ks[3]))}},
	}
	prevs := []wire.TxOut{{Value: 100_000, Lock: wire.PolicyLock(pol.Hash())}, {Value: 60_000, Lock: wire.KeyLock(policy.XOnly(ks[3]))}}
	p, err := New(tx, prevs)
	if err != nil {
		t.Fatal(err)
	}
	p.Inputs[0].Policy = pol.Encode()
	p.Inputs[0].Derivations = []Derivation{{Key: policy.XOnly(ks[2]), Fingerprint: [4]byte{9}, Path: []uint32{1, 2}}}
	return p, ks
}

func TestMultisigFlow(t *testing.T) {
	p, ks := multisigPacket(t)
	// Two cosigners sign their own copies offline; the key-lock owner a third.
	a, _ := Decode(p.Encode())
	b, _ := Decode(p.Encode())
	c, _ := Decode(p.Encode())
	if n, err := a.Sign(policy.NewKeyRing(ks[0])); n != 1 || err != nil {
		t.Fatalf("sign a: %d %v", n, err)
	}
	if n, err := b.Sign(policy.NewKeyRing(ks[2])); n != 1 || err != nil {
		t.Fatalf("sign b: %d %v", n, err)
	}
	if n, err := c.Sign(policy.NewKeyRing(ks[3])); n != 1 || err != nil {
		t.Fatalf("sign c: %d %v", n, err)
	}
	// One signature is not enough.
	one, _ := Decode(a.Encode())
	if done, err := one.Finalize(); done || err != nil {
		t.Fatalf("finalized with one signature: %v %v", done, err)
	}
	if _, err := one.Extract(); !errors.Is(err, ErrIncomplete) {
		t.Fatalf("extract incomplete: %v", err)
	}
	if err := a.Combine(b, c); err != nil {
		t.Fatal(err)
	}
	if done, err := a.Finalize(); !done || err != nil {
		t.Fatalf("finalize: %v %v", done, err)
	}
	tx, err := a.Extract()
	if err != nil {
		t.Fatal(err)
	}
	prevs := a.prevOuts()
	for i := range tx.TxIn {
		h, _ := a.SigHash(i)
		env := &policy.SpendEnv{SigHash: h, TxVersion: tx.Version, LockTime: tx.LockTime, Sequence: tx.TxIn[i].Sequence}
		if _, err := policy.VerifySpend(prevs[i].Lock, tx.TxIn[i].Witness, env); err != nil {
			t.Errorf("input %d: %v", i, err)
		}
	}
	if a.Fee() != 10_000 {
		t.Errorf("fee %d", a.Fee())
	}
	other, _ := multisigPacket(t)
	other.Tx.LockTime = 5
	if err := a.Combine(other); !errors.Is(err, ErrMismatch) {
		t.Errorf("combine different tx: %v", err)
	}
}

func TestRoundTrip(t *testing.T) {
	p, ks := multisigPacket(t)
	p.Sign(policy.NewKeyRing(ks[1]))
	enc := p.Encode()
	q, err := ParseBase64(p.Base64())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(q.Encode(), enc) {
		t.Fatal("round trip changed the encoding")
	}
	for i := range len(enc) {
		if _, err := Decode(enc[:i]); err == nil {
			t.Fatalf("truncated at %d accepted", i)
		}
	}
	if _, err := Decode(append(enc, 0)); err == nil {
		t.Fatal("trailing byte accepted")
	}
}

func FuzzDecode(f *testing.F) {
	p, ks := multisigPacket(&testing.T{})
	f.Add(p.Encode())
	p.Sign(policy.NewKeyRing(ks[0], ks[3]))
	f.Add(p.Encode())
	p.Finalize()
	f.Add(p.Encode())
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := Decode(b)
		if err != nil {
			return
		}
		enc := p.Encode()
		q, err := Decode(enc)
		if err != nil {
			t.Fatalf("re-decode: %v", err)
		}
		if !bytes.Equal(q.Encode(), enc) {
			t.Fatal("encoding not stable")
		}
		_, _ = q.Finalize()
	})
}
