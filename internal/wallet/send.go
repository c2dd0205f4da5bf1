package wallet

import (
	"errors"
	"sort"

	"github.com/ballast-chain/ballast/internal/address"
	"github.com/ballast-chain/ballast/internal/mempool"
	"github.com/ballast-chain/ballast/internal/wallet/coinselect"
	"github.com/ballast-chain/ballast/internal/wallet/hd"
	"github.com/ballast-chain/ballast/internal/wallet/psbt"
	"github.com/ballast-chain/ballast/internal/wire"
)

// Payment is one output to pay.
type Payment struct {
	Address string
	Asset   wire.AssetID
	Value   int64
}

// SendOptions tune a payment. Zero values: fee rate from the estimator
// (or the fallback fee), target 6 blocks, replaceable (BIP125 signal).
type SendOptions struct {
	FeeRate        int64 // base units per 1,000 vbytes
	ConfTarget     int
	NotReplaceable bool
}

// Funded is a funded, unsigned transaction.
type Funded struct {
	Packet      *psbt.Packet
	Fee         int64
	FeeRate     int64
	ChangeIndex int // -1: no change output
}

const (
	seqRBF   = 0xfffffffd
	seqFinal = 0xfffffffe
)

// feeRate picks the fee rate of a payment.
func (w *Wallet) feeRate(o SendOptions) (int64, error) {
	if o.FeeRate > 0 {
		return o.FeeRate, nil
	}
	target := o.ConfTarget
	if target <= 0 {
		target = 6
	}
	if r, err := w.m.cfg.Mempool.EstimateFeeRate(target); err == nil && r > 0 {
		return r, nil
	}
	if w.m.cfg.FallbackFee > 0 {
		return w.m.cfg.FallbackFee, nil
	}
	return 0, errf(ErrWallet, "Fee estimation failed. Fallbackfee is disabled. Wait a few blocks or enable -fallbackfee.")
}

// inputWeight is the weight one input adds, with a worst-case witness.
func (w *Wallet) inputWeight(ai *addrInfo) int64 {
	wit := [][]byte{make([]byte, 64)}
	if ai.policy != nil {
		sat := (len(ai.policy.Children)+7)/8 + 64*ai.policy.K
		wit = [][]byte{ai.policy.Encode(), make([]byte, sat)}
	}
	one := wire.Tx{Version: 2, TxIn: []wire.TxIn{{Witness: wit}}}
	two := wire.Tx{Version: 2, TxIn: []wire.TxIn{{Witness: wit}, {Witness: wit}}}
	return int64(two.Weight() - one.Weight())
}

func vsize(weight int64) int64 { return (weight + 3) / 4 }

// Fund builds an unsigned transaction paying pays from the wallet's coins,
// with change to a fresh change lock. It locks nothing; Send signs and
// broadcasts it.
func (w *Wallet) Fund(pays []Payment, o SendOptions) (*Funded, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.fund(pays, o)
}

