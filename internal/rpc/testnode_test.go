package rpc

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"testing"

	"github.com/ballast-chain/ballast/internal/chain"
	"github.com/ballast-chain/ballast/internal/chaingen"
	"github.com/ballast-chain/ballast/internal/chainhash"
	"github.com/ballast-chain/ballast/internal/consensus"
	"github.com/ballast-chain/ballast/internal/params"
	"github.com/ballast-chain/ballast/internal/pow"
	"github.com/ballast-chain/ballast/internal/wire"
)

// testNode implements every backend over internal/chaingen: a real regtest
// chain validated by the consensus package, with a block index, undo data,
// a transaction index, invalidate/reconsider (by replaying the chain) and a
// small mempool that runs the consensus checks. It is the adapter the node
// will be: thin, and only what the handlers ask.
type testNode struct {
	mu       sync.Mutex
	p        *params.Params
	gen      *chaingen.Generator
	chain    *chaingen.Chain
	blocks   map[chainhash.Hash]*wire.Block
	index    map[chainhash.Hash]*BlockInfo
	undo     map[chainhash.Hash]*consensus.BlockUndo
	main     []chainhash.Hash
	stale    []chainhash.Hash // the branch the last invalidateblock disconnected
	invalid  map[chainhash.Hash]bool
	txindex  bool
	pool     []poolTx
	poolSeq  uint64
	minRelay int64 // base units per 1000 vbytes
}

type poolTx struct {
	tx   *wire.Tx
	fee  int64
	time int64
}

func newTestNode(t testing.TB) *testNode {
	t.Helper()
	p := params.Regtest()
	n := &testNode{
		p: p, gen: chaingen.NewGenerator(p, "rpc-test"), chain: chaingen.NewChain(p),
		blocks: map[chainhash.Hash]*wire.Block{p.GenesisHash: p.GenesisBlock},
		index:  map[chainhash.Hash]*BlockInfo{},
		undo:   map[chainhash.Hash]*consensus.BlockUndo{}, main: []chainhash.Hash{p.GenesisHash},
		invalid: map[chainhash.Hash]bool{}, minRelay: 1000,
	}
	g := p.GenesisBlock.Header
	n.index[p.GenesisHash] = &BlockInfo{Hash: p.GenesisHash, Header: g, MedianTime: g.Timestamp,
		ChainWork: pow.CalcWork(g.Bits), NumTx: 1, InMainChain: true}
	return n
}

func (n *testNode) backends() Backends {
	return Backends{Chain: n, Mempool: n, Fees: n, Network: n, Mining: n}
}

// mineLocked builds and connects a block of txs paying lock (the
// generator's key when nil).
func (n *testNode) mineLocked(txs []*wire.Tx, lock *wire.Lock) (*wire.Block, error) {
	fees, err := n.feesOf(txs)
	if err != nil {
		return nil, err
	}
	prev := n.gen.Tip
	opts := chaingen.BlockOpts{Fees: fees}
	if lock != nil {
		opts.Munge = func(b *wire.Block) { b.Transactions[0].TxOut[0].Lock = *lock }
	}
	b := n.gen.NextBlock(txs, opts)
	if err := n.connect(b); err != nil {
		n.gen.Rewind(prev)
		return nil, err
	}
	return b, nil
}

