package wire

import (
	"bytes"
	"testing"
)

func FuzzDecodeTx(f *testing.F) {
	f.Add(sampleTx().Bytes())
	tx := sampleTx()
	tx.TxIn[0].Witness, tx.TxIn[1].Witness, tx.Records[0].Witness = nil, nil, nil
	f.Add(tx.Bytes())
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		tx, err := DecodeTx(b)
		if err != nil {
			return
		}
		enc := tx.Bytes()
		if !bytes.Equal(enc, b) {
			t.Fatalf("decode->encode changed bytes:\n in %x\nout %x", b, enc)
		}
		if tx.SerializeSize() != len(b) {
			t.Fatal("SerializeSize mismatch")
		}
		again, err := DecodeTx(enc)
		if err != nil || again.WitnessHash() != tx.WitnessHash() {
			t.Fatalf("second decode: %v", err)
		}
	})
}

func FuzzDecodeHeader(f *testing.F) {
	f.Add(make([]byte, HeaderSize))
	f.Fuzz(func(t *testing.T, b []byte) {
		h, err := DecodeHeader(b)
		if err != nil {
			return
		}
		s := h.Serialize()
		if !bytes.Equal(s[:], b) {
			t.Fatal("round trip")
		}
	})
}

func FuzzDecodeBlock(f *testing.F) {
	blk := &Block{Transactions: []*Tx{sampleTx()}}
	f.Add(blk.Bytes())
	f.Add(make([]byte, HeaderSize+1))
	f.Fuzz(func(t *testing.T, b []byte) {
		blk, err := DecodeBlock(b)
		if err != nil {
			return
		}
		enc := blk.Bytes()
		if !bytes.Equal(enc, b) {
			t.Fatal("decode->encode changed bytes")
		}
		if _, err := DecodeBlock(enc); err != nil {
			t.Fatal(err)
		}
	})
}
