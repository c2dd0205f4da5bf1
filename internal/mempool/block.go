package mempool

import (
	"log/slog"

	"github.com/ballast-chain/ballast/internal/chainhash"
	"github.com/ballast-chain/ballast/internal/wire"
)

// BlockConnected updates the pool for a block the chain has just connected
// at height (call it after the chain's tip moved): its transactions leave
// the pool (their descendants stay, now with a confirmed parent), every pool
// transaction spending an input the block spent is removed with its
// descendants, the fee estimator learns how long the confirmed transactions
// waited, and the rolling minimum fee may start to decay.
func (p *Pool) BlockConnected(b *wire.Block, height int32) {
	p.mu.Lock()
	defer p.mu.Unlock()
	// The chain moved even if the pool loses nothing: an acceptance that
	// checked its inputs before this block must check them again.
	p.gen++
	var confirmed []chainhash.Hash
	mined, conflicts := 0, 0
	for i, tx := range b.Transactions {
		if i == 0 && tx.IsCoinBase() {
			continue
		}
		if e := p.txs[tx.TxHash()]; e != nil {
			if e.tracked {
				confirmed = append(confirmed, e.txid)
			}
			p.removeSet([]*txEntry{e}, removeBlock)
			mined++
		}
		for j := range tx.TxIn {
			if s := p.spent[tx.TxIn[j].PrevOut]; s != nil {
				set := p.withDescendants([]*txEntry{s})
				conflicts += len(set)
				p.removeSet(set, removeConflict)
			}
		}
	}
	p.fees.processBlock(height, confirmed)
	p.lastRollingUpdate = p.cfg.Now()
	p.blockSinceBump = true
	p.log.Debug("block connected", slog.Int("height", int(height)), slog.Int("mined", mined),
		slog.Int("conflicts_removed", conflicts), slog.Int("pool_size", len(p.txs)))
	p.checkInvariants()
}

// BlockDisconnected puts a block's transactions back after the chain has
// disconnected it (call it after the tip moved back): the block's
// non-coinbase transactions and every pool transaction are revalidated
// against the new tip, parents first, and whatever no longer fits is
// dropped: spends of outputs that are gone (the disconnected coinbase),
// immature coinbase spends, lock times and BIP68 locks no longer met,
// package limits. Fees are not checked again (Core's bypass_limits) and
// signatures are not verified again (they do not depend on the chain); the
// size limit is enforced at the end.
func (p *Pool) BlockDisconnected(b *wire.Block) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.gen++ // see BlockConnected
	now := p.cfg.Now()
	old := p.sortedEntries()
	p.reset()
	readded, dropped := 0, 0
	for i, tx := range b.Transactions {
		if i == 0 && tx.IsCoinBase() {
			continue
		}
		o := acceptOpts{time: now, height: -1, bypassFees: true, skipSigs: true, noReplace: true, noTrim: true}
		pre, err := p.prepare(tx)
		if err == nil {
			err = p.readd(pre, &o)
		}
		if err != nil {
			dropped++
			continue
		}
		readded++
	}
	for _, e := range old {
		o := acceptOpts{time: e.time, height: e.height, bypassFees: true, skipSigs: true, noReplace: true,
			noTrim: true, tracked: e.tracked, owned: true}
		if err := p.readd(preparedEntry(e), &o); err != nil {
			if e.tracked {
				p.fees.removeTx(e.txid)
			}
			dropped++
		}
	}
	p.trim(now)
	p.log.Info("block disconnected", slog.String("block", b.BlockHash().String()), slog.Int("readded", readded),
		slog.Int("dropped", dropped), slog.Int("pool_size", len(p.txs)))
	p.checkInvariants()
}

func (p *Pool) readd(pre *prepared, o *acceptOpts) error {
	c, err := p.check(pre, o)
	if err != nil {
		p.logReject(pre.txid, err)
		return err
	}
	_, err = p.commit(c, o)
	return err
}
