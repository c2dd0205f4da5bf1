package wallet

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/ballast-chain/ballast/internal/chainhash"
	"github.com/ballast-chain/ballast/internal/wire"
)

// insert records t and indexes its outputs of ours. Called with mu held.
func (w *Wallet) insert(t *wtx) {
	w.txs[t.txid] = t
	for i := range t.tx.TxOut {
		if k, ok := keyOf(t.tx.TxOut[i].Lock); ok {
			if ai := w.addrs[k]; ai != nil {
				w.owned[wire.OutPoint{Hash: t.txid, Index: uint32(i)}] = t
				if int(ai.index) >= w.f.Used[ai.chain] {
					w.f.Used[ai.chain] = int(ai.index) + 1
				}
			}
		}
	}
}

// relevant reports whether tx pays us or spends one of our outputs.
func (w *Wallet) relevant(tx *wire.Tx) bool {
	for i := range tx.TxOut {
		if k, ok := keyOf(tx.TxOut[i].Lock); ok && w.addrs[k] != nil {
			return true
		}
	}
	for i := range tx.TxIn {
		if _, ok := w.owned[tx.TxIn[i].PrevOut]; ok {
			return true
		}
	}
	return false
}

// addTx records a transaction seen in a block (height >= 0) or sent by us
// or another wallet of the node (height -1). It returns whether the
// transaction is the wallet's. Called with mu held.
func (w *Wallet) addTx(tx *wire.Tx, height int32, hash chainhash.Hash, blockTime int64, index int) bool {
	txid := tx.TxHash()
	t, known := w.txs[txid]
	if !known {
		if !w.relevant(tx) {
			return false
		}
		t = &wtx{tx: tx, txid: txid, height: -1, received: w.m.cfg.Now().Unix()}
		if blockTime != 0 && height >= 0 {
			t.received = blockTime
		}
	}
	if height >= 0 {
		t.height, t.blockHash, t.blockTime, t.index = height, hash, blockTime, index
		t.abandoned = false
	}
	usedBefore := w.f.Used
	w.insert(t)
	if w.f.Used != usedBefore {
		_ = w.extend()
	}
	return true
}

// connectBlock applies a block at height. It returns whether the block
// touched the wallet. Called with mu held.
func (w *Wallet) connectBlock(b *wire.Block, height int32) bool {
	hash := b.BlockHash()
	touched := false
	for pass := 0; pass < 2; pass++ {
		derived := len(w.byIndex[0]) + len(w.byIndex[1])
		for i := range b.Transactions {
			if w.addTx(b.Transactions[i], height, hash, int64(b.Header.Timestamp), i) {
				touched = true
			}
		}
		// A payment to a newly derived lock earlier in the same block
		// is found by a second pass.
		if len(w.byIndex[0])+len(w.byIndex[1]) == derived {
			break
		}
	}
	w.f.TipHeight, w.f.TipHash = height, hash.String()
	return touched
}

// disconnectBlock returns the block's transactions to unconfirmed.
func (w *Wallet) disconnectBlock(b *wire.Block, height int32) {
	hash := b.BlockHash()
	for _, t := range w.txs {
		if t.confirmed() && t.blockHash == hash {
			t.height, t.blockHash, t.blockTime, t.index = -1, chainhash.Hash{}, 0, 0
		}
	}
	w.f.TipHeight, w.f.TipHash = height-1, b.Header.PrevBlock.String()
}

// catchUp brings the wallet from its saved tip to the chain's, first
// undoing blocks the chain no longer has. Called with mu held.
func (w *Wallet) catchUp() error {
	c := w.m.cfg.Chain
	for w.f.TipHeight >= 0 && w.f.TipHash != "" {
		h, err := c.BlockHash(w.f.TipHeight)
		if err == nil && h.String() == w.f.TipHash {
			break
		}
		saved, err := chainhash.NewHashFromStr(w.f.TipHash)
		if err != nil {
			return wrapf(ErrCorrupt, err, "tip hash")
		}
		b, err := c.Block(saved)
		if err != nil {
			// The old tip is gone entirely: rescan from the birth height.
			w.f.TipHeight, w.f.TipHash = w.f.BirthHeight-1, ""
			break
		}
		w.disconnectBlock(b, w.f.TipHeight)
	}
	tip, _ := c.Tip()
	for h := w.f.TipHeight + 1; h <= tip; h++ {
		hash, err := c.BlockHash(h)
		if err != nil {
			return wrapf(ErrWallet, err, "block hash at %d", h)
		}
		b, err := c.Block(hash)
		if err != nil {
			return wrapf(ErrWallet, err, "block %s", hash)
		}
		if w.connectBlock(b, h) {
			w.dirty++
		}
	}
	return w.save()
}

