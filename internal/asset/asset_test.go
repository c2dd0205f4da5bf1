package asset

import (
	"bytes"
	"errors"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"

	"github.com/ballast-chain/ballast/internal/policy"
	"github.com/ballast-chain/ballast/internal/wire"
)

func testKey(b byte) *btcec.PrivateKey {
	k, _ := btcec.PrivKeyFromBytes(bytes.Repeat([]byte{b}, 32))
	return k
}

func testContract() *Contract {
	var aud []*policy.Node
	for i := range 3 {
		aud = append(aud, policy.NewKey(policy.XOnly(testKey(byte(i+2)))))
	}
	return &Contract{Name: "Basket", Ticker: "BSK", Decimals: 2,
		Basket: []Good{{Name: "rice", Unit: "kg", Quantity: 5, Decimals: 1},
			{Name: "fuel", Unit: "l", Quantity: 2, Decimals: 1}, {Name: "gold", Unit: "g", Quantity: 1}},
		IssuerPolicy: policy.NewKey(policy.XOnly(testKey(1))).Encode(), AuditorPolicy: policy.NewThresh(2, aud...).Encode()}
}

func TestContractRoundTripAndLimits(t *testing.T) {
	c := testContract()
	enc := c.Encode()
	d, err := DecodeContract(enc)
	if err != nil || !bytes.Equal(d.Encode(), enc) {
		t.Fatalf("round trip: %v", err)
	}
	bad := []func(c *Contract){
		func(c *Contract) { c.Ticker = "bsk" },
		func(c *Contract) { c.Name = "" },
		func(c *Contract) { c.Decimals = 19 },
		func(c *Contract) { c.Basket = nil },
		func(c *Contract) { c.Basket[1].Name = "rice" },
		func(c *Contract) { c.Basket[0].Quantity = 0 },
		func(c *Contract) { c.AuditorPolicy = []byte{0xff} },
	}
	for i, f := range bad {
		c := testContract()
		f(c)
		if _, err := DecodeContract(c.Encode()); err == nil {
			t.Errorf("case %d decoded", i)
		}
	}
	if _, err := DecodeContract(append(enc, 0)); !errors.Is(err, ErrEncoding) {
		t.Fatalf("trailing byte: %v", err)
	}
}

func TestIDCommitsToOutpointAndContract(t *testing.T) {
	c := testContract()
	op := wire.OutPoint{Hash: [32]byte{1}, Index: 2}
	a := ID(op, c.Hash())
	op2 := op
	op2.Index++
	c2 := testContract()
	c2.Ticker = "BSK2"
	if a == ID(op2, c.Hash()) || a == ID(op, c2.Hash()) || a != ID(op, c.Hash()) {
		t.Fatal("asset id does not commit to both outpoint and contract")
	}
}

func TestCoverage(t *testing.T) {
	c := testContract()
	// 1,500.00 units: 750 kg rice (7500 tenths), 300 l fuel, 1500 g gold.
	goods, min, under := Coverage(c, 150_000, map[int]uint64{0: 7500, 1: 3000, 2: 1500})
	if under || min < 0 || FormatRatio(goods[min].Num, goods[min].Den, 4) != "1.0000" {
		t.Fatalf("exact backing: under=%v min=%d", under, min)
	}
	goods, min, under = Coverage(c, 150_000, map[int]uint64{0: 7500, 1: 2999, 2: 3000})
	if !under || goods[min].Good.Name != "fuel" || goods[1].Required.Int64() != 3000 {
		t.Fatalf("one short of fuel: under=%v min=%d", under, min)
	}
	if _, min, under = Coverage(c, 0, nil); under || min != -1 {
		t.Fatal("zero supply is not under-backed")
	}
}

func TestPacketSignsApart(t *testing.T) {
	c := testContract()
	aud, _ := c.Auditors()
	att := &Attestation{Asset: wire.AssetID{9}, Time: 5, Holdings: []Holding{{Good: 0, Held: 1}}}
	p := &Packet{Payload: att.Encode(), Sigs: map[[32]byte][64]byte{}}
	if n, _ := p.Sign(aud, policy.NewKeyRing(testKey(2))); n != 1 {
		t.Fatal("auditor a did not sign")
	}
	if _, err := p.Witness(aud); err == nil {
		t.Fatal("1 of 3 satisfies")
	}
	q, _, err := DecodePacket(p.Encode())
	if err != nil {
		t.Fatal(err)
	}
	q.Sign(aud, policy.NewKeyRing(testKey(4)))
	wit, err := q.Witness(aud)
	if err != nil {
		t.Fatal(err)
	}
	env := policy.SpendEnv{SigHash: att.Message(), Sequence: RecordSequence}
	if _, err := policy.VerifySpend(wire.PolicyLock(policy.HashEncoding(c.AuditorPolicy)), wit, &env); err != nil {
		t.Fatal(err)
	}
}

func FuzzDecodeContract(f *testing.F) {
	f.Add(testContract().Encode())
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := DecodeContract(b)
		if err != nil {
			return
		}
		if !bytes.Equal(c.Encode(), b) {
			t.Fatal("decode -> encode is not the identity")
		}
	})
}

func FuzzDecodeRecords(f *testing.F) {
	f.Add(byte(1), (&Issue{Amount: 5, Contract: testContract().Encode()}).Encode())
	f.Add(byte(2), (&Reissue{Asset: wire.AssetID{1}, Amount: 5}).Encode())
	f.Add(byte(3), (&Attestation{Asset: wire.AssetID{1}, Time: 1, Holdings: []Holding{{0, 1}, {2, 3}}}).Encode())
	f.Fuzz(func(t *testing.T, kind byte, b []byte) {
		var enc []byte
		switch kind % 4 {
		case 1:
			p, _, err := DecodeIssue(b)
			if err != nil {
				return
			}
			enc = p.Encode()
		case 2:
			p, err := DecodeReissue(b)
			if err != nil {
				return
			}
			enc = p.Encode()
		case 3:
			p, err := DecodeAttestation(b)
			if err != nil {
				return
			}
			enc = p.Encode()
		default:
			p, _, err := DecodePacket(b)
			if err != nil {
				return
			}
			enc = p.Encode()
		}
		if !bytes.Equal(enc, b) {
			t.Fatal("decode -> encode is not the identity")
		}
	})
}

func BenchmarkDecodeContract(b *testing.B) {
	enc := testContract().Encode()
	b.ReportAllocs()
	b.SetBytes(int64(len(enc)))
	for b.Loop() {
		if _, err := DecodeContract(enc); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerifyAttestation2of3(b *testing.B) {
	c := testContract()
	aud, _ := c.Auditors()
	att := &Attestation{Asset: wire.AssetID{9}, Time: 5, Holdings: []Holding{{0, 1}, {1, 2}, {2, 3}}}
	p := &Packet{Payload: att.Encode(), Sigs: map[[32]byte][64]byte{}}
	p.Sign(aud, policy.NewKeyRing(testKey(2), testKey(3)))
	wit, err := p.Witness(aud)
	if err != nil {
		b.Fatal(err)
	}
	lock := wire.PolicyLock(policy.HashEncoding(c.AuditorPolicy))
	b.ReportAllocs()
	for b.Loop() {
		a, err := DecodeAttestation(p.Payload)
		if err != nil {
			b.Fatal(err)
		}
		env := policy.SpendEnv{SigHash: a.Message(), Sequence: RecordSequence}
		if _, err := policy.VerifySpend(lock, wit, &env); err != nil {
			b.Fatal(err)
		}
	}
}
