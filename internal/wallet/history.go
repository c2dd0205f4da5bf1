package wallet

import (
	"github.com/ballast-chain/ballast/internal/address"
	"github.com/ballast-chain/ballast/internal/chainhash"
	"github.com/ballast-chain/ballast/internal/mempool"
	"github.com/ballast-chain/ballast/internal/wallet/psbt"
	"github.com/ballast-chain/ballast/internal/wire"
)

// Entry is one line of listtransactions: an amount received by or sent
// from the wallet in one output.
type Entry struct {
	TxID          chainhash.Hash
	Category      string // "receive", "send", "generate", "immature", "orphan"
	Address       string
	Asset         wire.AssetID
	Amount        int64 // negative for sends
	Fee           int64 // negative, on sends
	Vout          uint32
	Confirmations int32 // -1 and below: conflicted, as Core
	BlockHash     chainhash.Hash
	BlockHeight   int32
	BlockTime     int64
	Time          int64
	Abandoned     bool
	Replaceable   bool
	ReplacedBy    chainhash.Hash
	Label         string
	Hex           []byte
}

func (w *Wallet) entries(t *wtx, st txState) []Entry {
	conf := w.confirmations(t)
	if st.conflicted[t.txid] && !t.confirmed() {
		conf = -1
	}
	base := Entry{TxID: t.txid, Confirmations: conf, BlockHash: t.blockHash, BlockHeight: t.height,
		BlockTime: t.blockTime, Time: t.received, Abandoned: t.abandoned, ReplacedBy: t.replacedBy}
	if !t.confirmed() {
		base.BlockHeight = 0
		for i := range t.tx.TxIn {
			base.Replaceable = base.Replaceable || t.tx.TxIn[i].Sequence < seqFinal
		}
	}
	var out []Entry
	fromMe := w.fromMe(t)
	var fee int64
	if fromMe {
		for i := range t.tx.TxIn {
			o := w.owned[t.tx.TxIn[i].PrevOut].tx.TxOut[t.tx.TxIn[i].PrevOut.Index]
			if o.Asset.IsNative() {
				fee += o.Value
			}
		}
		for _, o := range t.tx.TxOut {
			if o.Asset.IsNative() {
				fee -= o.Value
			}
		}
	}
	for i, o := range t.tx.TxOut {
		k, _ := keyOf(o.Lock)
		ai := w.addrs[k]
		e := base
		e.Vout, e.Asset = uint32(i), o.Asset
		e.Address, _ = address.Encode(w.hrp(), o.Lock)
		e.Label = w.f.Labels[e.Address]
		if fromMe && (ai == nil || ai.chain == 1) {
			if ai != nil { // change
				continue
			}
			e.Category, e.Amount, e.Fee = "send", -o.Value, -fee
			out = append(out, e)
			continue
		}
		if ai == nil {
			continue
		}
		e.Category, e.Amount = "receive", o.Value
		if t.tx.IsCoinBase() {
			switch {
			case conf < 1:
				e.Category = "orphan"
			case w.f.TipHeight-t.height+1 <= w.m.cfg.Params.CoinbaseMaturity:
				e.Category = "immature"
			default:
				e.Category = "generate"
			}
		}
		out = append(out, e)
	}
	return out
}

// Transactions lists wallet entries oldest first (listtransactions takes
// the last ones).
func (w *Wallet) Transactions() []Entry {
	w.mu.Lock()
	defer w.mu.Unlock()
	st := w.state()
	var out []Entry
	for _, t := range w.sortedTxs() {
		out = append(out, w.entries(t, st)...)
	}
	return out
}

// Since lists entries in blocks after the given block (or all, for a zero
// hash) and unconfirmed ones, and returns the tip (listsinceblock).
func (w *Wallet) Since(block chainhash.Hash) ([]Entry, chainhash.Hash, error) {
	from := int32(-1)
	if !block.IsZero() {
		found := false
		for h := w.f.TipHeight; h >= 0 && !found; h-- {
			if bh, err := w.m.cfg.Chain.BlockHash(h); err == nil && bh == block {
				from, found = h, true
			}
		}
		if !found {
			return nil, chainhash.Hash{}, errf(ErrInvalidAddress, "Block not found")
		}
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	st := w.state()
	var out []Entry
	for _, t := range w.sortedTxs() {
		if !t.confirmed() || t.height > from {
			out = append(out, w.entries(t, st)...)
		}
	}
	tip, _ := chainhash.NewHashFromStr(w.f.TipHash)
	return out, tip, nil
}

// TxDetail is gettransaction's answer.
type TxDetail struct {
	Entries []Entry
	Amount  map[wire.AssetID]int64 // net change of the wallet per asset
	Fee     int64
	Tx      *wire.Tx
	Entry   Entry // the shared fields
}

// Transaction returns a wallet transaction.
func (w *Wallet) Transaction(txid chainhash.Hash) (*TxDetail, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	t := w.txs[txid]
	if t == nil {
		return nil, errf(ErrTxNotFound, "Invalid or non-wallet transaction id")
	}
	st := w.state()
	d := &TxDetail{Tx: t.tx, Amount: make(map[wire.AssetID]int64), Entries: w.entries(t, st)}
	d.Entry = Entry{TxID: txid}
	if len(d.Entries) > 0 {
		d.Entry = d.Entries[0]
	}
	for _, e := range d.Entries {
		d.Amount[e.Asset] += e.Amount
		d.Fee = e.Fee
	}
	return d, nil
}

// Abandon marks an unconfirmed transaction that is not in the mempool as
// abandoned, freeing its inputs (abandontransaction).
func (w *Wallet) Abandon(txid chainhash.Hash) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	t := w.txs[txid]
	if t == nil {
		return errf(ErrTxNotFound, "Invalid or non-wallet transaction id")
	}
	if t.confirmed() || w.m.cfg.Mempool.Has(txid) {
		return errf(ErrInvalidAddress, "Transaction not eligible for abandonment")
	}
	t.abandoned = true
	return w.save()
}

