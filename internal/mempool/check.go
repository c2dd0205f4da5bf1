package mempool

import (
	"fmt"
	"time"

	"github.com/ballast-chain/ballast/internal/chainhash"
	"github.com/ballast-chain/ballast/internal/consensus"
	"github.com/ballast-chain/ballast/internal/policy"
	"github.com/ballast-chain/ballast/internal/wire"
)

// acceptOpts are the ways pool-internal callers relax acceptance.
type acceptOpts struct {
	time       time.Time // entry time
	height     int32     // entry height; -1 means the tip's
	bypassFees bool      // reorg re-adds: no relay or rolling minimum fee (Core's bypass_limits)
	skipSigs   bool      // signatures already verified (block and pool transactions)
	noReplace  bool      // conflicts are refused (packages, reorg re-adds)
	noTrim     bool      // the caller trims (or undoes) afterwards
	track      bool      // the fee estimator may follow it
	tracked    bool      // the fee estimator already follows it (reorg re-add)
	owned      bool      // the transaction is already the pool's own copy
}

// prepared is a transaction that passed the checks needing no state, with
// what those checks computed.
type prepared struct {
	tx          *wire.Tx
	txid, wtxid chainhash.Hash
	size        int
	weight      int
	vsize       int64
	sigChecks   int
}

// prepare runs consensus sanity and standardness, which need no lock.
func (p *Pool) prepare(tx *wire.Tx) (*prepared, error) {
	if err := consensus.CheckTransactionSanity(tx, p.params); err != nil {
		return nil, consensusError(err)
	}
	if tx.IsCoinBase() {
		return nil, ruleError(ErrCoinbase, "")
	}
	pre := &prepared{tx: tx, size: tx.SerializeSize(), weight: tx.Weight()}
	if err := p.checkStandard(tx, pre.weight); err != nil {
		return nil, err
	}
	pre.txid, pre.wtxid = tx.TxHash(), tx.WitnessHash()
	pre.vsize = vsizeOf(pre.weight)
	for i := range tx.TxIn {
		pre.sigChecks += policy.CountSigChecks(tx.TxIn[i].Witness)
	}
	return pre, nil
}

// preparedEntry rebuilds prepared data from a pool entry (its transaction
// passed prepare when it entered).
func preparedEntry(e *txEntry) *prepared {
	return &prepared{tx: e.tx, txid: e.txid, wtxid: e.wtxid, size: e.tx.SerializeSize(), weight: e.weight, vsize: e.vsize, sigChecks: e.sigChecks}
}

// candidate is a transaction that passed every check but its signatures,
// with what committing it needs.
type candidate struct {
	entry     *txEntry
	prevOuts  []wire.TxOut
	conflicts []*txEntry // pool transactions spending the same outputs
	evict     []*txEntry // conflicts and their descendants
}

// check runs every stateful check but signatures, in Core's order: finality,
// duplicates, conflicts, inputs (missing, BIP68, maturity, amounts), fee
// rate, package limits, replacement rules. It holds the write lock.
func (p *Pool) check(pre *prepared, o *acceptOpts) (*candidate, error) {
	tx := pre.tx
	tip := p.chain.Tip()
	next := tip.Height + 1
	if !consensus.IsFinalTx(tx, next, tip.MedianTime) {
		return nil, ruleError(ErrNonFinal, "lock time %d, next block height %d, median time past %d", tx.LockTime, next, tip.MedianTime)
	}
	if p.wtxids[pre.wtxid] != nil {
		return nil, ruleError(ErrAlreadyInPool, "")
	}
	if p.txs[pre.txid] != nil {
		return nil, ruleError(ErrSameNonWitness, "")
	}
	c := &candidate{}
	if err := p.findConflicts(tx, o, c); err != nil {
		return nil, err
	}
	view := consensus.NewUtxoView(poolView{p: p, height: next})
	if err := p.checkInputsExist(pre, view); err != nil {
		return nil, err
	}
	ins, err := consensus.CheckTxInputs(tx, next, tip.MedianTime, view, p.params, p.chain.MedianTimePast)
	if err != nil {
		return nil, consensusError(err)
	}
	c.prevOuts = ins.PrevOuts
	c.entry = p.newEntry(pre, ins.Fee, o, tip.Height)
	if !o.bypassFees {
		if err := p.checkFeeRate(c.entry); err != nil {
			return nil, err
		}
	}
	if len(c.conflicts) > 0 {
		if err := p.collectEvictions(c); err != nil {
			return nil, err
		}
	}
	if err := p.checkLimits(c); err != nil {
		return nil, err
	}
	if len(c.conflicts) > 0 {
		if err := p.checkReplacement(c); err != nil {
			return nil, err
		}
	}
	return c, nil
}

