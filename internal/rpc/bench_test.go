package rpc

import (
	"bytes"
	"context"
	"testing"

	"github.com/ballast-chain/ballast/internal/chaingen"
	"github.com/ballast-chain/ballast/internal/chainhash"
	"github.com/ballast-chain/ballast/internal/consensus"
	"github.com/ballast-chain/ballast/internal/params"
	"github.com/ballast-chain/ballast/internal/wire"
)

// BenchmarkDispatchGetBlockCount measures one request through parsing,
// lookup, parameter checks, the handler and reply encoding (no HTTP).
func BenchmarkDispatchGetBlockCount(b *testing.B) {
	n := newTestNode(b)
	n.mine(b, 10)
	srv, err := New(Config{Params: n.p, User: "u", Password: "p", Backends: n.backends()})
	if err != nil {
		b.Fatal(err)
	}
	body := []byte(`{"jsonrpc":"2.0","method":"getblockcount","params":[],"id":1}`)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if r := srv.handle(ctx, body, "/", "u"); r.status != 200 || !bytes.Contains(r.body, []byte(`"result":10`)) {
			b.Fatalf("%d %s", r.status, r.body)
		}
	}
}

// BenchmarkHTTPGetBlockCount is the same call over a loopback HTTP
// connection with authentication, as a client sees it.
func BenchmarkHTTPGetBlockCount(b *testing.B) {
	n := newTestNode(b)
	n.mine(b, 10)
	ts := startServer(b, Config{User: "u", Password: "p", Backends: n.backends()})
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ts.client.Call(ctx, "getblockcount", nil); err != nil {
			b.Fatal(err)
		}
	}
}

// bigBlock is a block of n one-input, two-output transactions with
// 64-byte witnesses (the shape of a full block of key spends; signatures
// are not checked here), and matching undo data.
func bigBlock(n int) (*wire.Block, *consensus.BlockUndo) {
	key := chaingen.KeyLock(chaingen.KeyFromSeed("bench"))
	cb := &wire.Tx{Version: 1, TxIn: []wire.TxIn{{PrevOut: wire.NullOutPoint, CoinbaseData: wire.NewCoinbaseData(1, nil, nil),
		Sequence: 0xffffffff, Witness: [][]byte{make([]byte, 32)}}},
		TxOut: []wire.TxOut{{Value: 50 * params.Coin, Lock: key}}}
	blk := &wire.Block{Header: wire.BlockHeader{Version: 1, Bits: 0x207fffff}, Transactions: []*wire.Tx{cb}}
	undo := &consensus.BlockUndo{}
	for i := range n - 1 {
		op := wire.OutPoint{Hash: chainhash.DoubleSHA256([]byte{byte(i), byte(i >> 8)}), Index: uint32(i % 3)}
		blk.Transactions = append(blk.Transactions, &wire.Tx{
			Version:  2,
			TxIn:     []wire.TxIn{{PrevOut: op, Sequence: 0xffffffff, Witness: [][]byte{bytes.Repeat([]byte{byte(i)}, 64)}}},
			TxOut:    []wire.TxOut{{Value: 40_000, Lock: key}, {Value: 59_000, Lock: key}},
			LockTime: 0,
		})
		undo.Spent = append(undo.Spent, consensus.SpentOutput{OutPoint: op, Entry: consensus.UtxoEntry{Out: wire.TxOut{Value: 100_000, Lock: key}}})
	}
	return blk, undo
}

// BenchmarkBlockJSON4000 encodes getblock's verbosity-2 object of a
// 4,000-transaction block (about 1 MB of JSON).
func BenchmarkBlockJSON4000(b *testing.B) {
	blk, undo := bigBlock(4000)
	info := BlockInfo{Hash: blk.BlockHash(), Header: blk.Header, Height: 1, InMainChain: true, NumTx: 4000}
	o := BlockOptions{HRP: "rbal", PowLimitBits: 0x207fffff, TipHeight: 1, Verbosity: 2, Undo: undo}
	buf := AppendBlockJSON(nil, blk, &info, &o)
	b.SetBytes(int64(len(buf)))
	b.ReportAllocs()
	for b.Loop() {
		buf = AppendBlockJSON(buf[:0], blk, &info, &o)
	}
}

// BenchmarkBlockJSON4000Verbosity1 is the same block with txids only.
func BenchmarkBlockJSON4000Verbosity1(b *testing.B) {
	blk, _ := bigBlock(4000)
	info := BlockInfo{Hash: blk.BlockHash(), Header: blk.Header, Height: 1, InMainChain: true, NumTx: 4000}
	o := BlockOptions{HRP: "rbal", PowLimitBits: 0x207fffff, TipHeight: 1, Verbosity: 1}
	buf := AppendBlockJSON(nil, blk, &info, &o)
	b.ReportAllocs()
	for b.Loop() {
		buf = AppendBlockJSON(buf[:0], blk, &info, &o)
	}
}
