package rpc

import (
	"bytes"
	"encoding/json"
	"flag"
	"math/big"
	"os"
	"path/filepath"
	"testing"

	"github.com/ballast-chain/ballast/internal/chaingen"
	"github.com/ballast-chain/ballast/internal/chainhash"
	"github.com/ballast-chain/ballast/internal/consensus"
	"github.com/ballast-chain/ballast/internal/params"
	"github.com/ballast-chain/ballast/internal/policy"
	"github.com/ballast-chain/ballast/internal/pow"
	"github.com/ballast-chain/ballast/internal/wire"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

// golden compares got (JSON) indented with testdata/name, or rewrites the
// file with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	var ind bytes.Buffer
	if err := json.Indent(&ind, got, "", "  "); err != nil {
		t.Fatalf("%s: invalid JSON %s: %v", name, got, err)
	}
	ind.WriteByte('\n')
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, ind.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(ind.Bytes(), want) {
		t.Errorf("%s differs from the golden file (run with -update if intended):\n%s", name, ind.Bytes())
	}
}

// goldenTx is a transaction with every feature the encoder shows: a witness,
// key, policy and burn locks, an issued asset, a record with a witness.
func goldenTx() *wire.Tx {
	var asset wire.AssetID
	for i := range asset {
		asset[i] = byte(i + 1)
	}
	pol := policy.NewAnd(policy.NewAfter(100), policy.NewOlder(144))
	return &wire.Tx{
		Version: 2,
		TxIn: []wire.TxIn{
			{PrevOut: wire.OutPoint{Hash: chainhash.DoubleSHA256([]byte("a")), Index: 0}, Sequence: 0xfffffffd,
				Witness: [][]byte{bytes.Repeat([]byte{0x11}, 64)}},
			{PrevOut: wire.OutPoint{Hash: chainhash.DoubleSHA256([]byte("b")), Index: 7}, Sequence: 0xffffffff,
				Witness: [][]byte{pol.Encode(), {}}},
		},
		TxOut: []wire.TxOut{
			{Asset: wire.NativeAsset, Value: 1, Lock: chaingen.KeyLock(chaingen.KeyFromSeed("golden"))},
			{Asset: wire.NativeAsset, Value: 2_100_000_000_000_000, Lock: wire.PolicyLock(pol.Hash())},
			{Asset: asset, Value: 123_456_789, Lock: chaingen.KeyLock(chaingen.KeyFromSeed("golden"))},
			{Asset: wire.NativeAsset, Value: 0, Lock: wire.BurnLock([]byte("redeem:42"))},
		},
		Records:  []wire.Record{{Type: wire.RecordAttestation, Payload: []byte{1, 2, 3}, Witness: [][]byte{{0xaa}}}},
		LockTime: 500,
	}
}

// goldenBlock is a regtest block with a coinbase and a signed spend, and
// its index entry.
func goldenBlock(t testing.TB) (*wire.Block, BlockInfo, *consensus.BlockUndo) {
	p := params.Regtest()
	g := chaingen.NewGenerator(p, "golden")
	c := chaingen.NewChain(p)
	var blk *wire.Block
	for i := 0; i < int(p.CoinbaseMaturity)+1; i++ {
		blk = g.NextBlock(nil, chaingen.BlockOpts{})
		if err := c.ProcessBlock(blk); err != nil {
			t.Fatal(err)
		}
	}
	spend := g.SpendTx([]*chaingen.SpendableOut{g.Coinbases[1]}, 2, 1000)
	blk = g.NextBlock([]*wire.Tx{spend}, chaingen.BlockOpts{Fees: 1000})
	if err := c.ProcessBlock(blk); err != nil {
		t.Fatal(err)
	}
	work := new(big.Int)
	for range int(c.Tip.Height) + 1 {
		work.Add(work, pow.CalcWork(p.PowLimitBits))
	}
	info := BlockInfo{Hash: blk.BlockHash(), Header: blk.Header, Height: c.Tip.Height, MedianTime: c.Tip.MedianTime,
		ChainWork: work, NumTx: len(blk.Transactions), InMainChain: true}
	return blk, info, c.Undo[c.Tip.Height]
}

func TestTxJSONGolden(t *testing.T) {
	tx := goldenTx()
	hrp := params.Regtest().Bech32HRP
	golden(t, "decoderawtransaction.golden", AppendTxJSON(nil, tx, &TxOptions{HRP: hrp}))
	yes := true
	golden(t, "getrawtransaction.golden", AppendTxJSON(nil, tx, &TxOptions{HRP: hrp, Hex: true, HasFee: true, Fee: 1234,
		InActiveChain: &yes, Block: &TxBlock{Hash: chainhash.DoubleSHA256([]byte("block")), InMainChain: true, Confirmations: 3, Time: 1767225600}}))
	blk, info, undo := goldenBlock(t)
	golden(t, "coinbase.golden", AppendTxJSON(nil, blk.Transactions[0], &TxOptions{HRP: hrp}))
	o := BlockOptions{HRP: hrp, PowLimitBits: params.Regtest().PowLimitBits, TipHeight: info.Height + 1, Verbosity: 1}
	golden(t, "getblock1.golden", AppendBlockJSON(nil, blk, &info, &o))
	o.Verbosity, o.Undo = 2, undo
	golden(t, "getblock2.golden", AppendBlockJSON(nil, blk, &info, &o))
	info.InMainChain = false
	golden(t, "getblockheader_stale.golden", AppendHeaderJSON(nil, &info, info.Height+1, o.PowLimitBits))
}

func TestBlockFees(t *testing.T) {
	blk, _, undo := goldenBlock(t)
	fees := blockFees(blk, undo)
	if len(fees) != 2 || fees[0] != 0 || fees[1] != 1000 {
		t.Errorf("fees %v", fees)
	}
	if blockFees(blk, &consensus.BlockUndo{}) != nil {
		t.Error("fees from mismatched undo data")
	}
	bad := *undo
	bad.Spent = append([]consensus.SpentOutput(nil), undo.Spent...)
	bad.Spent[0].OutPoint.Index++
	if blockFees(blk, &bad) != nil {
		t.Error("fees from undo data of other outpoints")
	}
}

func TestDifficulty(t *testing.T) {
	for _, c := range []struct {
		bits, limit uint32
		want        string // as printed, 16 significant digits like Core
	}{
		{0x207fffff, 0x207fffff, "1"},
		{0x1e00ffff, 0x1e00ffff, "1"},
		{0x1d00ffff, 0x1e00ffff, "256"},
		{0x1d00ffff, 0x1d00ffff, "1"},
		{0x1b0404cb, 0x1d00ffff, "16307.42093852398"},     // Core's blockchain_tests vector
		{0x207fffff, 0x1d00ffff, "4.656542373906925e-10"}, // Core's regtest figure
		{0x1e007fff, 0x1e00ffff, "2.000030518509476"},
		{0x1f00ffff, 0x1e00ffff, "0.00390625"},
	} {
		if got := string(appendFloat(nil, Difficulty(c.bits, c.limit))); got != c.want {
			t.Errorf("Difficulty(%08x, %08x) = %s, want %s", c.bits, c.limit, got, c.want)
		}
	}
	if got := string(appendFloat(nil, 4.656542373906925e-10)); got != "4.656542373906925e-10" {
		t.Errorf("float format %s", got)
	}
	if got := string(appendFloat(nil, 1)); got != "1" {
		t.Errorf("float format %s", got)
	}
}
