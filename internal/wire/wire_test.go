package wire

import (
	"bytes"
	"encoding/hex"
	"errors"
	"math"
	"testing"

	"github.com/ballast-chain/ballast/internal/chainhash"
)

func mustHash(t testing.TB, s string) chainhash.Hash {
	t.Helper()
	h, err := chainhash.NewHashFromStr(s)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// sampleTx exercises every field: an issued asset, all three lock kinds, a
// record with a witness, and witnesses on inputs.
func sampleTx() *Tx {
	var key, pol [32]byte
	for i := range key {
		key[i] = byte(i + 1)
		pol[i] = byte(0xa0 + i)
	}
	asset := AssetID{0x11, 0x22}
	return &Tx{
		Version: 2,
		TxIn: []TxIn{
			{PrevOut: OutPoint{Hash: chainhash.Hash{1, 2, 3}, Index: 7}, Sequence: 0xfffffffe,
				Witness: [][]byte{bytes.Repeat([]byte{0x55}, 64)}},
			{PrevOut: OutPoint{Hash: chainhash.Hash{9}, Index: 0}, Sequence: 10,
				Witness: [][]byte{{0x01, 0x02}, bytes.Repeat([]byte{0x66}, 300)}},
		},
		TxOut: []TxOut{
			{Asset: NativeAsset, Value: 5_000_000_000, Lock: KeyLock(key)},
			{Asset: asset, Value: 1234, Lock: PolicyLock(pol)},
			{Asset: asset, Value: 1, Lock: BurnLock([]byte("redeem:order-42"))},
		},
		Records:  []Record{{Type: RecordAttestation, Payload: []byte("statement"), Witness: [][]byte{{0xee}}}},
		LockTime: 500,
	}
}

func TestTxRoundTrip(t *testing.T) {
	tx := sampleTx()
	b := tx.Bytes()
	if len(b) != tx.SerializeSize() {
		t.Fatalf("SerializeSize %d, encoding %d bytes", tx.SerializeSize(), len(b))
	}
	got, err := DecodeTx(b)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Bytes(), b) {
		t.Fatal("re-encoding differs")
	}
	if got.TxHash() != tx.TxHash() || got.WitnessHash() != tx.WitnessHash() {
		t.Fatal("hashes differ after round trip")
	}
	base := tx.AppendTo(nil, false)
	if len(base) != tx.BaseSize() {
		t.Fatalf("BaseSize %d, base encoding %d", tx.BaseSize(), len(base))
	}
	if tx.Weight() != 3*len(base)+len(b) {
		t.Fatal("weight formula")
	}
	if tx.TxHash() != chainhash.DoubleSHA256(base) || tx.WitnessHash() != chainhash.DoubleSHA256(b) {
		t.Fatal("txid or wtxid not the double SHA-256 of its encoding")
	}
}

func TestTxidIgnoresWitness(t *testing.T) {
	a, b := sampleTx(), sampleTx()
	b.TxIn[0].Witness[0][0] ^= 0xff
	b.Records[0].Witness = nil
	if a.TxHash() != b.TxHash() {
		t.Fatal("witness change altered txid")
	}
	if a.WitnessHash() == b.WitnessHash() {
		t.Fatal("witness change did not alter wtxid")
	}
	b.Records[0].Payload = []byte("other")
	if a.TxHash() == b.TxHash() {
		t.Fatal("record payload not committed by txid")
	}
}

func TestNoWitnessEncoding(t *testing.T) {
	tx := sampleTx()
	for i := range tx.TxIn {
		tx.TxIn[i].Witness = nil
	}
	tx.Records[0].Witness = nil
	b := tx.Bytes()
	if b[4] != 0 {
		t.Fatalf("flags byte %#x for a tx without witness", b[4])
	}
	if tx.TxHash() != tx.WitnessHash() {
		t.Fatal("wtxid != txid without witness")
	}
	if _, err := DecodeTx(b); err != nil {
		t.Fatal(err)
	}
}

