package sighash

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"testing"

	"github.com/ballast-chain/ballast/internal/chainhash"
	"github.com/ballast-chain/ballast/internal/wire"
)

var update = flag.Bool("update", false, "rewrite testdata/sighash_vectors.json")

func h32(label string) chainhash.Hash { return sha256.Sum256([]byte(label)) }

// testTx returns a transaction with two inputs, an issued-asset output, a
// burn output and a record, and the outputs its inputs spend.
func testTx() (*wire.Tx, []wire.TxOut) {
	asset := wire.AssetID(h32("asset"))
	tx := &wire.Tx{
		Version: 2,
		TxIn: []wire.TxIn{
			{PrevOut: wire.OutPoint{Hash: h32("prev 0"), Index: 1}, Sequence: 0xfffffffd,
				Witness: [][]byte{bytes.Repeat([]byte{1}, 64)}},
			{PrevOut: wire.OutPoint{Hash: h32("prev 1"), Index: 0}, Sequence: 144,
				Witness: [][]byte{{2, 3}, bytes.Repeat([]byte{4}, 64)}},
		},
		TxOut: []wire.TxOut{
			{Value: 50_000, Lock: wire.KeyLock(h32("key out"))},
			{Asset: asset, Value: 7, Lock: wire.PolicyLock(h32("policy out"))},
			{Value: 0, Lock: wire.BurnLock([]byte("redeem ref"))},
		},
		Records: []wire.Record{
			{Type: wire.RecordAttestation, Payload: []byte("attestation payload"), Witness: [][]byte{{9}}},
		},
		LockTime: 800_000,
	}
	prev := []wire.TxOut{
		{Value: 60_000, Lock: wire.KeyLock(h32("key 0"))},
		{Asset: asset, Value: 7, Lock: wire.PolicyLock(h32("policy 1"))},
	}
	return tx, prev
}

func cloneTx(tx *wire.Tx) *wire.Tx {
	c := *tx
	c.TxIn = append([]wire.TxIn(nil), tx.TxIn...)
	c.TxOut = append([]wire.TxOut(nil), tx.TxOut...)
	c.Records = append([]wire.Record(nil), tx.Records...)
	for i := range c.TxIn {
		c.TxIn[i].Witness = append([][]byte(nil), tx.TxIn[i].Witness...)
	}
	return &c
}

func mustHash(t *testing.T, tx *wire.Tx, idx int, prev []wire.TxOut) chainhash.Hash {
	t.Helper()
	h, err := Hash(tx, idx, prev, nil)
	if err != nil {
		t.Fatal(err)
	}
	c, err := Hash(tx, idx, prev, NewCache(tx, prev))
	if err != nil {
		t.Fatal(err)
	}
	if c != h {
		t.Fatalf("hash with cache %x differs from hash without %x", c, h)
	}
	return h
}

