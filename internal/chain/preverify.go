package chain

import (
	"sync"
	"sync/atomic"

	"github.com/ballast-chain/ballast/internal/chainhash"
	"github.com/ballast-chain/ballast/internal/consensus"
	"github.com/ballast-chain/ballast/internal/wire"
)

// maxPreverify bounds the blocks waiting for or under preverification.
const maxPreverify = 32

// recentBlocks is how many preverified blocks' outputs a later block's
// inputs are looked up in (besides the UTXO set and its own outputs).
const recentBlocks = 2

// preverifier keeps the cores busy while blocks queue for connection (an
// initial sync, a reindex): for a block handed to Chain.Preverify it checks
// the block's context-free rules, computes its txids and verifies the
// signatures of every transaction whose spent outputs it can find, adding
// those that verify to the signature cache. When the block is connected its
// signature checks are then cache hits, so the serial parts of connecting
// one block (looking up inputs, the database commit) overlap with the
// signature checks of the next.
//
// It is sound by construction: the signature cache is keyed by (message,
// key, signature), so a check done against outputs guessed wrongly only adds
// an entry no connection will ask for, and connection still looks up every
// input and verifies every signature not in the cache. Nothing here reads
// or writes chain state under the chain's lock, and the UTXO set is only
// peeked at, never cached into (a guess must not reach the cache).
type preverifier struct {
	c *Chain

	mu      sync.Mutex
	queue   []*preBlock // waiting for a worker, in arrival order
	byHash  map[chainhash.Hash]*preBlock
	order   []chainhash.Hash // insertion order of byHash, for eviction
	running int
	recent  []map[chainhash.Hash]*wire.Tx // outputs of the last preverified blocks
}

// preBlock is one block handed to Preverify.
type preBlock struct {
	m    *wire.Block
	hash chainhash.Hash
	// stop is set when the block is taken for connection (or evicted):
	// its signatures are then checked by the connection itself.
	stop atomic.Bool
	// ready is set once blk and sanity are filled in.
	ready  atomic.Bool
	blk    *consensus.Block
	sanity error
}

// Preverify queues m for preverification (see preverifier) and returns at
// once. It does nothing without a signature cache in Config.Verify. m must
// not be modified afterwards: ProcessBlock reuses the txids and
// context-free checks computed here when it is given the same *wire.Block.
func (c *Chain) Preverify(m *wire.Block) {
	if c.cfg.Verify.SigCache == nil {
		return
	}
	pv := &c.pre
	hash := m.BlockHash()
	pv.mu.Lock()
	defer pv.mu.Unlock()
	if _, dup := pv.byHash[hash]; dup {
		return
	}
	if len(pv.order) >= maxPreverify {
		old := pv.order[0]
		pv.order = pv.order[1:]
		if b := pv.byHash[old]; b != nil {
			b.stop.Store(true)
			delete(pv.byHash, old)
		}
	}
	b := &preBlock{m: m, hash: hash}
	pv.byHash[hash] = b
	pv.order = append(pv.order, hash)
	pv.queue = append(pv.queue, b)
	if pv.running < max(1, c.cfg.Verify.Workers) {
		pv.running++
		go pv.work()
	}
}

// take withdraws m from preverification, returning its wrapped form and
// context-free check result if they were computed for this very block.
func (pv *preverifier) take(m *wire.Block, hash chainhash.Hash) (blk *consensus.Block, sanity error, ok bool) {
	pv.mu.Lock()
	b := pv.byHash[hash]
	if b != nil {
		delete(pv.byHash, hash)
		for i, h := range pv.order {
			if h == hash {
				pv.order = append(pv.order[:i], pv.order[i+1:]...)
				break
			}
		}
	}
	pv.mu.Unlock()
	if b == nil {
		return nil, nil, false
	}
	b.stop.Store(true)
	if b.m != m || !b.ready.Load() {
		return nil, nil, false
	}
	return b.blk, b.sanity, true
}

func (pv *preverifier) work() {
	for {
		pv.mu.Lock()
		if len(pv.queue) == 0 {
			pv.running--
			pv.mu.Unlock()
			return
		}
		b := pv.queue[0]
		pv.queue[0] = nil
		pv.queue = pv.queue[1:]
		pv.mu.Unlock()
		if !b.stop.Load() {
			pv.run(b)
		}
	}
}

// run preverifies one block, last transaction first: the connection, when
// it catches up, verifies from the first, so what both do is small.
func (pv *preverifier) run(b *preBlock) {
	blk := consensus.NewBlock(b.m)
	b.blk, b.sanity = blk, consensus.CheckBlockSanity(blk, pv.c.p)
	b.ready.Store(true)
	if b.sanity != nil {
		return
	}
	txs := b.m.Transactions
	own := make(map[chainhash.Hash]*wire.Tx, len(txs))
	for i, tx := range txs {
		own[blk.TxIDs[i]] = tx
	}
	pv.mu.Lock()
	recent := append([]map[chainhash.Hash]*wire.Tx(nil), pv.recent...)
	pv.recent = append(pv.recent, own)
	if len(pv.recent) > recentBlocks {
		pv.recent = pv.recent[1:]
	}
	pv.mu.Unlock()

	opt := pv.c.cfg.Verify
	opt.Workers = 1
	var prev []wire.TxOut
	for i := len(txs) - 1; i >= 1; i-- {
		if b.stop.Load() {
			return
		}
		tx := txs[i]
		prev = prev[:0]
		for _, in := range tx.TxIn {
			out, ok := pv.lookup(in.PrevOut, own, recent)
			if !ok {
				break
			}
			prev = append(prev, out)
		}
		if len(prev) != len(tx.TxIn) {
			continue // an output it cannot find: the connection checks it
		}
		// A failure is not an answer: the guess may be wrong. The
		// connection finds the truth.
		_ = consensus.VerifyTxSpendsWith(tx, prev, opt)
	}
}

// lookup guesses the output op spends: from the block itself, the blocks
// preverified just before, or the UTXO set as it stands.
func (pv *preverifier) lookup(op wire.OutPoint, own map[chainhash.Hash]*wire.Tx, recent []map[chainhash.Hash]*wire.Tx) (wire.TxOut, bool) {
	if tx, ok := own[op.Hash]; ok {
		return outAt(tx, op.Index)
	}
	for i := len(recent) - 1; i >= 0; i-- {
		if tx, ok := recent[i][op.Hash]; ok {
			return outAt(tx, op.Index)
		}
	}
	e := pv.c.utxos.peek(op)
	if e == nil {
		return wire.TxOut{}, false
	}
	return e.Out, true
}

func outAt(tx *wire.Tx, i uint32) (wire.TxOut, bool) {
	if int(i) >= len(tx.TxOut) {
		return wire.TxOut{}, false
	}
	return tx.TxOut[i], true
}