// onBlock follows one chain notification.
func (w *Wallet) onBlock(connected bool, b *wire.Block, height int32) {
	w.mu.Lock()
	defer w.mu.Unlock()
	hash := b.BlockHash()
	switch {
	case connected && height == w.f.TipHeight+1 && b.Header.PrevBlock.String() == w.f.TipHash,
		connected && height == 0:
		if w.connectBlock(b, height) {
			w.saveOrLog()
			return
		}
		if w.dirty++; w.dirty >= 1000 {
			w.saveOrLog()
		}
	case connected && height <= w.f.TipHeight:
		// Already seen (a catch-up ran first).
	case !connected && height == w.f.TipHeight && hash.String() == w.f.TipHash:
		w.disconnectBlock(b, height)
		w.saveOrLog()
	default:
		if err := w.catchUp(); err != nil {
			w.m.log.Error("wallet sync", "wallet", w.name, "err", err)
		}
	}
}

func (w *Wallet) saveOrLog() {
	if err := w.save(); err != nil {
		w.m.log.Error("wallet save", "wallet", w.name, "err", err)
	}
}

// Rescan forgets confirmations from height on and scans the chain again
// (rescanblockchain). It returns the heights scanned.
func (w *Wallet) Rescan(from, to int32) (int32, int32, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	tip, _ := w.m.cfg.Chain.Tip()
	if to < 0 || to > tip {
		to = tip
	}
	if from < 0 || from > to {
		return 0, 0, errf(ErrInvalidParameter, "Invalid start_height")
	}
	for h := from; h <= to; h++ {
		hash, err := w.m.cfg.Chain.BlockHash(h)
		if err != nil {
			return 0, 0, wrapf(ErrWallet, err, "block at %d", h)
		}
		b, err := w.m.cfg.Chain.Block(hash)
		if err != nil {
			return 0, 0, wrapf(ErrWallet, err, "block %s", hash)
		}
		tipH, tipHash := w.f.TipHeight, w.f.TipHash
		w.connectBlock(b, h)
		if h <= tipH { // a rescan below the tip keeps the tip
			w.f.TipHeight, w.f.TipHash = tipH, tipHash
		}
	}
	if from < w.f.BirthHeight {
		w.f.BirthHeight = from
	}
	return from, to, w.save()
}

func (w *Wallet) sortedTxs() []*wtx {
	out := make([]*wtx, 0, len(w.txs))
	for _, t := range w.txs {
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		ah, bh := a.height, b.height
		if ah < 0 {
			ah = 1 << 30
		}
		if bh < 0 {
			bh = 1 << 30
		}
		if ah != bh {
			return ah < bh
		}
		if a.index != b.index {
			return a.index < b.index
		}
		if a.received != b.received {
			return a.received < b.received
		}
		return a.txid.String() < b.txid.String()
	})
	return out
}

func formatOutPoint(op wire.OutPoint) string { return fmt.Sprintf("%s:%d", op.Hash, op.Index) }

func parseOutPoint(s string) (wire.OutPoint, error) {
	h, idx, ok := strings.Cut(s, ":")
	if !ok {
		return wire.OutPoint{}, errf(ErrInvalidParameter, "outpoint %q", s)
	}
	hash, err := chainhash.NewHashFromStr(h)
	if err != nil {
		return wire.OutPoint{}, errf(ErrInvalidParameter, "outpoint %q", s)
	}
	n, err := strconv.ParseUint(idx, 10, 32)
	if err != nil {
		return wire.OutPoint{}, errf(ErrInvalidParameter, "outpoint %q", s)
	}
	return wire.OutPoint{Hash: hash, Index: uint32(n)}, nil
}

// ParseOutPoint reads a txid in display form and an output index.
func ParseOutPoint(txid string, vout uint32) (wire.OutPoint, error) {
	h, err := chainhash.NewHashFromStr(txid)
	if err != nil {
		return wire.OutPoint{}, errf(ErrInvalidParameter, "txid must be of length 64 (not %d, for '%s')", len(txid), txid)
	}
	return wire.OutPoint{Hash: h, Index: vout}, nil
}
