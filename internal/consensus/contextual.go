package consensus

import (
	"github.com/ballast-chain/ballast/internal/params"
	"github.com/ballast-chain/ballast/internal/policy"
	"github.com/ballast-chain/ballast/internal/pow"
	"github.com/ballast-chain/ballast/internal/wire"
)

// MedianTimeFunc returns the median time past of the block at height on the
// chain being extended (the median of it and its ten ancestors). Relative
// time locks (BIP68) measure from the block before the one that created the
// spent output.
type MedianTimeFunc func(height int32) uint32

// TxInputs is what CheckTxInputs learned about a transaction's inputs.
type TxInputs struct {
	PrevOuts []wire.TxOut // the output each input spends
	Fee      int64        // native input total minus native output total
	records  []recordEffect
}

// CheckTxInputs checks tx against the UTXO view for inclusion at height
// (whose parent has median time prevMTP): every input exists and is unspent,
// coinbase outputs are mature, relative lock times (BIP68) are met, and value
// is conserved per asset — issued assets exactly (inputs + issuance =
// outputs + burns), the native coin with inputs >= outputs, the difference
// being the fee — and the asset records' rules hold (checkRecords), record
// witnesses included. It does not verify input signatures (see
// VerifyTxSpends) and does not modify the view.
func CheckTxInputs(tx *wire.Tx, height int32, prevMTP uint32, view *UtxoView, p *params.Params, mtp MedianTimeFunc) (TxInputs, error) {
	res := TxInputs{PrevOuts: make([]wire.TxOut, len(tx.TxIn))}
	var in assetSums
	in.reset()
	for i := range tx.TxIn {
		op := tx.TxIn[i].PrevOut
		e, err := view.Lookup(op)
		if err != nil {
			return res, err
		}
		if e == nil {
			return res, ruleError(ErrMissingTxOut, "input %d spends %s:%d, which is missing or spent", i, op.Hash, op.Index)
		}
		if e.Coinbase && height-e.Height < p.CoinbaseMaturity {
			return res, ruleError(ErrImmatureSpend, "input %d spends a coinbase output from height %d at height %d; maturity is %d",
				i, e.Height, height, p.CoinbaseMaturity)
		}
		limit := amountLimit(e.Out.Asset, p)
		if e.Out.Value < 0 || e.Out.Value > limit || !in.add(e.Out.Asset, e.Out.Value, limit) {
			return res, ruleError(ErrAmountTooLarge, "inputs of asset %s sum past the limit %d", e.Out.Asset, limit)
		}
		res.PrevOuts[i] = e.Out
		if err := checkSequenceLock(tx, i, e, height, prevMTP, mtp); err != nil {
			return res, err
		}
	}
	var out, issued assetSums
	if err := checkOutputs(tx, p, &out); err != nil {
		return res, err
	}
	effects, err := checkRecords(tx, res.PrevOuts, view, &issued)
	if err != nil {
		return res, err
	}
	res.records = effects
	for _, s := range issued.sums {
		if !in.add(s.asset, s.total, MaxAssetAmount) {
			return res, ruleError(ErrAmountTooLarge, "inputs and issuance of asset %s sum past the limit %d", s.asset, int64(MaxAssetAmount))
		}
	}
	for _, s := range out.sums {
		if s.asset.IsNative() {
			continue
		}
		if have := in.get(s.asset); have != s.total {
			return res, ruleError(ErrAssetNotConserved, "asset %s: inputs %d, outputs and burns %d", s.asset, have, s.total)
		}
	}
	for _, s := range in.sums {
		if !s.asset.IsNative() && out.get(s.asset) != s.total {
			return res, ruleError(ErrAssetNotConserved, "asset %s: inputs %d, outputs and burns %d", s.asset, s.total, out.get(s.asset))
		}
	}
	nativeIn, nativeOut := in.get(wire.NativeAsset), out.get(wire.NativeAsset)
	if nativeIn < nativeOut {
		return res, ruleError(ErrSpendTooHigh, "native inputs %d are less than outputs %d", nativeIn, nativeOut)
	}
	res.Fee = nativeIn - nativeOut
	return res, nil
}

// checkSequenceLock enforces BIP68 for input i: with tx version >= 2 and the
// disable flag clear, the input's sequence is a minimum age (blocks, or units
// of 512 seconds of median time) of the output it spends.
func checkSequenceLock(tx *wire.Tx, i int, e *UtxoEntry, height int32, prevMTP uint32, mtp MedianTimeFunc) error {
	seq := tx.TxIn[i].Sequence
	if tx.Version < 2 || seq&SequenceLockTimeDisabled != 0 {
		return nil
	}
	value := int64(seq & SequenceLockTimeMask)
	if seq&SequenceLockTimeIsTime != 0 {
		// Measured from the median time of the block before the output's
		// block; an output created in this block counts from the parent.
		var base int64
		if e.Height >= height {
			base = int64(prevMTP)
		} else {
			base = int64(mtp(max(e.Height-1, 0)))
		}
		minTime := base + value<<SequenceLockTimeGranularity - 1
		if minTime >= int64(prevMTP) {
			return ruleError(ErrSequenceLockNotMet, "input %d is time-locked until median time %d, now %d", i, minTime+1, prevMTP)
		}
		return nil
	}
	minHeight := int64(e.Height) + value - 1
	if minHeight >= int64(height) {
		return ruleError(ErrSequenceLockNotMet, "input %d is height-locked until height %d, block is at %d", i, minHeight+1, height)
	}
	return nil
}