func (w *Wallet) fund(pays []Payment, o SendOptions) (*Funded, error) {
	if len(pays) == 0 {
		return nil, errf(ErrInvalidParameter, "Transaction must have at least one recipient")
	}
	rate, err := w.feeRate(o)
	if err != nil {
		return nil, err
	}
	fr := mempool.FeeRate(rate)
	seq := uint32(seqRBF)
	if o.NotReplaceable {
		seq = seqFinal
	}
	tx := &wire.Tx{Version: 2, LockTime: uint32(max(w.f.TipHeight, 0))}
	need := make(map[wire.AssetID]int64)
	for _, p := range pays {
		lock, err := address.Decode(p.Address, w.hrp())
		if err != nil {
			return nil, wrapf(ErrInvalidAddress, err, "Invalid address")
		}
		if p.Value <= 0 {
			return nil, errf(ErrInvalidParameter, "Invalid amount")
		}
		out := wire.TxOut{Asset: p.Asset, Value: p.Value, Lock: lock}
		if p.Asset.IsNative() && p.Value < mempool.DustThreshold(&out, mempool.DefaultDustRelayFeeRate) {
			return nil, errf(ErrDust, "Transaction amount too small")
		}
		if need[p.Asset]+p.Value < need[p.Asset] {
			return nil, errf(ErrInvalidParameter, "amount overflow")
		}
		need[p.Asset] += p.Value
		tx.TxOut = append(tx.TxOut, out)
	}
	change, err := w.nextChange()
	if err != nil {
		return nil, err
	}
	st := w.state()
	var native []Coin
	byAsset := make(map[wire.AssetID][]Coin)
	for _, c := range w.coins(st) {
		if c.Locked || !c.Mature || !c.Trusted {
			continue
		}
		if c.Out.Asset.IsNative() {
			native = append(native, c)
		} else {
			byAsset[c.Out.Asset] = append(byAsset[c.Out.Asset], c)
		}
	}
	sortCoins(native)
	var prevs []wire.TxOut
	var spentWeight int64
	addInput := func(c Coin) {
		tx.TxIn = append(tx.TxIn, wire.TxIn{PrevOut: c.OutPoint, Sequence: seq})
		prevs = append(prevs, c.Out)
		k, _ := keyOf(c.Out.Lock)
		spentWeight += w.inputWeight(w.addrs[k])
	}
	// Issued assets: largest coins first, change of the asset back to us.
	assets := make([]wire.AssetID, 0, len(need))
	for a := range need {
		if !a.IsNative() {
			assets = append(assets, a)
		}
	}
	sort.Slice(assets, func(i, j int) bool { return assets[i].String() < assets[j].String() })
	for _, a := range assets {
		cs := byAsset[a]
		sortCoins(cs)
		var sum int64
		for _, c := range cs {
			if sum >= need[a] {
				break
			}
			addInput(c)
			sum += c.Out.Value
		}
		if sum < need[a] {
			return nil, errf(ErrInsufficientFunds, "Insufficient funds of asset %s", a)
		}
		if sum > need[a] {
			tx.TxOut = append(tx.TxOut, wire.TxOut{Asset: a, Value: sum - need[a], Lock: change.lock})
		}
	}
	// The native coin pays its outputs and every fee.
	baseWeight := int64(tx.Weight()) + 2 // segwit marker and flag, roughly
	changeOut := wire.TxOut{Value: 1, Lock: change.lock}
	changeVB := int64(changeOut.EncodedLen())
	cs := make([]coinselect.Coin, len(native))
	for i, c := range native {
		k, _ := keyOf(c.Out.Lock)
		cs[i] = coinselect.Coin{Value: c.Out.Value, Fee: fr.Fee(vsize(w.inputWeight(w.addrs[k])))}
	}
	target := need[wire.NativeAsset] + fr.Fee(vsize(baseWeight+spentWeight))
	dust := mempool.DustThreshold(&changeOut, mempool.DefaultDustRelayFeeRate)
	res, err := coinselect.Select(cs, coinselect.Params{Target: target, ChangeFee: fr.Fee(changeVB),
		ChangeCost: fr.Fee(changeVB) + fr.Fee(vsize(w.inputWeight(change))), MinChange: dust})
	if errors.Is(err, coinselect.ErrInsufficient) {
		return nil, errf(ErrInsufficientFunds, "Insufficient funds")
	} else if err != nil {
		return nil, err
	}
	var in int64
	for _, p := range prevs {
		if p.Asset.IsNative() {
			in += p.Value
		}
	}
	for _, i := range res.Indexes {
		addInput(native[i])
		in += native[i].Out.Value
	}
	f := &Funded{FeeRate: rate, ChangeIndex: -1}
	if res.Change > 0 {
		f.ChangeIndex = len(tx.TxOut)
		tx.TxOut = append(tx.TxOut, wire.TxOut{Value: res.Change, Lock: change.lock})
	}
	var out int64
	for _, o := range tx.TxOut {
		if o.Asset.IsNative() {
			out += o.Value
		}
	}
	f.Fee = in - out
	if f.Fee < fr.Fee(vsize(baseWeight+spentWeight)) {
		return nil, errf(ErrInsufficientFunds, "Insufficient funds")
	}
	if f.Packet, err = psbt.New(tx, prevs); err != nil {
		return nil, err
	}
	w.describe(f.Packet)
	if f.ChangeIndex >= 0 || len(assets) > 0 {
		w.f.Next[1] = int(change.index) + 1
		_ = w.extend()
	}
	return f, nil
}

