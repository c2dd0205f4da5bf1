package wire

import "testing"

func BenchmarkHeaderHash(b *testing.B) {
	h := BlockHeader{Version: 1, Bits: 0x1d00ffff}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		h.Nonce = uint32(i)
		_ = h.BlockHash()
	}
}

// oneInOneOut is the typical payment: one key-lock input, two outputs.
func typicalTx() *Tx {
	tx := sampleTx()
	tx.TxIn = tx.TxIn[:1]
	tx.TxOut = tx.TxOut[:2]
	tx.TxOut[1].Asset = NativeAsset
	tx.Records = nil
	return tx
}

func BenchmarkTxHash(b *testing.B) {
	tx := typicalTx()
	b.ReportAllocs()
	for b.Loop() {
		_ = tx.TxHash()
	}
}

func BenchmarkDecodeTx(b *testing.B) {
	raw := typicalTx().Bytes()
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := DecodeTx(raw); err != nil {
			b.Fatal(err)
		}
	}
}