func TestCoinbaseEncoding(t *testing.T) {
	cb := &Tx{
		Version: 1,
		TxIn: []TxIn{{PrevOut: NullOutPoint, CoinbaseData: NewCoinbaseData(1234, []byte{1, 2, 3, 4, 5, 6, 7, 8}, []byte("/pool/")),
			Sequence: math.MaxUint32, Witness: [][]byte{make([]byte, 32)}}},
		TxOut: []TxOut{{Value: 50, Lock: KeyLock([32]byte{7})}, WitnessCommitmentOutput(chainhash.Hash{5})},
	}
	if !cb.IsCoinBase() {
		t.Fatal("not a coinbase")
	}
	h, ok := CoinbaseHeight(cb)
	if !ok || h != 1234 {
		t.Fatalf("height %d %v", h, ok)
	}
	// Stratum split: the extranonce bytes sit at a fixed offset of the txid
	// encoding, and changing them changes the txid.
	base := cb.AppendTo(nil, false)
	off := CoinbaseDataOffset(cb) + CoinbaseHeightSize
	if !bytes.Equal(base[off:off+8], []byte{1, 2, 3, 4, 5, 6, 7, 8}) {
		t.Fatalf("extranonce not at offset %d: %x", off, base[off:off+8])
	}
	coinb1, coinb2 := base[:off], base[off+8:]
	rebuilt := append(append(append([]byte(nil), coinb1...), 9, 9, 9, 9, 9, 9, 9, 9), coinb2...)
	other, err := DecodeTx(rebuilt)
	if err != nil {
		t.Fatal(err)
	}
	if other.TxHash() == cb.TxHash() {
		t.Fatal("extranonce does not change the txid")
	}
	if FindWitnessCommitment(cb) != 1 {
		t.Fatal("witness commitment not found")
	}
	got, err := DecodeTx(cb.Bytes())
	if err != nil || !bytes.Equal(got.TxIn[0].CoinbaseData, cb.TxIn[0].CoinbaseData) {
		t.Fatalf("coinbase round trip: %v", err)
	}
}

func TestDecodeTxRejects(t *testing.T) {
	good := sampleTx().Bytes()
	noWit := func() []byte {
		tx := sampleTx()
		for i := range tx.TxIn {
			tx.TxIn[i].Witness = nil
		}
		tx.Records[0].Witness = nil
		return tx.Bytes()
	}()
	mutate := func(b []byte, f func([]byte) []byte) []byte { return f(append([]byte(nil), b...)) }
	cases := []struct {
		name string
		in   []byte
		kind ErrorKind
	}{
		{"empty", nil, ErrTruncated},
		{"truncated", good[:len(good)-1], ErrTruncated},
		{"trailing", append(append([]byte(nil), good...), 0), ErrTrailingBytes},
		{"reserved flag bits", mutate(good, func(b []byte) []byte { b[4] = 0x03; return b }), ErrNonCanonical},
		{"witness flag without witness", mutate(noWit, func(b []byte) []byte {
			b[4] = 1
			// three empty stacks: two inputs, one record
			return append(b, 0, 0, 0)
		}), ErrNonCanonical},
		{"non-minimal input count", mutate(good, func(b []byte) []byte {
			return append(append(b[:5:5], 0xfd, 0x02, 0x00), b[6:]...)
		}), ErrNonCanonical},
		{"huge input count", mutate(good, func(b []byte) []byte {
			return append(append(b[:5:5], 0xfe, 0xff, 0xff, 0xff, 0x0f), b[6:]...)
		}), ErrTooMany},
		{"oversize", make([]byte, MaxTxSize+1), ErrTooLarge},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := DecodeTx(c.in)
			if !errors.Is(err, c.kind) {
				t.Fatalf("got %v, want %v", err, c.kind)
			}
		})
	}
}