// sortCoins orders coins deterministically, largest first.
func sortCoins(cs []Coin) {
	sort.Slice(cs, func(i, j int) bool {
		if cs[i].Out.Value != cs[j].Out.Value {
			return cs[i].Out.Value > cs[j].Out.Value
		}
		return formatOutPoint(cs[i].OutPoint) < formatOutPoint(cs[j].OutPoint)
	})
}

func (w *Wallet) nextChange() (*addrInfo, error) {
	i := w.f.Next[1]
	if err := w.extend(); err != nil {
		return nil, err
	}
	return w.byIndex[1][i], nil
}

// describe adds policies and our key derivations to a packet.
func (w *Wallet) describe(p *psbt.Packet) {
	fp, _ := parseFingerprint(w.f.MasterFingerprint)
	acct := w.accountPath()
	deriv := func(ai *addrInfo) []psbt.Derivation {
		if w.d.own < 0 {
			return nil
		}
		return []psbt.Derivation{{Key: ai.keys[w.d.own], Fingerprint: fp, Path: append(append([]uint32(nil), acct...), ai.chain, ai.index)}}
	}
	for i := range p.Inputs {
		k, ok := keyOf(p.Inputs[i].Prev.Lock)
		if ai := w.addrs[k]; ok && ai != nil {
			if ai.policy != nil {
				p.Inputs[i].Policy = ai.policy.Encode()
			}
			p.Inputs[i].Derivations = deriv(ai)
		}
	}
	for i, o := range p.Tx.TxOut {
		if k, ok := keyOf(o.Lock); ok && w.addrs[k] != nil {
			p.Outputs[i].Derivations = deriv(w.addrs[k])
		}
	}
}

func (w *Wallet) accountPath() hd.Path {
	if w.f.Kind == KindMultisig {
		return hd.MultisigAccountPath(hd.CoinType(w.f.Network), 0)
	}
	return hd.KeyAccountPath(hd.CoinType(w.f.Network), 0)
}

// SignPacket adds the wallet's signatures to p (walletprocesspsbt). It
// needs the wallet unlocked.
func (w *Wallet) SignPacket(p *psbt.Packet) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.signPacket(p, false)
}

// signPacket signs p with the wallet's keys, filling in the policies of its
// multisig inputs; finalizing says the caller finalizes p next (see
// signer.finalizing). Called with mu held.
func (w *Wallet) signPacket(p *psbt.Packet, finalizing bool) (int, error) {
	s, err := w.signer()
	if err != nil {
		return 0, err
	}
	s.finalizing = finalizing
	for i := range p.Inputs { // fill in policies we know
		k, ok := keyOf(p.Inputs[i].Prev.Lock)
		if ai := w.addrs[k]; ok && ai != nil && ai.policy != nil && p.Inputs[i].Policy == nil {
			p.Inputs[i].Policy = ai.policy.Encode()
		}
	}
	return p.Sign(s)
}

// Send funds, signs and broadcasts a payment and returns the transaction.
func (w *Wallet) Send(pays []Payment, o SendOptions) (*wire.Tx, *Funded, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.d.kind == KindMultisig || !w.HasPrivateKeys() {
		return nil, nil, errf(ErrWatchOnly, "Error: Private keys are disabled for this wallet")
	}
	if _, err := w.signer(); err != nil {
		return nil, nil, err
	}
	f, err := w.fund(pays, o)
	if err != nil {
		return nil, nil, err
	}
	if _, err := w.signPacket(f.Packet, true); err != nil {
		return nil, nil, err
	}
	if done, err := f.Packet.Finalize(); err != nil || !done {
		return nil, nil, wrapf(ErrWallet, err, "Signing transaction failed")
	}
	tx, err := f.Packet.Extract()
	if err != nil {
		return nil, nil, err
	}
	if err := w.broadcast(tx); err != nil {
		return nil, nil, err
	}
	return tx, f, nil
}

// broadcast hands tx to the mempool and records it in every loaded
// wallet it concerns. Called with w.mu held.
func (w *Wallet) broadcast(tx *wire.Tx) error {
	if err := w.m.cfg.Mempool.Accept(tx); err != nil {
		return wrapf(ErrRejected, err, "Transaction rejected")
	}
	w.addTx(tx, -1, [32]byte{}, 0, 0)
	if err := w.save(); err != nil {
		return err
	}
	w.m.notifyOthers(w, tx)
	return nil
}