// BumpFee replaces an unconfirmed transaction of ours with one paying a
// higher fee rate taken from its change output (bumpfee). rate 0 means
// the old rate plus the incremental relay fee (1,000 per kvB), or the
// estimate if higher.
func (w *Wallet) BumpFee(txid chainhash.Hash, rate int64) (*wire.Tx, int64, int64, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	t := w.txs[txid]
	if t == nil {
		return nil, 0, 0, errf(ErrTxNotFound, "Invalid or non-wallet transaction id")
	}
	if t.confirmed() || !t.replacedBy.IsZero() || t.abandoned {
		return nil, 0, 0, errf(ErrWallet, "Transaction has been mined, or is conflicted with a mined transaction")
	}
	if !w.fromMe(t) {
		return nil, 0, 0, errf(ErrWallet, "Transaction contains inputs that don't belong to this wallet")
	}
	s, err := w.signer()
	if err != nil {
		return nil, 0, 0, err
	}
	change := -1
	for i, o := range t.tx.TxOut {
		if k, ok := keyOf(o.Lock); ok && o.Asset.IsNative() {
			if ai := w.addrs[k]; ai != nil && ai.chain == 1 {
				change = i
			}
		}
	}
	if change < 0 {
		return nil, 0, 0, errf(ErrWallet, "Transaction does not have a change output")
	}
	prevs := make([]wire.TxOut, len(t.tx.TxIn))
	var in, out int64
	for i := range t.tx.TxIn {
		prevs[i] = w.owned[t.tx.TxIn[i].PrevOut].tx.TxOut[t.tx.TxIn[i].PrevOut.Index]
		if prevs[i].Asset.IsNative() {
			in += prevs[i].Value
		}
	}
	for _, o := range t.tx.TxOut {
		if o.Asset.IsNative() {
			out += o.Value
		}
	}
	oldFee := in - out
	vs := vsize(int64(t.tx.Weight()))
	oldRate := oldFee * 1000 / vs
	if rate == 0 {
		rate = oldRate + 1000
		if est, err := w.m.cfg.Mempool.EstimateFeeRate(6); err == nil && est > rate {
			rate = est
		}
	}
	newFee := max(mempool.FeeRate(rate).Fee(vs), oldFee+mempool.FeeRate(1000).Fee(vs))
	nt := *t.tx
	nt.TxIn = append([]wire.TxIn(nil), t.tx.TxIn...)
	nt.TxOut = append([]wire.TxOut(nil), t.tx.TxOut...)
	for i := range nt.TxIn {
		nt.TxIn[i].Witness = nil
		nt.TxIn[i].Sequence = seqRBF
	}
	nt.TxOut[change].Value -= newFee - oldFee
	if nt.TxOut[change].Value < mempool.DustThreshold(&nt.TxOut[change], mempool.DefaultDustRelayFeeRate) {
		return nil, 0, 0, errf(ErrInsufficientFunds, "Change output is too small to bump the fee")
	}
	p, err := psbt.New(&nt, prevs)
	if err != nil {
		return nil, 0, 0, err
	}
	w.describe(p)
	s.finalizing = true
	if _, err := p.Sign(s); err != nil {
		return nil, 0, 0, err
	}
	if done, err := p.Finalize(); err != nil || !done {
		return nil, 0, 0, wrapf(ErrWallet, err, "Signing transaction failed")
	}
	tx, _ := p.Extract()
	if err := w.broadcast(tx); err != nil {
		return nil, 0, 0, err
	}
	t.replacedBy = tx.TxHash()
	return tx, oldFee, newFee, w.save()
}

// Broadcast sends a finished transaction (a finalized packet) and records
// it in the wallets it concerns.
func (w *Wallet) Broadcast(tx *wire.Tx) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.broadcast(tx)
}