// TestCommitments changes one field at a time and checks that the hash of
// every input changes (committed fields) or of none (witnesses).
func TestCommitments(t *testing.T) {
	tests := []struct {
		name    string
		mutate  func(tx *wire.Tx, prev []wire.TxOut)
		changes bool
	}{
		{"version", func(tx *wire.Tx, _ []wire.TxOut) { tx.Version = 1 }, true},
		{"locktime", func(tx *wire.Tx, _ []wire.TxOut) { tx.LockTime++ }, true},
		{"input 0 prevout hash", func(tx *wire.Tx, _ []wire.TxOut) { tx.TxIn[0].PrevOut.Hash[0] ^= 1 }, true},
		{"input 1 prevout index", func(tx *wire.Tx, _ []wire.TxOut) { tx.TxIn[1].PrevOut.Index++ }, true},
		{"input 0 sequence", func(tx *wire.Tx, _ []wire.TxOut) { tx.TxIn[0].Sequence-- }, true},
		{"input 1 sequence", func(tx *wire.Tx, _ []wire.TxOut) { tx.TxIn[1].Sequence++ }, true},
		{"input 0 amount", func(_ *wire.Tx, p []wire.TxOut) { p[0].Value++ }, true},
		{"input 1 amount", func(_ *wire.Tx, p []wire.TxOut) { p[1].Value-- }, true},
		{"input 0 asset", func(_ *wire.Tx, p []wire.TxOut) { p[0].Asset = wire.AssetID(h32("other")) }, true},
		{"input 1 asset native", func(_ *wire.Tx, p []wire.TxOut) { p[1].Asset = wire.NativeAsset }, true},
		{"input 0 lock data", func(_ *wire.Tx, p []wire.TxOut) { p[0].Lock = wire.KeyLock(h32("key 0'")) }, true},
		{"input 1 lock kind", func(_ *wire.Tx, p []wire.TxOut) { p[1].Lock = wire.KeyLock(h32("policy 1")) }, true},
		{"swap spent outputs", func(_ *wire.Tx, p []wire.TxOut) { p[0], p[1] = p[1], p[0] }, true},
		{"output value", func(tx *wire.Tx, _ []wire.TxOut) { tx.TxOut[0].Value-- }, true},
		{"output asset", func(tx *wire.Tx, _ []wire.TxOut) { tx.TxOut[1].Asset = wire.NativeAsset }, true},
		{"output lock", func(tx *wire.Tx, _ []wire.TxOut) { tx.TxOut[0].Lock = wire.PolicyLock(h32("key out")) }, true},
		{"burn data", func(tx *wire.Tx, _ []wire.TxOut) { tx.TxOut[2].Lock.Data = []byte("redeem reF") }, true},
		{"output added", func(tx *wire.Tx, _ []wire.TxOut) {
			tx.TxOut = append(tx.TxOut, wire.TxOut{Lock: wire.BurnLock(nil)})
		}, true},
		{"output removed", func(tx *wire.Tx, _ []wire.TxOut) { tx.TxOut = tx.TxOut[:2] }, true},
		{"outputs swapped", func(tx *wire.Tx, _ []wire.TxOut) { tx.TxOut[0], tx.TxOut[1] = tx.TxOut[1], tx.TxOut[0] }, true},
		{"record payload", func(tx *wire.Tx, _ []wire.TxOut) { tx.Records[0].Payload = []byte("attestation paylOad") }, true},
		{"record type", func(tx *wire.Tx, _ []wire.TxOut) { tx.Records[0].Type = wire.RecordIssue }, true},
		{"record added", func(tx *wire.Tx, _ []wire.TxOut) {
			tx.Records = append(tx.Records, wire.Record{Type: wire.RecordIssue})
		}, true},
		{"records removed", func(tx *wire.Tx, _ []wire.TxOut) { tx.Records = nil }, true},
		{"input witness", func(tx *wire.Tx, _ []wire.TxOut) { tx.TxIn[0].Witness = [][]byte{{0}} }, false},
		{"other input witness", func(tx *wire.Tx, _ []wire.TxOut) { tx.TxIn[1].Witness = nil }, false},
		{"record witness", func(tx *wire.Tx, _ []wire.TxOut) { tx.Records[0].Witness = [][]byte{{1}, {2}} }, false},
	}
	base, basePrev := testTx()
	want := []chainhash.Hash{mustHash(t, base, 0, basePrev), mustHash(t, base, 1, basePrev)}
	if want[0] == want[1] {
		t.Fatal("inputs 0 and 1 have the same hash: the input index is not committed")
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tx := cloneTx(base)
			prev := append([]wire.TxOut(nil), basePrev...)
			tc.mutate(tx, prev)
			for i := range want {
				got := mustHash(t, tx, i, prev)
				if changed := got != want[i]; changed != tc.changes {
					t.Errorf("input %d: hash changed = %v, want %v", i, changed, tc.changes)
				}
			}
		})
	}
}

func TestErrors(t *testing.T) {
	tx, prev := testTx()
	other, _ := testTx()
	tests := []struct {
		name string
		tx   *wire.Tx
		idx  int
		prev []wire.TxOut
		c    *Cache
		want ErrorKind
	}{
		{"nil tx", nil, 0, nil, nil, ErrNilTx},
		{"index -1", tx, -1, prev, nil, ErrInputIndex},
		{"index 2", tx, 2, prev, nil, ErrInputIndex},
		{"too few prevouts", tx, 0, prev[:1], nil, ErrPrevOuts},
		{"too many prevouts", tx, 0, append(prev[:2:2], prev[0]), nil, ErrPrevOuts},
		{"cache of another tx", tx, 0, prev, NewCache(other, prev), ErrCacheMismatch},
		{"cache with bad prevouts", tx, 0, prev, NewCache(tx, prev[:1]), ErrPrevOuts},
		{"cache of nil tx", tx, 0, prev, NewCache(nil, nil), ErrNilTx},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h, err := Hash(tc.tx, tc.idx, tc.prev, tc.c)
			if !errors.Is(err, tc.want) || h != (chainhash.Hash{}) {
				t.Fatalf("Hash = %x, %v; want kind %s", h, err, tc.want)
			}
			var re *RuleError
			if !errors.As(err, &re) {
				t.Fatalf("%v is not a *RuleError", err)
			}
		})
	}
	// A cache is stale once inputs are added.
	c := NewCache(tx, prev)
	tx.TxIn = append(tx.TxIn, wire.TxIn{})
	if _, err := Hash(tx, 0, append(prev, wire.TxOut{}), c); !errors.Is(err, ErrCacheMismatch) {
		t.Fatalf("stale cache: %v", err)
	}
}

