package consensus

import (
	"github.com/ballast-chain/ballast/internal/chainhash"
	"github.com/ballast-chain/ballast/internal/wire"
)

// UtxoEntry is an unspent output and where it was created.
type UtxoEntry struct {
	Out      wire.TxOut
	Height   int32
	Coinbase bool
}

// UtxoSource supplies entries a view does not hold: the node's UTXO cache and
// store. FetchUtxo returns nil, nil for an outpoint that is not unspent. An
// error means the source failed (I/O), not that the output is missing.
type UtxoSource interface {
	FetchUtxo(op wire.OutPoint) (*UtxoEntry, error)
}

// viewEntry is an entry as the view sees it after this view's changes.
type viewEntry struct {
	UtxoEntry
	spent bool // spent in this view
	fresh bool // created in this view (the source never saw it)
}

// UtxoView is an overlay over a UtxoSource: it records outputs created and
// spent while connecting transactions, so a block can be validated without
// touching the source and committed (or dropped) as a whole.
type UtxoView struct {
	src     UtxoSource
	entries map[wire.OutPoint]*viewEntry
	assets  assetOverlay // the asset registry as this view's blocks change it
}

// NewUtxoView returns an empty view over src (which may be nil). If src
// also implements AssetSource, the view reads the asset registry from it.
func NewUtxoView(src UtxoSource) *UtxoView {
	v := &UtxoView{src: src, entries: make(map[wire.OutPoint]*viewEntry)}
	if as, ok := src.(AssetSource); ok {
		v.assets.src = as
	}
	return v
}

// Lookup returns the unspent entry for op, or nil if it does not exist or has
// been spent.
func (v *UtxoView) Lookup(op wire.OutPoint) (*UtxoEntry, error) {
	if e, ok := v.entries[op]; ok {
		if e.spent {
			return nil, nil
		}
		return &e.UtxoEntry, nil
	}
	if v.src == nil {
		return nil, nil
	}
	e, err := v.src.FetchUtxo(op)
	if err != nil || e == nil {
		return nil, err
	}
	v.entries[op] = &viewEntry{UtxoEntry: *e}
	return &v.entries[op].UtxoEntry, nil
}

// spend marks op spent; the caller has looked it up.
func (v *UtxoView) spend(op wire.OutPoint) {
	if e, ok := v.entries[op]; ok {
		if e.fresh {
			// Created and spent within this view: the source never needs
			// to hear of it.
			delete(v.entries, op)
			return
		}
		e.spent = true
	}
}

// AddTxOuts adds tx's spendable outputs (burns are never spendable and never
// enter the set).
func (v *UtxoView) AddTxOuts(tx *wire.Tx, txid chainhash.Hash, height int32) {
	cb := tx.IsCoinBase()
	for i := range tx.TxOut {
		o := &tx.TxOut[i]
		if o.Lock.Kind == wire.LockBurn {
			continue
		}
		v.entries[wire.OutPoint{Hash: txid, Index: uint32(i)}] = &viewEntry{
			UtxoEntry: UtxoEntry{Out: *o, Height: height, Coinbase: cb},
			fresh:     true,
		}
	}
}

// Change is one modification a view makes to its source.
type Change struct {
	OutPoint wire.OutPoint
	Entry    *UtxoEntry // nil: delete the outpoint
}

// Changes returns the view's modifications: outputs created (and not spent
// again) and outputs of the source that were spent.
func (v *UtxoView) Changes() []Change {
	cs := make([]Change, 0, len(v.entries))
	for op, e := range v.entries {
		switch {
		case e.spent:
			cs = append(cs, Change{OutPoint: op})
		case e.fresh:
			cs = append(cs, Change{OutPoint: op, Entry: &e.UtxoEntry})
		}
	}
	return cs
}

// SpentOutput is an output a block spent, kept as undo data so the block can
// be disconnected.
type SpentOutput struct {
	OutPoint wire.OutPoint
	Entry    UtxoEntry
}

// BlockUndo lists the outputs a block spent, in the order it spent them.
type BlockUndo struct {
	Spent []SpentOutput
}
