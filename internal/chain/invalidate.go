package chain

import (
	"github.com/ballast-chain/ballast/internal/chainhash"
)

// InvalidateBlock marks a block and its descendants invalid, as if they had
// broken a rule, and moves the active chain off them (Core's
// invalidateblock).
func (c *Chain) InvalidateBlock(hash chainhash.Hash) error {
	c.mu.Lock()
	err := c.invalidate(hash)
	c.mu.Unlock()
	c.deliver()
	return err
}

func (c *Chain) invalidate(hash chainhash.Hash) error {
	n, ok := c.index[hash]
	if !ok {
		return chainErr(ErrUnknownBlock, "block %s not found", hash)
	}
	if n.parent == nil {
		return chainErr(ErrGenesis, "the genesis block cannot be invalidated")
	}
	for c.inActive(n) {
		if err := c.disconnectTip(); err != nil {
			return err
		}
	}
	b := c.db.NewBatch()
	c.markSubtree(b, n, statusFailed)
	if err := b.Commit(); err != nil {
		return err
	}
	c.rebuildCandidates()
	c.log.Info("block invalidated", "block", hash.String(), "height", n.height)
	return c.activateBestChain()
}

// ReconsiderBlock removes the invalid marks from a block, its ancestors and its
// descendants, and lets the best chain be chosen again (Core's
// reconsiderblock). A block that really breaks a rule fails again.
func (c *Chain) ReconsiderBlock(hash chainhash.Hash) error {
	c.mu.Lock()
	err := c.reconsider(hash)
	c.mu.Unlock()
	c.deliver()
	return err
}

func (c *Chain) reconsider(hash chainhash.Hash) error {
	n, ok := c.index[hash]
	if !ok {
		return chainErr(ErrUnknownBlock, "block %s not found", hash)
	}
	b := c.db.NewBatch()
	clearMarks := func(x *blockNode) {
		if x.status.invalid() {
			x.status &^= statusFailed | statusFailedChild
			b.Set(hashKey(prefixIndex, x.hash), x.encode())
		}
	}
	var down func(*blockNode)
	down = func(x *blockNode) {
		clearMarks(x)
		for _, ch := range x.children {
			down(ch)
		}
	}
	down(n)
	for a := n.parent; a != nil; a = a.parent {
		clearMarks(a)
	}
	if err := b.Commit(); err != nil {
		return err
	}
	c.rebuildCandidates()
	c.log.Info("block reconsidered", "block", hash.String(), "height", n.height)
	return c.activateBestChain()
}

// TipStatus is a chain tip's state, with Core's getchaintips names.
type TipStatus string

// Tip states.
const (
	TipActive       TipStatus = "active"
	TipValidFork    TipStatus = "valid-fork"
	TipValidHeaders TipStatus = "valid-headers"
	TipHeadersOnly  TipStatus = "headers-only"
	TipInvalid      TipStatus = "invalid"
)

// ChainTip is one tip of the block tree.
type ChainTip struct {
	Hash      chainhash.Hash
	Height    int32
	BranchLen int32 // blocks from the tip down to the active chain
	Status    TipStatus
}

// ChainTips returns every block without children, with its status (Core's
// getchaintips).
func (c *Chain) ChainTips() []ChainTip {
	c.mu.RLock()
	defer c.mu.RUnlock()
	var tips []ChainTip
	for _, n := range c.index {
		if len(n.children) != 0 && !c.isActiveTip(n) {
			continue
		}
		t := ChainTip{Hash: n.hash, Height: n.height}
		fork := n
		for !c.inActive(fork) {
			fork = fork.parent
		}
		t.BranchLen = n.height - fork.height
		switch {
		case c.isActiveTip(n):
			t.Status = TipActive
		case n.status.invalid():
			t.Status = TipInvalid
		case n.status&statusValid != 0:
			t.Status = TipValidFork
		case n.status&statusDataStored != 0:
			t.Status = TipValidHeaders
		default:
			t.Status = TipHeadersOnly
		}
		tips = append(tips, t)
	}
	return tips
}

func (c *Chain) isActiveTip(n *blockNode) bool { return c.active[len(c.active)-1] == n }
