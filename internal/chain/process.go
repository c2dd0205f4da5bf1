package chain

import (
	"errors"

	"github.com/ballast-chain/ballast/internal/chainhash"
	"github.com/ballast-chain/ballast/internal/consensus"
	"github.com/ballast-chain/ballast/internal/store"
	"github.com/ballast-chain/ballast/internal/wire"
)

// Outcome says what ProcessBlock did with a valid-so-far block.
type Outcome int

// Outcomes.
const (
	// Connected: the block is on the active chain now (it may have caused
	// a reorganisation).
	Connected Outcome = iota
	// SideChain: the block is stored on a fork with less work than the tip.
	SideChain
	// Orphan: the parent is unknown; the block waits for it.
	Orphan
)

func (o Outcome) String() string {
	switch o {
	case Connected:
		return "connected"
	case SideChain:
		return "side chain"
	case Orphan:
		return "orphan"
	}
	return "unknown"
}

// ProcessBlock validates a block and adds it to the chain. Blocks that break
// a rule return the consensus.RuleError (and, unless the failure could be
// temporary or caused by a mutated copy, are remembered as invalid); known
// blocks return ErrDuplicateBlock; descendants of invalid blocks return
// ErrKnownInvalid.
//
// The context-free checks run before the chain's lock is taken, or were run
// already by Preverify.
func (c *Chain) ProcessBlock(m *wire.Block) (Outcome, error) { return c.process(m, false) }

// ProcessBlockLazy is ProcessBlock for blocks nobody waits on (a node
// catching up with its peers): the block and its connection are written in
// the same atomic batches, but without waiting for stable storage. Flush
// makes them durable, one disk flush for many blocks, as Bitcoin Core
// flushes its chain state periodically during initial sync. A killed
// process loses nothing; after a power loss the chain restarts consistent at
// an earlier block and the rest is downloaded again. An answer promised to
// someone (submitblock) must come from ProcessBlock.
func (c *Chain) ProcessBlockLazy(m *wire.Block) (Outcome, error) { return c.process(m, true) }

// process is ProcessBlock (lazy false: flushed before it returns) and
// ProcessBlockLazy.
func (c *Chain) process(m *wire.Block, lazy bool) (Outcome, error) {
	blk, pre, sanity := c.prepare(m)
	c.mu.Lock()
	c.lazy = lazy
	out, err := c.processBlock(blk, sanity, pre)
	c.lazy = false
	if !lazy {
		if ferr := c.Flush(); ferr != nil && err == nil {
			err = ferr
		}
	}
	c.mu.Unlock()
	c.deliver()
	return out, err
}

// Flush makes every block processed so far durable (see ProcessBlockLazy).
func (c *Chain) Flush() error {
	if !c.unsynced.Swap(false) {
		return nil
	}
	if err := c.db.Sync(); err != nil {
		c.unsynced.Store(true)
		return err
	}
	return nil
}

// commit commits a batch of block data or chain state: synced, unless the
// block being processed came through ProcessBlockLazy.
func (c *Chain) commit(b *store.Batch) error {
	if c.lazy {
		return c.commitDeferred(b)
	}
	if err := b.Commit(); err != nil {
		return err
	}
	c.unsynced.Store(false) // the log is written in order: all before is durable too
	return nil
}

// commitDeferred commits without waiting for stable storage; a later
// commit or Flush makes it durable. A block is stored so, since its
// connection (or ProcessBlock's final Flush) follows at once: one disk
// flush per block instead of two.
func (c *Chain) commitDeferred(b *store.Batch) error {
	if err := b.CommitNoSync(); err != nil {
		return err
	}
	c.unsynced.Store(true)
	return nil
}

// prepare wraps m and runs its context-free checks, or takes both from the
// preverifier (with what it verified) if it had this block.
func (c *Chain) prepare(m *wire.Block) (*consensus.Block, *preBlock, error) {
	if b := c.pre.take(m, m.BlockHash()); b != nil {
		return b.blk, b, b.sanity
	}
	blk := consensus.NewBlock(m)
	return blk, nil, consensus.CheckBlockSanity(blk, c.p)
}

// processBlock adds blk, whose context-free checks gave sanity; pre is its
// preverification, if any.
func (c *Chain) processBlock(blk *consensus.Block, sanity error, pre *preBlock) (Outcome, error) {
	m := blk.Msg
	if n, ok := c.index[blk.Hash]; ok {
		if n.status.invalid() {
			return 0, chainErr(ErrKnownInvalid, "block %s is known to be invalid", blk.Hash)
		}
		return 0, chainErr(ErrDuplicateBlock, "block %s already known", blk.Hash)
	}
	if _, ok := c.orphans[blk.Hash]; ok {
		return 0, chainErr(ErrDuplicateBlock, "block %s already waiting for its parent", blk.Hash)
	}
	// Sanity failures are not remembered: a mutated copy of a valid block
	// has the same hash, and must not poison it.
	if sanity != nil {
		return 0, sanity
	}
	parent, ok := c.index[m.Header.PrevBlock]
	if !ok {
		c.addOrphan(blk.Hash, m)
		return Orphan, nil
	}
	out, err := c.acceptBlock(blk, parent, pre)
	if err != nil {
		return out, err
	}
	c.processOrphans(blk.Hash)
	return out, nil
}

