package mempool

import (
	"context"
	"log/slog"

	"github.com/ballast-chain/ballast/internal/chainhash"
	"github.com/ballast-chain/ballast/internal/wire"
)

// AcceptResult describes a transaction the pool accepted.
type AcceptResult struct {
	TxID, WTxID chainhash.Hash
	VSize       int64
	Fee         int64
	// Replaced lists the transactions it evicted by replace-by-fee (the
	// direct conflicts and their descendants).
	Replaced []chainhash.Hash
}

// Accept validates tx against the chain tip and the pool and adds it, or
// returns a *RuleError saying why not (RejectReason gives Core's string).
// An error that is not a *RuleError is a failure of the chain view. The
// pool keeps its own copy of tx.
func (p *Pool) Accept(tx *wire.Tx) (*AcceptResult, error) {
	return p.accept(tx, acceptOpts{time: p.cfg.Now(), height: -1, track: true})
}

func (p *Pool) accept(tx *wire.Tx, o acceptOpts) (*AcceptResult, error) {
	pre, err := p.prepare(tx)
	if err != nil {
		p.logReject(tx.TxHash(), err)
		return nil, err
	}
	p.mu.Lock()
	c, err := p.check(pre, &o)
	gen := p.gen
	p.mu.Unlock()
	if err != nil {
		p.logReject(pre.txid, err)
		return nil, err
	}
	// Signatures last and outside the lock: the costly part runs in
	// parallel across callers.
	if !o.skipSigs {
		if err := p.cfg.VerifySpends(tx, c.prevOuts); err != nil {
			err = consensusError(err)
			p.logReject(pre.txid, err)
			return nil, err
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.gen != gen {
		// The pool or the chain changed meanwhile: check again. The
		// signatures stay valid: an outpoint's output is fixed by its txid,
		// so whichever view supplies it, the signed data is the same.
		if c, err = p.check(pre, &o); err != nil {
			p.logReject(pre.txid, err)
			return nil, err
		}
	}
	res, err := p.commit(c, &o)
	if err != nil {
		p.logReject(pre.txid, err)
		return nil, err
	}
	return res, nil
}

// commit evicts the replaced transactions, inserts the new one and trims the
// pool to its size limit.
func (p *Pool) commit(c *candidate, o *acceptOpts) (*AcceptResult, error) {
	e := c.entry
	res := &AcceptResult{TxID: e.txid, WTxID: e.wtxid, VSize: e.vsize, Fee: e.fee}
	for _, x := range c.evict {
		res.Replaced = append(res.Replaced, x.txid)
	}
	if len(c.evict) > 0 {
		p.removeSet(c.evict, removeReplaced)
	}
	if !o.owned {
		e.tx = copyTx(e.tx)
	}
	p.insert(e)
	switch {
	case o.tracked:
		e.tracked = true
	case o.track && len(e.parents) == 0:
		// As Core: transactions with unconfirmed parents would measure
		// their parents' fee rate as much as their own.
		e.tracked = p.fees.processTx(e.txid, e.height, rateOf(e.fee, e.vsize))
	}
	if p.log.Enabled(context.Background(), slog.LevelDebug) { // txid formatting is not free
		p.log.Debug("tx accepted", slog.String("txid", e.txid.String()), slog.Int64("vsize", e.vsize),
			slog.Int64("fee", e.fee), slog.Int("replaced", len(res.Replaced)))
	}
	if !o.noTrim {
		p.trim(p.cfg.Now())
		if p.txs[e.txid] != e {
			p.checkInvariants()
			return nil, ruleError(ErrMempoolFull, "")
		}
	}
	p.checkInvariants()
	return res, nil
}

// copyTx returns a deep copy of tx, so the pool owns its transactions (a
// decoded transaction aliases its buffer, perhaps a whole block's).
func copyTx(tx *wire.Tx) *wire.Tx {
	c, err := wire.DecodeTx(tx.Bytes())
	if err != nil {
		return tx // cannot happen for a transaction that passed sanity
	}
	return c
}

func (p *Pool) logReject(txid chainhash.Hash, err error) {
	if !p.log.Enabled(context.Background(), slog.LevelDebug) {
		return
	}
	p.log.Debug("tx rejected", slog.String("txid", txid.String()), slog.String("reason", RejectReason(err)),
		slog.String("err", err.Error()))
}

// TestResult is testmempoolaccept's answer for one transaction.
type TestResult struct {
	TxID, WTxID chainhash.Hash
	// Checked is false for package members after the first failure, which
	// are not looked at (Core omits "allowed" for them).
	Checked      bool
	Allowed      bool
	VSize        int64
	Fee          int64
	RejectReason string
	Err          error
}

// TestAccept checks transactions without adding them. One transaction is
// checked exactly as Accept would (replacement included). Several are
// checked as a package, each as if the earlier ones had been accepted: they
// must be sorted parents first, without duplicates or conflicts among them,
// at most 25 and 404,000 weight together, and may not replace pool
// transactions.
func (p *Pool) TestAccept(txs []*wire.Tx) []TestResult {
	res := make([]TestResult, len(txs))
	for i, tx := range txs {
		res[i].TxID, res[i].WTxID = tx.TxHash(), tx.WitnessHash()
	}
	if len(txs) == 1 {
		res[0] = p.testOne(txs[0])
		return res
	}
	if err := checkPackage(txs, res); err != nil {
		for i := range res {
			res[i].Checked, res[i].Err, res[i].RejectReason = true, err, RejectReason(err)
		}
		return res
	}
	p.testPackage(txs, res)
	return res
}

func (p *Pool) testOne(tx *wire.Tx) TestResult {
	r := TestResult{TxID: tx.TxHash(), WTxID: tx.WitnessHash(), Checked: true}
	pre, err := p.prepare(tx)
	var c *candidate
	if err == nil {
		o := acceptOpts{time: p.cfg.Now(), height: -1}
		p.mu.Lock()
		c, err = p.check(pre, &o)
		p.mu.Unlock()
	}
	if err == nil {
		err = consensusError(p.cfg.VerifySpends(tx, c.prevOuts))
	}
	if err != nil {
		r.Err, r.RejectReason = err, RejectReason(err)
		return r
	}
	r.Allowed, r.VSize, r.Fee = true, c.entry.vsize, c.entry.fee
	return r
}

// testPackage inserts the package's transactions one by one under the lock,
// then removes them again (each is a leaf when removed, so removal exactly
// undoes insertion).
func (p *Pool) testPackage(txs []*wire.Tx, res []TestResult) {
	p.mu.Lock()
	defer p.mu.Unlock()
	o := acceptOpts{time: p.cfg.Now(), height: -1, noReplace: true, noTrim: true}
	var added []*txEntry
	for i, tx := range txs {
		res[i].Checked = true
		pre, err := p.prepare(tx)
		var c *candidate
		if err == nil {
			c, err = p.check(pre, &o)
		}
		if err == nil {
			err = consensusError(p.cfg.VerifySpends(tx, c.prevOuts))
		}
		if err != nil {
			res[i].Err, res[i].RejectReason = err, RejectReason(err)
			break
		}
		p.insert(c.entry)
		added = append(added, c.entry)
		res[i].Allowed, res[i].VSize, res[i].Fee = true, c.entry.vsize, c.entry.fee
	}
	for i := len(added) - 1; i >= 0; i-- {
		p.removeSet(added[i:i+1], removeRollback)
	}
	p.checkInvariants()
}

// checkPackage applies Core's IsWellFormedPackage. The error goes to every
// member.
func checkPackage(txs []*wire.Tx, res []TestResult) error {
	const maxCount, maxWeight = 25, 404_000
	if len(txs) > maxCount {
		return ruleError(ErrPackageTooMany, "%d transactions > %d", len(txs), maxCount)
	}
	weight := 0
	for _, tx := range txs {
		weight += tx.Weight()
	}
	if weight > maxWeight {
		return ruleError(ErrPackageTooLarge, "weight %d > %d", weight, maxWeight)
	}
	pos := make(map[chainhash.Hash]int, len(txs))
	for i := range res {
		if _, dup := pos[res[i].TxID]; dup {
			return ruleError(ErrPackageDuplicates, "%s", res[i].TxID)
		}
		pos[res[i].TxID] = i
	}
	spent := make(map[wire.OutPoint]bool)
	for i, tx := range txs {
		for j := range tx.TxIn {
			op := tx.TxIn[j].PrevOut
			if k, ok := pos[op.Hash]; ok && k > i {
				return ruleError(ErrPackageNotSorted, "%s spends the later %s", res[i].TxID, op.Hash)
			}
			if spent[op] {
				return ruleError(ErrPackageConflict, "%s:%d spent twice", op.Hash, op.Index)
			}
			spent[op] = true
		}
	}
	return nil
}