func TestDecodeOutputRejects(t *testing.T) {
	enc := func(o TxOut) []byte {
		tx := &Tx{Version: 1, TxIn: []TxIn{{PrevOut: OutPoint{Index: 1}}}, TxOut: []TxOut{o}}
		return tx.Bytes()
	}
	outStart := 4 + 1 + 1 + 40 + 1
	b := enc(TxOut{Value: 1, Lock: KeyLock([32]byte{1})})
	cases := []struct {
		name string
		edit func([]byte) []byte
		kind ErrorKind
	}{
		{"unknown asset tag", func(b []byte) []byte { b[outStart] = 2; return b }, ErrUnknownAssetTag},
		{"native id under issued tag", func(b []byte) []byte {
			return append(append(append(b[:outStart:outStart], 1), make([]byte, 32)...), b[outStart+1:]...)
		}, ErrNonCanonical},
		{"unknown lock kind", func(b []byte) []byte { b[outStart+9] = 3; return b }, ErrUnknownLock},
		{"burn data too long", func([]byte) []byte {
			return enc(TxOut{Lock: BurnLock(make([]byte, MaxBurnDataSize+1))})
		}, ErrTooLarge},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := DecodeTx(c.edit(append([]byte(nil), b...)))
			if !errors.Is(err, c.kind) {
				t.Fatalf("got %v, want %v", err, c.kind)
			}
		})
	}
}

func TestCompactSize(t *testing.T) {
	for _, n := range []uint64{0, 1, 0xfc, 0xfd, 0xffff, 0x10000, 0xffffffff, 0x100000000, math.MaxUint64} {
		b := AppendCompactSize(nil, n)
		if len(b) != CompactSizeLen(n) {
			t.Fatalf("%d: len %d want %d", n, len(b), CompactSizeLen(n))
		}
		r := reader{buf: b}
		if got := r.compactSize("n"); got != n || r.finish("n") != nil {
			t.Fatalf("%d: got %d err %v", n, got, r.err)
		}
	}
	for _, h := range []string{"fdfc00", "feffff0000", "ffffffffff00000000"} {
		b, _ := hex.DecodeString(h)
		r := reader{buf: b}
		r.compactSize("n")
		if !errors.Is(r.err, ErrNonCanonical) {
			t.Fatalf("%s: got %v, want non-canonical", h, r.err)
		}
	}
}

func TestHeader(t *testing.T) {
	// Bitcoin's genesis header: the format is byte-for-byte Bitcoin's.
	raw, _ := hex.DecodeString("0100000000000000000000000000000000000000000000000000000000000000000000003ba3edfd7a7b12b27ac72c3e67768f617fc81bc3888a51323a9fb8aa4b1e5e4a29ab5f49ffff001d1dac2b7c")
	h, err := DecodeHeader(raw)
	if err != nil {
		t.Fatal(err)
	}
	if got := h.BlockHash(); got != mustHash(t, "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f") {
		t.Fatalf("hash %s", got)
	}
	if h.Nonce != 2083236893 || h.Bits != 0x1d00ffff || h.Timestamp != 1231006505 {
		t.Fatalf("fields %+v", h)
	}
	if s := h.Serialize(); !bytes.Equal(s[:], raw) {
		t.Fatal("re-encoding differs")
	}
	if _, err := DecodeHeader(raw[:79]); !errors.Is(err, ErrTruncated) {
		t.Fatal(err)
	}
	if _, err := DecodeHeader(append(raw, 0)); !errors.Is(err, ErrTrailingBytes) {
		t.Fatal(err)
	}
}

func TestBlockRoundTrip(t *testing.T) {
	blk := &Block{Header: BlockHeader{Version: 1, Bits: 0x207fffff, Timestamp: 99}, Transactions: []*Tx{sampleTx(), sampleTx()}}
	blk.Transactions[1].LockTime = 1
	b := blk.Bytes()
	if len(b) != blk.SerializeSize() {
		t.Fatal("size")
	}
	got, err := DecodeBlock(b)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Bytes(), b) || got.BlockHash() != blk.BlockHash() {
		t.Fatal("round trip")
	}
	hs := got.TxHashes()
	if hs[0] != blk.Transactions[0].TxHash() || hs[1] == hs[0] {
		t.Fatal("tx hashes")
	}
	if blk.Weight() != 3*blk.BaseSize()+blk.SerializeSize() {
		t.Fatal("weight")
	}
	if _, err := DecodeBlock(append(b, 1)); !errors.Is(err, ErrTrailingBytes) {
		t.Fatalf("trailing: %v", err)
	}
	huge := append(append([]byte(nil), b[:80]...), 0xfe, 0xff, 0xff, 0xff, 0x00)
	if _, err := DecodeBlock(huge); !errors.Is(err, ErrTooMany) && !errors.Is(err, ErrTruncated) {
		t.Fatalf("huge count: %v", err)
	}
}