// spendTxInputs marks tx's inputs spent in view and records them for undo.
func spendTxInputs(tx *wire.Tx, view *UtxoView, undo *BlockUndo) {
	for i := range tx.TxIn {
		op := tx.TxIn[i].PrevOut
		e, _ := view.Lookup(op) // present: CheckTxInputs found it
		undo.Spent = append(undo.Spent, SpentOutput{OutPoint: op, Entry: *e})
		view.spend(op)
	}
}

// ConnectBlock applies the contextual rules to a block that passed the sanity
// and positional checks, as the child of prev: each transaction's inputs
// (CheckTxInputs), the coinbase value (exactly subsidy plus fees), and every
// spending condition. On success view holds the block's changes and the
// returned undo data lists the outputs it spent; on error the view must be
// discarded. opt sets how signatures are verified (workers, verifier,
// signature cache), never whether the block is valid.
//
// With a batch verifier, signatures are verified in batches, and with
// several workers while the inputs are still being looked up: each chunk
// of transactions goes to the workers as soon as its spent outputs are
// known (batchStream).
func ConnectBlock(b *Block, prev *HeaderInfo, view *UtxoView, p *params.Params, mtp MedianTimeFunc, opt Options) (*BlockUndo, error) {
	return connectBlock(b, prev, view, p, mtp, opt, nil)
}

// connectBlock is ConnectBlock with its signature stage as a parameter, so
// benchmarks can compare schedulers on the same block; nil is ConnectBlock's
// own (batches streamed to the workers when it can, else verifyBlockSpends).
func connectBlock(b *Block, prev *HeaderInfo, view *UtxoView, p *params.Params, mtp MedianTimeFunc, opt Options,
	verify func([]spendJob, Options) *jobError) (*BlockUndo, error) {
	height := prev.Height + 1
	txs := b.Msg.Transactions
	undo := &BlockUndo{}
	jobs := make([]spendJob, 0, len(txs)-1)
	var stream *batchStream
	if verify == nil {
		verify = verifyBlockSpends
		if bv, ok := opt.Verifier.(policy.BatchVerifier); ok {
			inputs := 0
			for _, tx := range txs[1:] {
				inputs += len(tx.TxIn)
			}
			if inputs >= minBatchInputs {
				stream = &batchStream{opt: opt, bv: bv, inputs: inputs}
				defer stream.abort()
				// The one-by-one fallback must not batch again.
				verify = verifyBlockSpendsEach
			}
		}
	}
	var fees int64
	view.AddTxOuts(txs[0], b.TxIDs[0], height)
	for i := 1; i < len(txs); i++ {
		tx := txs[i]
		ins, err := CheckTxInputs(tx, height, prev.MedianTime, view, p, mtp)
		if err != nil {
			return nil, wrapTx(err, i, b.TxIDs[i])
		}
		fees += ins.Fee
		if fees > p.MaxMoney {
			return nil, ruleError(ErrAmountTooLarge, "block fees %d exceed the money supply limit", fees)
		}
		spendTxInputs(tx, view, undo)
		view.AddTxOuts(tx, b.TxIDs[i], height)
		applyRecords(ins.records, view)
		if opt.Verified != nil && opt.Verified(i, ins.PrevOuts) {
			continue
		}
		jobs = append(jobs, spendJob{txIndex: i, tx: tx, prevOuts: ins.PrevOuts})
		if stream != nil {
			stream.add(jobs[len(jobs)-1])
		}
	}
	var cbValue int64
	for i := range txs[0].TxOut {
		cbValue += txs[0].TxOut[i].Value // bounded by sanity: sum <= MaxMoney
	}
	want := pow.BlockSubsidy(height, p.InitialSubsidy, p.SubsidyHalvingInterval) + fees
	if cbValue != want {
		return nil, ruleError(ErrBadCoinbaseValue, "coinbase pays %d, subsidy plus fees is %d", cbValue, want)
	}
	if stream != nil && stream.finish() {
		return undo, nil
	}
	if err := verify(jobs, opt); err != nil {
		return nil, wrapTx(err.err, err.txIndex, b.TxIDs[err.txIndex])
	}
	return undo, nil
}
