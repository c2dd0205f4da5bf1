package wallet

import (
	"github.com/ballast-chain/ballast/internal/address"
	"github.com/ballast-chain/ballast/internal/asset"
	"github.com/ballast-chain/ballast/internal/mempool"
	"github.com/ballast-chain/ballast/internal/policy"
	"github.com/ballast-chain/ballast/internal/wallet/psbt"
	"github.com/ballast-chain/ballast/internal/wire"
)

// anchorValue is the native self-payment an issuance, reissuance or
// attestation transaction carries so the ordinary funding path (coin
// selection, change, fee) builds it; it returns to the wallet.
const anchorValue = 100_000

// AssetOp is an asset operation for the wallet to fund, sign and send.
type AssetOp struct {
	// Issue, when set, issues Amount of this contract from input 0.
	Issue  *asset.Contract
	Amount int64
	// Reissue, when non-zero, reissues Amount of this asset; the wallet
	// must hold the keys that satisfy IssuerPolicy.
	Reissue      wire.AssetID
	IssuerPolicy []byte
	// Burn, when non-zero, burns Amount of this asset from the wallet's
	// coins; a non-empty Reference makes it a redemption.
	Burn      wire.AssetID
	Reference []byte
	// Record is an extra record sent as is (a signed attestation).
	Record *wire.Record
	// To receives issued or reissued units ("" : a new address).
	To string
}

// SendAsset funds, signs and broadcasts op, fees in the native coin, and
// returns the transaction and, for an issuance, the new asset's id.
func (w *Wallet) SendAsset(op AssetOp, o SendOptions) (*wire.Tx, wire.AssetID, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	var id wire.AssetID
	if w.d.kind == KindMultisig || !w.HasPrivateKeys() {
		return nil, id, errf(ErrWatchOnly, "Error: Private keys are disabled for this wallet")
	}
	s, err := w.signer()
	if err != nil {
		return nil, id, err
	}
	anchor, err := w.nextAddress(0, "asset")
	if err != nil {
		return nil, id, err
	}
	to := op.To
	if to == "" {
		to = anchor
	}
	toLock, err := address.Decode(to, w.hrp())
	if err != nil {
		return nil, id, wrapf(ErrInvalidAddress, err, "Invalid address")
	}
	pays := []Payment{{Address: anchor, Value: anchorValue}}
	burnAt := -1
	if !op.Burn.IsNative() {
		if op.Amount <= 0 {
			return nil, id, errf(ErrInvalidParameter, "Invalid amount")
		}
		burnAt = len(pays)
		pays = append(pays, Payment{Address: anchor, Asset: op.Burn, Value: op.Amount})
	}
	f, err := w.fund(pays, o)
	if err != nil {
		return nil, id, err
	}
	tx := f.Packet.Tx
	before := tx.Weight()
	if burnAt >= 0 {
		tx.TxOut[burnAt].Lock = wire.BurnLock(op.Reference)
	}
	addOut := func(out wire.TxOut) {
		tx.TxOut = append(tx.TxOut, out)
		f.Packet.Outputs = append(f.Packet.Outputs, psbt.Output{})
	}
	switch {
	case op.Issue != nil:
		if err := op.Issue.Validate(); err != nil {
			return nil, id, wrapf(ErrInvalidParameter, err, "Invalid contract")
		}
		if op.Amount < 0 || op.Amount > asset.MaxAmount {
			return nil, id, errf(ErrInvalidParameter, "Invalid amount")
		}
		id = asset.ID(tx.TxIn[0].PrevOut, op.Issue.Hash())
		tx.Records = append(tx.Records, wire.Record{Type: wire.RecordIssue,
			Payload: (&asset.Issue{Amount: uint64(op.Amount), Contract: op.Issue.Encode()}).Encode()})
		if op.Amount > 0 {
			addOut(wire.TxOut{Asset: id, Value: op.Amount, Lock: toLock})
		}
	case !op.Reissue.IsNative():
		if op.Amount <= 0 || op.Amount > asset.MaxAmount {
			return nil, id, errf(ErrInvalidParameter, "Invalid amount")
		}
		id = op.Reissue
		tx.Records = append(tx.Records, wire.Record{Type: wire.RecordReissue,
			Payload: (&asset.Reissue{Asset: id, Amount: uint64(op.Amount)}).Encode()})
		addOut(wire.TxOut{Asset: id, Value: op.Amount, Lock: toLock})
	}
	if op.Record != nil {
		tx.Records = append(tx.Records, wire.Record{Type: op.Record.Type, Payload: op.Record.Payload})
	}
	// Pay for what was added, at the funded rate, from the change.
	extra := int64(tx.Weight()-before) + 4*64*int64(len(tx.Records))
	if op.Record != nil {
		extra += int64(4 * (len(op.Record.Witness) * 80))
	}
	fee := mempool.FeeRate(f.FeeRate).Fee(vsize(max(extra, 0)))
	ci := f.ChangeIndex
	if ci < 0 {
		ci = 0 // the anchor
	}
	if tx.TxOut[ci].Value-fee < anchorValue/2 {
		return nil, id, errf(ErrInsufficientFunds, "Insufficient funds")
	}
	tx.TxOut[ci].Value -= fee
	if _, err := w.signPacket(f.Packet, true); err != nil {
		return nil, id, err
	}
	if done, err := f.Packet.Finalize(); err != nil || !done {
		return nil, id, wrapf(ErrWallet, err, "Signing transaction failed")
	}
	final, err := f.Packet.Extract()
	if err != nil {
		return nil, id, err
	}
	prevs := make([]wire.TxOut, len(f.Packet.Inputs))
	for i := range f.Packet.Inputs {
		prevs[i] = f.Packet.Inputs[i].Prev
	}
	for i := range final.Records {
		r := &final.Records[i]
		switch {
		case r.Type == wire.RecordReissue:
			pol, err := policy.Decode(op.IssuerPolicy)
			if err != nil {
				return nil, id, wrapf(ErrInvalidParameter, err, "issuer policy")
			}
			msg, err := asset.RecordSigHash(final, i, prevs, nil)
			if err != nil {
				return nil, id, err
			}
			env := asset.RecordEnv(final, msg, nil)
			sat, err := policy.Satisfy(pol, s, &env)
			if err != nil {
				return nil, id, wrapf(ErrWallet, err, "This wallet cannot satisfy the issuer policy")
			}
			r.Witness = [][]byte{op.IssuerPolicy, sat}
		case op.Record != nil && r.Type == op.Record.Type:
			r.Witness = op.Record.Witness
		}
	}
	if err := w.broadcast(final); err != nil {
		return nil, id, err
	}
	return final, id, nil
}

// AssetSigner returns the wallet's keys as a policy signer (for auditors
// signing attestations). The wallet must be unlocked.
func (w *Wallet) AssetSigner() (policy.Signer, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.signer()
}