// mine connects count blocks, the first holding txs, and fails the test
// on error.
func (n *testNode) mine(t testing.TB, count int, txs ...*wire.Tx) []*wire.Block {
	t.Helper()
	n.mu.Lock()
	defer n.mu.Unlock()
	var out []*wire.Block
	for i := range count {
		if i > 0 {
			txs = nil
		}
		b, err := n.mineLocked(txs, nil)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}

func (n *testNode) feesOf(txs []*wire.Tx) (int64, error) {
	view := consensus.NewUtxoView(n.chain.Utxos)
	var fees int64
	for _, tx := range txs {
		res, err := consensus.CheckTxInputs(tx, n.chain.Tip.Height+1, n.chain.Tip.MedianTime, view, n.p, n.chain.MedianTime)
		if err != nil {
			return 0, err
		}
		fees += res.Fee
		view.AddTxOuts(tx, tx.TxHash(), n.chain.Tip.Height+1)
	}
	return fees, nil
}

func (n *testNode) connect(b *wire.Block) error {
	if err := n.chain.ProcessBlock(b); err != nil {
		return err
	}
	h := b.BlockHash()
	prev := n.index[b.Header.PrevBlock]
	prev.Next = h
	n.blocks[h] = b
	n.index[h] = &BlockInfo{Hash: h, Header: b.Header, Height: n.chain.Tip.Height, MedianTime: n.chain.Tip.MedianTime,
		ChainWork: new(big.Int).Add(prev.ChainWork, pow.CalcWork(b.Header.Bits)), NumTx: len(b.Transactions), InMainChain: true}
	n.undo[h] = n.chain.Undo[n.chain.Tip.Height]
	n.main = append(n.main, h)
	mined := map[chainhash.Hash]bool{}
	for _, tx := range b.Transactions {
		mined[tx.TxHash()] = true
	}
	kept := n.pool[:0]
	for _, e := range n.pool {
		if !mined[e.tx.TxHash()] {
			kept = append(kept, e)
		}
	}
	if len(kept) != len(n.pool) {
		n.poolSeq++
	}
	n.pool = kept
	return nil
}

// activate replays hashes (genesis first) as the main chain.
func (n *testNode) activate(hashes []chainhash.Hash) error {
	n.chain = chaingen.NewChain(n.p)
	n.gen.Rewind(consensus.GenesisInfo(n.p))
	for _, info := range n.index {
		info.InMainChain, info.Next = false, chainhash.Hash{}
	}
	n.main = n.main[:1]
	n.index[n.p.GenesisHash].InMainChain = true
	for _, h := range hashes[1:] {
		b := n.blocks[h]
		n.gen.Accept(b)
		if err := n.connect(b); err != nil {
			return err
		}
	}
	return nil
}

// ChainBackend.

func (n *testNode) ChainState(context.Context) (ChainState, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	tip := *n.index[n.main[len(n.main)-1]]
	return ChainState{Tip: tip, Headers: tip.Height, VerificationProgress: 1, SizeOnDisk: 12345}, nil
}

func (n *testNode) BlockHash(_ context.Context, height int32) (chainhash.Hash, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if height < 0 || int(height) >= len(n.main) {
		return chainhash.Hash{}, ErrNotFound
	}
	return n.main[height], nil
}

func (n *testNode) BlockInfo(_ context.Context, hash chainhash.Hash) (BlockInfo, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	info, ok := n.index[hash]
	if !ok {
		return BlockInfo{}, fmt.Errorf("block %s: %w", hash, ErrNotFound)
	}
	return *info, nil
}

func (n *testNode) Block(_ context.Context, hash chainhash.Hash) (*wire.Block, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if b, ok := n.blocks[hash]; ok {
		return b, nil
	}
	if _, ok := n.index[hash]; ok {
		return nil, ErrBlockUnavailable
	}
	return nil, ErrNotFound
}

func (n *testNode) BlockUndo(_ context.Context, hash chainhash.Hash) (*consensus.BlockUndo, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.undo[hash], nil
}

func (n *testNode) ChainTips(context.Context) ([]ChainTip, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	tip := n.index[n.main[len(n.main)-1]]
	tips := []ChainTip{{Height: tip.Height, Hash: tip.Hash, Status: "active"}}
	if len(n.stale) > 0 {
		last := n.index[n.stale[len(n.stale)-1]]
		status := "valid-fork"
		for _, h := range n.stale {
			if n.invalid[h] {
				status = "invalid"
			}
		}
		tips = append(tips, ChainTip{Height: last.Height, Hash: last.Hash, BranchLen: int32(len(n.stale)), Status: status})
	}
	return tips, nil
}

func (n *testNode) FetchUtxo(_ context.Context, op wire.OutPoint) (*consensus.UtxoEntry, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.chain.Utxos.FetchUtxo(op)
}

func (n *testNode) UtxoSetInfo(_ context.Context, withHash bool) (UtxoSetInfo, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	tip := n.index[n.main[len(n.main)-1]]
	info := UtxoSetInfo{Height: tip.Height, BestBlock: tip.Hash, DiskSize: 4096}
	txs := map[chainhash.Hash]bool{}
	ops := make([]wire.OutPoint, 0, len(n.chain.Utxos))
	for op, e := range n.chain.Utxos {
		ops = append(ops, op)
		txs[op.Hash] = true
		info.TxOuts++
		info.BogoSize += 50 + int64(len(e.Out.Lock.AppendTo(nil)))
		if e.Out.Asset.IsNative() {
			info.TotalAmount += e.Out.Value
		}
	}
	info.Transactions = int64(len(txs))
	if withHash {
		sort.Slice(ops, func(i, j int) bool {
			if ops[i].Hash != ops[j].Hash {
				return string(ops[i].Hash[:]) < string(ops[j].Hash[:])
			}
			return ops[i].Index < ops[j].Index
		})
		h := sha256.New()
		for _, op := range ops {
			e := n.chain.Utxos[op]
			h.Write(op.Hash[:])
			h.Write((&e.Out).AppendTo(nil))
		}
		copy(info.Hash[:], h.Sum(nil))
	}
	return info, nil
}

func (n *testNode) TxBlock(_ context.Context, txid chainhash.Hash) (chainhash.Hash, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if !n.txindex {
		return chainhash.Hash{}, ErrNoTxIndex
	}
	for _, h := range n.main[1:] {
		for _, tx := range n.blocks[h].Transactions {
			if tx.TxHash() == txid {
				return h, nil
			}
		}
	}
	return chainhash.Hash{}, ErrNotFound
}

func (n *testNode) InvalidateBlock(_ context.Context, hash chainhash.Hash) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	info, ok := n.index[hash]
	if !ok {
		return ErrNotFound
	}
	n.invalid[hash] = true
	if !info.InMainChain {
		return nil
	}
	if info.Height == 0 {
		return errors.New("the genesis block cannot be invalidated")
	}
	n.stale = append([]chainhash.Hash(nil), n.main[info.Height:]...)
	return n.activate(append([]chainhash.Hash(nil), n.main[:info.Height]...))
}

