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

// preverifyGroup is about how many inputs preverification verifies at once
// (as one batch, with a batch verifier): large enough for batches to pay,
// small enough that a block taken for connection midway leaves little
// verified twice.
const preverifyGroup = 2048

// recentBlocks is how many preverified blocks' outputs a later block's
// inputs are looked up in (besides the UTXO set and its own outputs).
const recentBlocks = 2

// preverifier keeps the cores busy while blocks queue for connection (an
// initial sync, a reindex): for a block handed to Chain.Preverify it checks
// the block's context-free rules, computes its txids and verifies the spends
// of every transaction whose spent outputs it can find, remembering for each
// transaction that verified the outputs it was verified against. When the
// block is connected, a transaction whose actual spent outputs are those
// same outputs is not verified again (consensus.Options.Verified), so the
// serial parts of connecting one block (looking up inputs, the database
// commit) overlap with the signature checks of the next.
//
// It is sound by construction: whether a transaction's spends verify is a
// function of the transaction and the outputs it spends alone, and the
// connection compares the outputs it looked up itself with the ones the
// guess used, field by field; a wrong guess (an output spent or replaced
// meanwhile) only means the connection verifies that transaction itself.
// Connection still looks up every input and applies every other rule.
// Nothing here reads or writes chain state under the chain's lock, and the
// UTXO set is only peeked at, never cached into.
type preverifier struct {
	c *Chain

	mu      sync.Mutex
	queue   []*preBlock // waiting for a worker, in arrival order
	byHash  map[chainhash.Hash]*preBlock
	order   []chainhash.Hash // insertion order of byHash, for eviction
	running int
	recent  []*blockOuts // outputs of the last preverified blocks
	closed  bool
	wg      sync.WaitGroup
}

// preBlock is one block handed to Preverify.
type preBlock struct {
	m    *wire.Block
	hash chainhash.Hash
	// stop is set when the block is taken for connection (or evicted):
	// its signatures are then checked by the connection itself.
	stop atomic.Bool
	// busy is held while a group of its transactions is being verified:
	// the connection waits for that group rather than verifying it again.
	busy sync.Mutex
	// ready is set once blk, sanity and verified are filled in.
	ready  atomic.Bool
	blk    *consensus.Block
	sanity error
	// verified[i] holds the outputs transaction i's spends verified
	// against, once they have.
	verified []atomic.Pointer[[]wire.TxOut]
}

// isVerified implements consensus.Options.Verified for the block.
func (b *preBlock) isVerified(i int, prevOuts []wire.TxOut) bool {
	if i >= len(b.verified) {
		return false
	}
	p := b.verified[i].Load()
	return p != nil && consensus.SameOutputs(*p, prevOuts)
}

// Preverify queues m for preverification (see preverifier) and returns at
// once. m must not be modified afterwards: ProcessBlock reuses what was
// computed here only when it is given the same *wire.Block.
func (c *Chain) Preverify(m *wire.Block) {
	pv := &c.pre
	hash := m.BlockHash()
	pv.mu.Lock()
	defer pv.mu.Unlock()
	if _, dup := pv.byHash[hash]; dup || pv.closed {
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
		pv.wg.Add(1)
		go pv.work()
	}
}

// Close stops preverification and waits for its goroutines, which read the
// database: call it before closing the database. Preverify does nothing
// afterwards; ProcessBlock still works.
func (c *Chain) Close() {
	pv := &c.pre
	pv.mu.Lock()
	pv.closed = true
	for _, b := range pv.byHash {
		b.stop.Store(true)
	}
	clear(pv.queue)
	pv.queue = nil
	pv.mu.Unlock()
	pv.wg.Wait()
}

// take withdraws m from preverification, returning what was computed for
// this very block, or nil.
func (pv *preverifier) take(m *wire.Block, hash chainhash.Hash) *preBlock {
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
		return nil
	}
	b.stop.Store(true)
	if b.m != m || !b.ready.Load() {
		return nil
	}
	// No group starts after stop; wait for the one under way, if any (a
	// group is a few tens of milliseconds of verification, during which
	// the other cores keep preverifying the blocks behind).
	b.busy.Lock()
	//lint:ignore SA2001 an empty critical section: waiting is the point
	b.busy.Unlock()
	return b
}

