package consensus

import (
	"errors"
	"fmt"

	"github.com/ballast-chain/ballast/internal/asset"
	"github.com/ballast-chain/ballast/internal/policy"
	"github.com/ballast-chain/ballast/internal/wire"
)

// AssetState is what consensus needs to know of an issued asset: its
// contract (issuer and auditor policies, basket) and the time of its latest
// reserve attestation.
type AssetState struct {
	Contract          *asset.Contract
	Attested          bool   // an attestation has been accepted
	LatestAttestation uint64 // its time (Unix seconds), if Attested
}

// AssetSource supplies the asset registry at the chain tip, as UtxoSource
// supplies outputs: FetchAsset returns nil, nil for an unknown asset, and an
// error only when the source itself fails. A UtxoSource that also
// implements AssetSource is used for both by NewUtxoView.
type AssetSource interface {
	FetchAsset(id wire.AssetID) (*AssetState, error)
}

// assetOverlay records assets issued and attested while connecting a
// block, over the source's registry.
type assetOverlay struct {
	src     AssetSource
	changed map[wire.AssetID]*AssetState
}

func (o *assetOverlay) lookup(id wire.AssetID) (*AssetState, error) {
	if s, ok := o.changed[id]; ok {
		return s, nil
	}
	if o.src == nil {
		return nil, nil
	}
	return o.src.FetchAsset(id)
}

func (o *assetOverlay) set(id wire.AssetID, s *AssetState) {
	if o.changed == nil {
		o.changed = make(map[wire.AssetID]*AssetState)
	}
	o.changed[id] = s
}

// SetAssetSource sets where the view reads the asset registry (when its
// UTXO source does not provide it).
func (v *UtxoView) SetAssetSource(src AssetSource) { v.assets.src = src }

// AssetChanges returns the assets the view's transactions issued or
// attested, with their new state.
func (v *UtxoView) AssetChanges() map[wire.AssetID]*AssetState { return v.assets.changed }

// recordEffect is what one checked record does to the registry.
type recordEffect struct {
	id    wire.AssetID
	state *AssetState // the asset's state after the record
}

// checkRecordsSanity checks the records of tx on their own: known types,
// payloads and contracts that decode within limits, issue records naming
// an existing input with an empty witness, no asset issued twice.
func checkRecordsSanity(tx *wire.Tx) error {
	if len(tx.Records) == 0 {
		return nil
	}
	if tx.IsCoinBase() {
		return ruleError(ErrUnsupportedRecord, "coinbase carries %d records", len(tx.Records))
	}
	var issued []wire.AssetID
	for i := range tx.Records {
		r := &tx.Records[i]
		switch r.Type {
		case wire.RecordIssue:
			p, c, err := asset.DecodeIssue(r.Payload)
			if err != nil {
				return recordError(i, err)
			}
			if int64(p.Input) >= int64(len(tx.TxIn)) {
				return ruleError(ErrBadIssueInput, "record %d issues from input %d of %d", i, p.Input, len(tx.TxIn))
			}
			if len(r.Witness) != 0 {
				return ruleError(ErrBadRecordWitness, "issue record %d has a witness; the issuing input authorises it", i)
			}
			id := asset.ID(tx.TxIn[p.Input].PrevOut, c.Hash())
			for _, prev := range issued {
				if prev == id {
					return ruleError(ErrDuplicateIssuance, "record %d issues asset %s a second time", i, id)
				}
			}
			issued = append(issued, id)
		case wire.RecordReissue:
			if _, err := asset.DecodeReissue(r.Payload); err != nil {
				return recordError(i, err)
			}
		case wire.RecordAttestation:
			if _, err := asset.DecodeAttestation(r.Payload); err != nil {
				return recordError(i, err)
			}
		default:
			return ruleError(ErrUnsupportedRecord, "record %d has undefined type %d", i, r.Type)
		}
	}
	return nil
}

// recordError classifies a payload decoding failure: a bad contract or a
// bad payload.
func recordError(i int, err error) error {
	kind := ErrBadRecord
	if errors.Is(err, asset.ErrContract) {
		kind = ErrBadContract
	}
	return &RuleError{Kind: kind, Description: fmt.Sprintf("record %d", i), Cause: err}
}