func (p *Pool) newEntry(pre *prepared, fee int64, o *acceptOpts, tipHeight int32) *txEntry {
	h := o.height
	if h < 0 {
		h = tipHeight
	}
	return &txEntry{
		tx: pre.tx, txid: pre.txid, wtxid: pre.wtxid, fee: fee,
		weight: pre.weight, vsize: pre.vsize, sigChecks: pre.sigChecks,
		usage: entryUsage(pre.tx, pre.size),
		time:  o.time, height: h, evictIdx: -1,
	}
}

// findConflicts collects the pool transactions spending tx's inputs.
func (p *Pool) findConflicts(tx *wire.Tx, o *acceptOpts, c *candidate) error {
	for i := range tx.TxIn {
		s := p.spent[tx.TxIn[i].PrevOut]
		if s == nil || containsEntry(c.conflicts, s) {
			continue
		}
		if o.noReplace {
			return ruleError(ErrReplacementDisallowed, "conflicts with %s", s.txid)
		}
		// Like Core, only the conflict's own signal counts, not an
		// ancestor's (CVE-2021-31876).
		if p.cfg.OptInRBF && !signalsRBF(s.tx) {
			return ruleError(ErrConflict, "conflicts with %s, which does not signal replaceability", s.txid)
		}
		c.conflicts = append(c.conflicts, s)
	}
	return nil
}

func containsEntry(s []*txEntry, e *txEntry) bool {
	for _, x := range s {
		if x == e {
			return true
		}
	}
	return false
}

// checkInputsExist finds missing inputs before anything else looks at them,
// telling an already confirmed transaction ("txn-already-known") from one
// whose parents are unknown (an orphan, or a double spend).
func (p *Pool) checkInputsExist(pre *prepared, view *consensus.UtxoView) error {
	for i := range pre.tx.TxIn {
		op := pre.tx.TxIn[i].PrevOut
		e, err := view.Lookup(op)
		if err != nil {
			return err
		}
		if e != nil {
			continue
		}
		known, err := p.confirmed(pre)
		if err != nil {
			return err
		}
		if known {
			return ruleError(ErrAlreadyKnown, "")
		}
		return consensusError(&consensus.RuleError{Kind: consensus.ErrMissingTxOut,
			Description: fmt.Sprintf("input %d spends %s:%d, which is missing or spent", i, op.Hash, op.Index)})
	}
	return nil
}

// confirmed reports whether an unspent output of the transaction is in the
// chain's UTXO set.
func (p *Pool) confirmed(pre *prepared) (bool, error) {
	for i := range pre.tx.TxOut {
		if pre.tx.TxOut[i].Lock.Kind == wire.LockBurn {
			continue
		}
		e, err := p.chain.FetchUtxo(wire.OutPoint{Hash: pre.txid, Index: uint32(i)})
		if err != nil || e != nil {
			return e != nil, err
		}
	}
	return false, nil
}

// checkFeeRate applies the rolling minimum and the relay minimum (Core's
// CheckFeeRate).
func (p *Pool) checkFeeRate(e *txEntry) error {
	if need := p.minFeeRate(p.cfg.Now()).Fee(e.vsize); need > 0 && e.fee < need {
		return ruleError(ErrMempoolMinFee, "%d < %d", e.fee, need)
	}
	if need := p.cfg.MinRelayFeeRate.Fee(e.vsize); e.fee < need {
		return ruleError(ErrMinRelayFee, "%d < %d", e.fee, need)
	}
	return nil
}
