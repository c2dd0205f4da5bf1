package wallet

import (
	"github.com/ballast-chain/ballast/internal/address"
	"github.com/ballast-chain/ballast/internal/chainhash"
	"github.com/ballast-chain/ballast/internal/wire"
)

// Coin is an unspent output of the wallet.
type Coin struct {
	OutPoint      wire.OutPoint
	Out           wire.TxOut
	Address       string
	Label         string
	Confirmations int32 // 0: unconfirmed
	Coinbase      bool
	Mature        bool // false for a coinbase output that cannot be spent yet
	Trusted       bool // confirmed, or unconfirmed and made by this wallet
	Locked        bool
	Chain, Index  uint32
	Change        bool
}

// txState is a transaction's standing after reorganisations and
// replacements: active ones count toward balances.
type txState struct {
	conflicted map[chainhash.Hash]bool
	spentBy    map[wire.OutPoint]chainhash.Hash
}

// state works out which transactions conflict with the chain (an
// unconfirmed transaction spending an output a confirmed one spends, or a
// disconnected coinbase, and their descendants) and which outputs are spent.
// Called with mu held.
func (w *Wallet) state() txState {
	st := txState{conflicted: make(map[chainhash.Hash]bool), spentBy: make(map[wire.OutPoint]chainhash.Hash)}
	confSpent := make(map[wire.OutPoint]chainhash.Hash)
	for _, t := range w.txs {
		if t.confirmed() {
			for i := range t.tx.TxIn {
				confSpent[t.tx.TxIn[i].PrevOut] = t.txid
			}
		}
	}
	for changed := true; changed; {
		changed = false
		for _, t := range w.txs {
			if t.confirmed() || st.conflicted[t.txid] {
				continue
			}
			bad := t.tx.IsCoinBase() || t.abandoned || !t.replacedBy.IsZero()
			for i := range t.tx.TxIn {
				op := t.tx.TxIn[i].PrevOut
				if s, ok := confSpent[op]; ok && s != t.txid {
					bad = true
				}
				if st.conflicted[op.Hash] {
					bad = true
				}
			}
			if bad {
				st.conflicted[t.txid] = true
				changed = true
			}
		}
	}
	for _, t := range w.txs {
		if st.conflicted[t.txid] {
			continue
		}
		for i := range t.tx.TxIn {
			st.spentBy[t.tx.TxIn[i].PrevOut] = t.txid
		}
	}
	return st
}

// fromMe reports whether every input of t spends an output of ours.
func (w *Wallet) fromMe(t *wtx) bool {
	if t.tx.IsCoinBase() {
		return false
	}
	for i := range t.tx.TxIn {
		if _, ok := w.owned[t.tx.TxIn[i].PrevOut]; !ok {
			return false
		}
	}
	return true
}

func (w *Wallet) confirmations(t *wtx) int32 {
	if !t.confirmed() {
		return 0
	}
	return w.f.TipHeight - t.height + 1
}

// coins lists unspent outputs of ours. Called with mu held.
func (w *Wallet) coins(st txState) []Coin {
	maturity := w.m.cfg.Params.CoinbaseMaturity
	var out []Coin
	for op, t := range w.owned {
		if st.conflicted[t.txid] {
			continue
		}
		if _, spent := st.spentBy[op]; spent {
			continue
		}
		o := t.tx.TxOut[op.Index]
		k, _ := keyOf(o.Lock)
		ai := w.addrs[k]
		c := Coin{OutPoint: op, Out: o, Confirmations: w.confirmations(t), Coinbase: t.tx.IsCoinBase(),
			Locked: w.locked[op], Chain: ai.chain, Index: ai.index, Change: ai.chain == 1}
		c.Address, _ = address.Encode(w.hrp(), o.Lock)
		c.Label = w.f.Labels[c.Address]
		// Core's wallet waits one block more than consensus (depth > maturity).
		c.Mature = !c.Coinbase || (t.confirmed() && w.f.TipHeight-t.height+1 > maturity)
		c.Trusted = c.Confirmations > 0 || w.fromMe(t)
		out = append(out, c)
	}
	return out
}

// Coins returns the wallet's unspent outputs.
func (w *Wallet) Coins() []Coin {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.coins(w.state())
}

// Balance is an asset's balance split as Core's getbalances does.
type Balance struct {
	Trusted, UntrustedPending, Immature int64
}

// Balances returns the balance of every asset the wallet holds.
func (w *Wallet) Balances() map[wire.AssetID]*Balance {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := make(map[wire.AssetID]*Balance)
	for _, c := range w.coins(w.state()) {
		b := out[c.Out.Asset]
		if b == nil {
			b = &Balance{}
			out[c.Out.Asset] = b
		}
		switch {
		case !c.Mature:
			b.Immature += c.Out.Value
		case c.Trusted:
			b.Trusted += c.Out.Value
		default:
			b.UntrustedPending += c.Out.Value
		}
	}
	if out[wire.NativeAsset] == nil {
		out[wire.NativeAsset] = &Balance{}
	}
	return out
}

// Balance returns the spendable balance of asset with at least minConf
// confirmations (0 counts trusted unconfirmed outputs), as getbalance.
func (w *Wallet) Balance(asset wire.AssetID, minConf int32) int64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	var sum int64
	for _, c := range w.coins(w.state()) {
		if c.Out.Asset == asset && c.Mature && c.Trusted && c.Confirmations >= minConf {
			sum += c.Out.Value
		}
	}
	return sum
}

// LockCoin locks or unlocks an output for coin selection (lockunspent).
func (w *Wallet) LockCoin(op wire.OutPoint, lock, persistent bool) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	t, ok := w.owned[op]
	if !ok {
		return errf(ErrInvalidParameter, "Invalid parameter, unknown transaction")
	}
	st := w.state()
	if _, spent := st.spentBy[op]; spent && lock {
		return errf(ErrInvalidParameter, "Invalid parameter, expected unspent output")
	}
	_ = t
	if lock {
		if w.locked[op] {
			return errf(ErrInvalidParameter, "Invalid parameter, output already locked")
		}
		w.locked[op] = true
		if persistent {
			w.persist[op] = true
			return w.save()
		}
		return nil
	}
	if !w.locked[op] {
		return errf(ErrInvalidParameter, "Invalid parameter, expected locked output")
	}
	delete(w.locked, op)
	if w.persist[op] {
		delete(w.persist, op)
		return w.save()
	}
	return nil
}

// UnlockAll unlocks every locked output.
func (w *Wallet) UnlockAll() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	clear(w.locked)
	had := len(w.persist) > 0
	clear(w.persist)
	if had {
		return w.save()
	}
	return nil
}

// LockedCoins lists locked outputs (listlockunspent).
func (w *Wallet) LockedCoins() []wire.OutPoint {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := make([]wire.OutPoint, 0, len(w.locked))
	for op := range w.locked {
		out = append(out, op)
	}
	return out
}