// checkRecords applies the contextual record rules to tx, whose inputs
// spend prevOuts, and returns the amounts issued per asset and the records'
// effects on the registry: reissued and attested assets exist, attestations
// name only basket goods and are newer than the latest one, and every
// reissue and attestation witness satisfies the issuer or auditor policy.
// Signatures are checked last.
func checkRecords(tx *wire.Tx, prevOuts []wire.TxOut, view *UtxoView, issued *assetSums) ([]recordEffect, error) {
	if len(tx.Records) == 0 {
		return nil, nil
	}
	issued.reset()
	var effects []recordEffect
	type sigJob struct {
		rec  int
		pol  []byte
		msg  [32]byte
		kind ErrorKind
	}
	var jobs []sigJob
	state := func(id wire.AssetID) (*AssetState, error) {
		for j := len(effects) - 1; j >= 0; j-- {
			if effects[j].id == id {
				return effects[j].state, nil
			}
		}
		return view.assets.lookup(id)
	}
	for i := range tx.Records {
		r := &tx.Records[i]
		switch r.Type {
		case wire.RecordIssue:
			p, c, err := asset.DecodeIssue(r.Payload)
			if err != nil {
				return nil, recordError(i, err)
			}
			id := asset.ID(tx.TxIn[p.Input].PrevOut, c.Hash())
			if s, err := view.assets.lookup(id); err != nil {
				return nil, err
			} else if s != nil {
				return nil, ruleError(ErrDuplicateIssuance, "record %d: asset %s is already issued", i, id)
			}
			if !issued.add(id, int64(p.Amount), MaxAssetAmount) {
				return nil, ruleError(ErrAmountTooLarge, "record %d: issuance of %s past the limit", i, id)
			}
			effects = append(effects, recordEffect{id: id, state: &AssetState{Contract: c}})
		case wire.RecordReissue:
			p, err := asset.DecodeReissue(r.Payload)
			if err != nil {
				return nil, recordError(i, err)
			}
			s, err := state(p.Asset)
			if err != nil {
				return nil, err
			}
			if s == nil {
				return nil, ruleError(ErrUnknownAsset, "record %d reissues unknown asset %s", i, p.Asset)
			}
			if !issued.add(p.Asset, int64(p.Amount), MaxAssetAmount) {
				return nil, ruleError(ErrAmountTooLarge, "record %d: issuance of %s past the limit", i, p.Asset)
			}
			msg, err := asset.RecordSigHash(tx, i, prevOuts, nil)
			if err != nil {
				return nil, &RuleError{Kind: ErrBadIssuerAuth, Description: fmt.Sprintf("record %d: signature hash", i), Cause: err}
			}
			jobs = append(jobs, sigJob{rec: i, pol: s.Contract.IssuerPolicy, msg: msg, kind: ErrBadIssuerAuth})
		case wire.RecordAttestation:
			p, err := asset.DecodeAttestation(r.Payload)
			if err != nil {
				return nil, recordError(i, err)
			}
			s, err := state(p.Asset)
			if err != nil {
				return nil, err
			}
			if s == nil {
				return nil, ruleError(ErrUnknownAsset, "record %d attests unknown asset %s", i, p.Asset)
			}
			if err := p.CheckGoods(s.Contract); err != nil {
				return nil, &RuleError{Kind: ErrAttestationGood, Description: fmt.Sprintf("record %d", i), Cause: err}
			}
			if s.Attested && p.Time <= s.LatestAttestation {
				return nil, ruleError(ErrStaleAttestation, "record %d: attestation time %d is not after the latest, %d", i, p.Time, s.LatestAttestation)
			}
			jobs = append(jobs, sigJob{rec: i, pol: s.Contract.AuditorPolicy, msg: p.Message(), kind: ErrBadAttestationAuth})
			ns := *s
			ns.Attested, ns.LatestAttestation = true, p.Time
			effects = append(effects, recordEffect{id: p.Asset, state: &ns})
		}
	}
	for _, j := range jobs {
		env := asset.RecordEnv(tx, j.msg, nil)
		lock := wire.PolicyLock(policy.HashEncoding(j.pol))
		if _, err := policy.VerifySpend(lock, tx.Records[j.rec].Witness, &env); err != nil {
			return nil, &RuleError{Kind: j.kind, Description: fmt.Sprintf("record %d does not satisfy its policy", j.rec), Cause: err}
		}
	}
	return effects, nil
}

// applyRecords enters a connected transaction's record effects in the view.
func applyRecords(effects []recordEffect, view *UtxoView) {
	for _, e := range effects {
		view.assets.set(e.id, e.state)
	}
}

// recordSigChecks counts the signatures tx's record witnesses will cost.
func recordSigChecks(tx *wire.Tx) int {
	n := 0
	for i := range tx.Records {
		if len(tx.Records[i].Witness) != 0 {
			n += policy.CountSigChecks(tx.Records[i].Witness)
		}
	}
	return n
}
