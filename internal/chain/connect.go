package chain

import (
	"github.com/ballast-chain/ballast/internal/consensus"
	"github.com/ballast-chain/ballast/internal/store"
	"github.com/ballast-chain/ballast/internal/wire"
)

// mtpFunc returns median times of n's ancestors (the branch being extended).
func mtpFunc(n *blockNode) consensus.MedianTimeFunc {
	return func(height int32) uint32 {
		if a := n.ancestor(height); a != nil {
			return a.medianTime
		}
		return n.medianTime
	}
}

// connectTip fully validates n (a child of the tip) and connects it in one
// atomic batch: UTXO changes, undo data, height index, indexes, tip pointer
// and the block's status. A consensus failure is returned as is and changes
// nothing.
func (c *Chain) connectTip(n *blockNode) error {
	blk := c.fresh
	opt := c.cfg.Verify
	if blk != nil && blk.Hash == n.hash && c.freshPre != nil {
		opt.Verified = c.freshPre.isVerified
	}
	if blk == nil || blk.Hash != n.hash {
		// A block stored earlier (a reorg, a restart): read it back.
		m, err := c.Block(n.hash)
		if err != nil {
			return err
		}
		blk = consensus.NewBlock(m)
	}
	m := blk.Msg
	pinfo := n.parent.info()
	if err := consensus.CheckBlockPositional(blk, &pinfo); err != nil {
		return err
	}
	view := consensus.NewUtxoView(c.utxos)
	undo, err := consensus.ConnectBlock(blk, &pinfo, view, c.p, mtpFunc(n.parent), opt)
	if err != nil {
		return err
	}
	changes := view.Changes()
	b := c.db.NewBatch()
	encs := c.utxos.stage(b, changes)
	b.Set(hashKey(prefixUndo, n.hash), encodeUndo(undo))
	b.Set(heightKey(n.height), n.hash[:])
	b.Set(keyTip, n.hash[:])
	n.status |= statusValid
	b.Set(hashKey(prefixIndex, n.hash), n.encode())
	c.stageIndexes(b, blk, n.height, undo.Spent, true)
	c.stageAssets(b, blk, n.height, true)
	if err := c.commit(b); err != nil {
		n.status &^= statusValid
		c.utxos.forget()
		return err
	}
	c.utxos.apply(changes, encs)
	c.active = append(c.active, n)
	c.notify(Notification{Connected: true, Block: m, Hash: n.hash, Height: n.height})
	c.log.Debug("block connected", "height", n.height, "hash", n.hash.String(), "txs", len(m.Transactions))
	return nil
}

// disconnectTip undoes the tip block in one atomic batch, restoring the
// outputs it spent from its undo data.
func (c *Chain) disconnectTip() error {
	n := c.active[len(c.active)-1]
	if n.parent == nil {
		return chainErr(ErrGenesis, "cannot disconnect the genesis block")
	}
	m, err := c.Block(n.hash)
	if err != nil {
		return err
	}
	raw, err := c.db.Get(hashKey(prefixUndo, n.hash))
	if err != nil {
		return chainErr(ErrCorrupt, "undo data of %s: %v", n.hash, err)
	}
	spent, err := decodeUndo(raw)
	if err != nil {
		return err
	}
	blk := consensus.NewBlock(m)
	var changes []consensus.Change
	undoSpent := make([]consensus.SpentOutput, 0, len(spent))
	k := len(spent)
	for i := len(m.Transactions) - 1; i >= 0; i-- {
		tx := m.Transactions[i]
		for j := range tx.TxOut {
			if tx.TxOut[j].Lock.Kind != wire.LockBurn {
				changes = append(changes, consensus.Change{OutPoint: wire.OutPoint{Hash: blk.TxIDs[i], Index: uint32(j)}})
			}
		}
		if i == 0 {
			break
		}
		for j := len(tx.TxIn) - 1; j >= 0; j-- {
			k--
			if k < 0 {
				return chainErr(ErrCorrupt, "undo data of %s has too few entries", n.hash)
			}
			e := spent[k]
			changes = append(changes, consensus.Change{OutPoint: tx.TxIn[j].PrevOut, Entry: &e})
			undoSpent = append(undoSpent, consensus.SpentOutput{OutPoint: tx.TxIn[j].PrevOut, Entry: e})
		}
	}
	if k != 0 {
		return chainErr(ErrCorrupt, "undo data of %s has %d extra entries", n.hash, k)
	}
	b := c.db.NewBatch()
	encs := c.utxos.stage(b, changes)
	b.Delete(heightKey(n.height))
	b.Set(keyTip, n.parent.hash[:])
	c.stageIndexes(b, blk, n.height, undoSpent, false)
	c.stageAssets(b, blk, n.height, false)
	if err := c.commit(b); err != nil {
		c.utxos.forget()
		return err
	}
	c.utxos.apply(changes, encs)
	c.active = c.active[:len(c.active)-1]
	c.notify(Notification{Connected: false, Block: m, Hash: n.hash, Height: n.height})
	c.log.Debug("block disconnected", "height", n.height, "hash", n.hash.String())
	return nil
}

// markFailed records that n broke a rule: n is failed, its descendants
// failed-child, and none of them is a candidate any more.
func (c *Chain) markFailed(n *blockNode, err error) {
	c.log.Warn("block failed validation", "block", n.hash.String(), "height", n.height, "err", err)
	c.lastFailure[n] = err
	b := c.db.NewBatch()
	c.markSubtree(b, n, statusFailed)
	if err := b.Commit(); err != nil {
		c.log.Error("recording invalid block failed", "err", err)
	}
	if p := n.parent; p != nil && c.isCandidate(p) {
		c.candidates[p] = struct{}{}
	}
}

func (c *Chain) markSubtree(b *store.Batch, n *blockNode, st status) {
	n.status |= st
	b.Set(hashKey(prefixIndex, n.hash), n.encode())
	delete(c.candidates, n)
	for _, ch := range n.children {
		c.markSubtree(b, ch, statusFailedChild)
	}
}