func (n *testNode) ReconsiderBlock(_ context.Context, hash chainhash.Hash) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	info, ok := n.index[hash]
	if !ok {
		return ErrNotFound
	}
	delete(n.invalid, hash)
	if len(n.stale) == 0 || info.InMainChain {
		return nil
	}
	fork := n.index[n.stale[0]].Height
	if int(fork)+len(n.stale) <= len(n.main) { // not more work than the active chain
		return nil
	}
	hashes := append(append([]chainhash.Hash(nil), n.main[:fork]...), n.stale...)
	n.stale = nil
	return n.activate(hashes)
}

// DumpBlocks writes the test chain's blocks as the node does, to an
// absolute path (the test node has no data directory).
func (n *testNode) DumpBlocks(_ context.Context, path string, start, end int32) (DumpResult, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	tip := int32(len(n.main) - 1)
	if end < 0 || end > tip {
		end = tip
	}
	if start > end {
		return DumpResult{}, ErrNotFound
	}
	if !filepath.IsAbs(path) {
		return DumpResult{}, fmt.Errorf("test node: %s is not absolute", path)
	}
	if _, err := os.Lstat(path); err == nil {
		return DumpResult{}, fmt.Errorf("%s already exists", path)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return DumpResult{}, err
	}
	defer f.Close()
	for h := start; h <= end; h++ {
		if err := chain.WriteBlockRecord(f, n.p.Magic, n.blocks[n.main[h]]); err != nil {
			return DumpResult{}, err
		}
	}
	st, err := f.Stat()
	if err != nil {
		return DumpResult{}, err
	}
	return DumpResult{Path: path, Start: start, End: end, Blocks: int(end - start + 1), Bytes: st.Size()}, nil
}