func (pv *preverifier) work() {
	defer pv.wg.Done()
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

// run preverifies one block.
func (pv *preverifier) run(b *preBlock) {
	blk := consensus.NewBlock(b.m)
	b.blk, b.sanity = blk, consensus.CheckBlockSanity(blk, pv.c.p)
	b.verified = make([]atomic.Pointer[[]wire.TxOut], len(b.m.Transactions))
	b.ready.Store(true)
	if b.sanity != nil {
		return
	}
	txs := b.m.Transactions
	own := &blockOuts{txs: make(map[chainhash.Hash]*wire.Tx, len(txs))}
	for i, tx := range txs {
		own.txs[blk.TxIDs[i]] = tx
	}
	pv.mu.Lock()
	pv.recent = append(pv.recent, own)
	if len(pv.recent) > recentBlocks+1 {
		pv.recent = pv.recent[1:]
	}
	recent := pv.recentLocked(own)
	pv.mu.Unlock()

	// Look up what every transaction spends, then verify all those found
	// at once (in batches, with a batch verifier); if that fails, one by
	// one, keeping those that pass.
	var (
		idx   []int
		found []*wire.Tx
		prevs [][]wire.TxOut
	)
	for i := 1; i < len(txs); i++ {
		if b.stop.Load() {
			return
		}
		tx := txs[i]
		prev := make([]wire.TxOut, 0, len(tx.TxIn))
		for _, in := range tx.TxIn {
			out, ok := pv.lookup(in.PrevOut, own, recent)
			if !ok {
				// A block preverified beside this one may have
				// registered its outputs since: look once more.
				pv.mu.Lock()
				recent = pv.recentLocked(own)
				pv.mu.Unlock()
				if out, ok = pv.lookup(in.PrevOut, own, recent); !ok {
					break
				}
			}
			prev = append(prev, out)
		}
		if len(prev) != len(tx.TxIn) {
			continue // an output it cannot find: the connection checks it
		}
		idx, found, prevs = append(idx, i), append(found, tx), append(prevs, prev)
	}
	opt := pv.c.cfg.Verify
	opt.Workers, opt.Verified = 1, nil
	// Groups of about preverifyGroup inputs, last first: the connection,
	// when it catches up, verifies from the first transaction, so what
	// both do is small, and it uses every group finished before.
	for hi := len(found); hi > 0; {
		lo, inputs := hi, 0
		for lo > 0 && inputs < preverifyGroup {
			lo--
			inputs += len(found[lo].TxIn)
		}
		if !pv.group(b, idx[lo:hi], found[lo:hi], prevs[lo:hi], opt) {
			return
		}
		hi = lo
	}
}

// group verifies one group of b's transactions (idx their positions in the
// block) holding b.busy, and reports false if b was stopped.
func (pv *preverifier) group(b *preBlock, idx []int, txs []*wire.Tx, prevs [][]wire.TxOut, opt consensus.Options) bool {
	b.busy.Lock()
	defer b.busy.Unlock()
	if b.stop.Load() {
		return false
	}
	if consensus.SpendsVerify(txs, prevs, opt) {
		for k := range txs {
			b.verified[idx[k]].Store(&prevs[k])
		}
		return true
	}
	// A failure is not an answer (a guess may be wrong): the connection
	// finds the truth. Keep what verifies.
	for k := len(txs) - 1; k >= 0; k-- {
		if b.stop.Load() {
			return false
		}
		if consensus.CheckTxSpends(txs[k], prevs[k], opt) == nil {
			b.verified[idx[k]].Store(&prevs[k])
		}
	}
	return true
}

// blockOuts finds a preverified block's transactions by txid.
type blockOuts struct{ txs map[chainhash.Hash]*wire.Tx }

// recentLocked returns the other recently preverified blocks.
func (pv *preverifier) recentLocked(own *blockOuts) []*blockOuts {
	out := make([]*blockOuts, 0, len(pv.recent))
	for _, r := range pv.recent {
		if r != own {
			out = append(out, r)
		}
	}
	return out
}

// lookup guesses the output op spends: from the block itself, the blocks
// preverified just before, or the UTXO set as it stands.
func (pv *preverifier) lookup(op wire.OutPoint, own *blockOuts, recent []*blockOuts) (wire.TxOut, bool) {
	if tx, ok := own.txs[op.Hash]; ok {
		return outAt(tx, op.Index)
	}
	for i := len(recent) - 1; i >= 0; i-- {
		if tx, ok := recent[i].txs[op.Hash]; ok {
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