// referenceHash builds the message from docs/protocol.md §5.9 directly, without the
// cache or the precomputed tag, as an independent implementation would.
func referenceHash(tx *wire.Tx, idx int, prev []wire.TxOut) chainhash.Hash {
	single := func(b []byte) []byte { s := sha256.Sum256(b); return s[:] }
	var prevouts, amounts, locks, seqs, outs, recs []byte
	for i, in := range tx.TxIn {
		prevouts = append(prevouts, in.PrevOut.Hash[:]...)
		prevouts = binary.LittleEndian.AppendUint32(prevouts, in.PrevOut.Index)
		amounts = append(amounts, prev[i].Asset[:]...)
		amounts = binary.LittleEndian.AppendUint64(amounts, uint64(prev[i].Value))
		locks = prev[i].Lock.AppendTo(locks)
		seqs = binary.LittleEndian.AppendUint32(seqs, in.Sequence)
	}
	for i := range tx.TxOut {
		outs = tx.TxOut[i].AppendTo(outs)
	}
	for _, r := range tx.Records {
		recs = append(recs, byte(r.Type))
		recs = wire.AppendVarBytes(recs, r.Payload)
	}
	msg := []byte{0x00, 0x00}
	msg = binary.LittleEndian.AppendUint32(msg, tx.Version)
	msg = binary.LittleEndian.AppendUint32(msg, tx.LockTime)
	for _, p := range [][]byte{prevouts, amounts, locks, seqs, outs, recs} {
		msg = append(msg, single(p)...)
	}
	msg = binary.LittleEndian.AppendUint32(msg, uint32(idx))
	if len(msg) != MessageSize {
		panic("message size")
	}
	return chainhash.TaggedHash("Ballast/SigHash", msg)
}

func TestReferenceLayout(t *testing.T) {
	tx, prev := testTx()
	for i := range tx.TxIn {
		if got, want := mustHash(t, tx, i, prev), referenceHash(tx, i, prev); got != want {
			t.Fatalf("input %d: %x, reference %x", i, got, want)
		}
	}
	// A transaction without records or burn outputs.
	tx.Records = nil
	tx.TxOut = tx.TxOut[:1]
	if got, want := mustHash(t, tx, 1, prev), referenceHash(tx, 1, prev); got != want {
		t.Fatalf("no records: %x, reference %x", got, want)
	}
}

// vector is one golden signature hash case.
type vector struct {
	Name     string   `json:"name"`
	Tx       string   `json:"tx"`        // wire encoding with witnesses
	PrevOuts []string `json:"prev_outs"` // wire encoding of each spent output
	Message  []string `json:"message"`   // per input: the tag-hashed message
	SigHash  []string `json:"sighash"`   // per input: bytes in order (the BIP340 message)
}

func goldenVectors(t *testing.T) []vector {
	tx, prev := testTx()
	one := &wire.Tx{
		Version:  2,
		TxIn:     []wire.TxIn{{PrevOut: wire.OutPoint{Hash: h32("funding"), Index: 0}, Sequence: 0xffffffff}},
		TxOut:    []wire.TxOut{{Value: 1000, Lock: wire.KeyLock(h32("pay"))}, {Value: 8_999_000, Lock: wire.KeyLock(h32("change"))}},
		LockTime: 0,
	}
	onePrev := []wire.TxOut{{Value: 9_000_000, Lock: wire.KeyLock(h32("funding key"))}}
	var out []vector
	for _, c := range []struct {
		name string
		tx   *wire.Tx
		prev []wire.TxOut
	}{{"1-in-2-out", one, onePrev}, {"assets-records", tx, prev}} {
		v := vector{Name: c.name, Tx: hex.EncodeToString(c.tx.Bytes())}
		cache := NewCache(c.tx, c.prev)
		for i := range c.tx.TxIn {
			h, err := Hash(c.tx, i, c.prev, cache)
			if err != nil {
				t.Fatal(err)
			}
			v.PrevOuts = append(v.PrevOuts, hex.EncodeToString(c.prev[i].AppendTo(nil)))
			v.Message = append(v.Message, hex.EncodeToString(cache.appendMessage(nil, uint32(i))))
			v.SigHash = append(v.SigHash, hex.EncodeToString(h[:]))
		}
		out = append(out, v)
	}
	return out
}

// TestGolden pins the signature hash: any change to the layout fails here.
// Run with -update to rewrite the file after a deliberate change.
func TestGolden(t *testing.T) {
	const path = "testdata/sighash_vectors.json"
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
	// Each recorded sighash is the tagged hash of its recorded message.
	var vs []vector
	if err := json.Unmarshal(want, &vs); err != nil {
		t.Fatal(err)
	}
	for _, v := range vs {
		for i := range v.Message {
			msg, _ := hex.DecodeString(v.Message[i])
			h := chainhash.TaggedHash(Tag, msg)
			if len(msg) != MessageSize || hex.EncodeToString(h[:]) != v.SigHash[i] {
				t.Fatalf("%s input %d: message does not hash to the recorded sighash", v.Name, i)
			}
		}
	}
}

func TestTagPrefix(t *testing.T) {
	msg := bytes.Repeat([]byte{0xab}, MessageSize)
	var b []byte
	b = append(b, tagPrefix[:]...)
	b = append(b, msg...)
	if sha256.Sum256(b) != chainhash.TaggedHash(Tag, msg) {
		t.Fatal("precomputed tag prefix differs from chainhash.TaggedHash")
	}
}