// acceptBlock checks a block's position, stores it and moves the chain to the
// best candidate.
func (c *Chain) acceptBlock(blk *consensus.Block, parent *blockNode, pre *preBlock) (Outcome, error) {
	m := blk.Msg
	if parent.status.invalid() {
		c.storeFailed(blk, parent, statusFailedChild)
		return 0, chainErr(ErrKnownInvalid, "block %s descends from invalid block %s", blk.Hash, parent.hash)
	}
	pinfo := parent.info()
	now := c.cfg.Now().Unix()
	if err := consensus.CheckHeaderPositional(&m.Header, &pinfo, c.p, now); err != nil {
		if !errors.Is(err, consensus.ErrTimeTooNew) { // may become valid later
			c.storeFailed(blk, parent, statusFailed)
		}
		return 0, err
	}
	if err := consensus.CheckBlockPositional(blk, &pinfo); err != nil {
		c.storeFailed(blk, parent, statusFailed)
		return 0, err
	}
	n := newNode(&m.Header, blk.Hash, parent)
	n.status = statusDataStored
	n.nTx = uint32(len(m.Transactions))
	b := c.db.NewBatch()
	b.Set(hashKey(prefixBlock, n.hash), m.Bytes())
	b.Set(hashKey(prefixIndex, n.hash), n.encode())
	if err := c.commitDeferred(b); err != nil {
		return 0, err
	}
	c.addNode(n)
	c.candidates[n] = struct{}{}
	delete(c.candidates, parent)

	// The block just stored is usually the next to connect: hand it over
	// decoded, with its txids, instead of reading it back.
	c.fresh, c.freshPre = blk, pre
	err := c.activateBestChain()
	c.fresh, c.freshPre = nil, nil
	if err != nil {
		return 0, err
	}
	if n.status.invalid() {
		return 0, c.failureOf(n)
	}
	if c.inActive(n) {
		return Connected, nil
	}
	return SideChain, nil
}

// storeFailed records a block that failed a positional check so it is never
// retried. Only the index entry is kept, not the data.
func (c *Chain) storeFailed(blk *consensus.Block, parent *blockNode, st status) {
	n := newNode(&blk.Msg.Header, blk.Hash, parent)
	n.status = st
	n.nTx = uint32(len(blk.Msg.Transactions))
	b := c.db.NewBatch()
	b.Set(hashKey(prefixIndex, n.hash), n.encode())
	if err := b.Commit(); err != nil {
		c.log.Error("recording invalid block failed", "block", blk.Hash.String(), "err", err)
		return
	}
	c.addNode(n)
}

// failureOf returns the rule a block broke while being connected just now, so
// the caller that submitted it learns which.
func (c *Chain) failureOf(n *blockNode) error {
	if err, ok := c.lastFailure[n]; ok {
		delete(c.lastFailure, n)
		return err
	}
	return chainErr(ErrKnownInvalid, "block %s descends from an invalid block", n.hash)
}

func (c *Chain) addOrphan(hash chainhash.Hash, m *wire.Block) {
	if len(c.orphanList) >= MaxOrphans {
		oldest := c.orphanList[0]
		c.orphanList = c.orphanList[1:]
		delete(c.orphans, oldest)
	}
	c.orphans[hash] = m
	c.orphanList = append(c.orphanList, hash)
}

// processOrphans accepts orphans whose parent just arrived, recursively.
func (c *Chain) processOrphans(parent chainhash.Hash) {
	queue := []chainhash.Hash{parent}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		for i := 0; i < len(c.orphanList); i++ {
			h := c.orphanList[i]
			m := c.orphans[h]
			if m.Header.PrevBlock != p {
				continue
			}
			c.orphanList = append(c.orphanList[:i], c.orphanList[i+1:]...)
			delete(c.orphans, h)
			i--
			if _, err := c.acceptBlock(consensus.NewBlock(m), c.index[p], nil); err != nil {
				c.log.Info("orphan rejected", "block", h.String(), "err", err)
				continue
			}
			queue = append(queue, h)
		}
	}
}

// bestCandidate returns the candidate with the most work; ties keep the
// current tip (first seen wins, as in Bitcoin).
func (c *Chain) bestCandidate() *blockNode {
	tip := c.active[len(c.active)-1]
	best := tip
	for n := range c.candidates {
		if n.work.Cmp(best.work) > 0 {
			best = n
		}
	}
	return best
}

// activateBestChain moves the active chain to the best valid candidate,
// disconnecting and connecting blocks one atomic batch at a time. A block
// that fails is marked invalid with its descendants and the search repeats.
func (c *Chain) activateBestChain() error {
	for {
		tip := c.active[len(c.active)-1]
		best := c.bestCandidate()
		if best == tip {
			return nil
		}
		fork := findFork(tip, best)
		if depth := tip.height - fork.height; depth > MaxReorgDepth {
			c.log.Warn("better chain forks too deep; not switching", "depth", depth, "limit", MaxReorgDepth,
				"candidate", best.hash.String())
			delete(c.candidates, best)
			return chainErr(ErrReorgTooDeep, "switching to %s would disconnect %d blocks (limit %d)", best.hash, depth, MaxReorgDepth)
		}
		if fork != tip {
			c.log.Info("reorganising", "from", tip.hash.String(), "to", best.hash.String(),
				"fork_height", fork.height, "disconnect", tip.height-fork.height, "connect", best.height-fork.height)
		}
		for c.active[len(c.active)-1] != fork {
			if err := c.disconnectTip(); err != nil {
				return err
			}
		}
		path := make([]*blockNode, 0, best.height-fork.height)
		for n := best; n != fork; n = n.parent {
			path = append(path, n)
		}
		for i := len(path) - 1; i >= 0; i-- {
			err := c.connectTip(path[i])
			var re *consensus.RuleError
			if errors.As(err, &re) {
				c.markFailed(path[i], err)
				break // choose again
			}
			if err != nil {
				return err
			}
		}
	}
}
