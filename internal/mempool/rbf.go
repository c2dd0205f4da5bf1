package mempool

import (
	"fmt"

	"github.com/ballast-chain/ballast/internal/chainhash"
)

// Package limits and replace-by-fee: Core's CalculateMemPoolAncestors limits
// and its BIP125 replacement rules (policy/rbf.cpp), with full RBF.

// collectEvictions enforces rule 5 (at most MaxReplacements transactions
// evicted, counted as Core counts them: the sum of the conflicts' descendant
// counts) and gathers the conflicts with their descendants.
func (p *Pool) collectEvictions(c *candidate) error {
	n := 0
	for _, x := range c.conflicts {
		n += x.descCount
		if n > MaxReplacements {
			return ruleError(ErrTooManyReplacements, "rejecting replacement %s; too many potential replacements (%d > %d)",
				c.entry.txid, n, MaxReplacements)
		}
	}
	c.evict = p.withDescendants(c.conflicts)
	return nil
}

// checkLimits enforces the ancestor and descendant limits as they will be
// once the replacement's evictions are gone, then refuses a transaction that
// spends an output of one it would replace.
func (p *Pool) checkLimits(c *candidate) error {
	e := c.entry
	anc := p.ancestorsOf(p.parentsOf(e), nil)
	size := e.vsize
	for _, a := range anc {
		size += a.vsize
	}
	if len(anc)+1 > p.cfg.AncestorLimit {
		return ruleError(ErrTooLongChain, "too many unconfirmed ancestors [limit: %d]", p.cfg.AncestorLimit)
	}
	if size > p.cfg.AncestorSizeLimit {
		return ruleError(ErrTooLongChain, "exceeds ancestor size limit [limit: %d]", p.cfg.AncestorSizeLimit)
	}
	gone := p.evictedBelow(anc, c.evict)
	for _, a := range anc {
		g := gone[a]
		if a.descCount-g.count+1 > p.cfg.DescendantLimit {
			return ruleError(ErrTooLongChain, "too many descendants for tx %s [limit: %d]", a.txid, p.cfg.DescendantLimit)
		}
		if a.descSize-g.size+e.vsize > p.cfg.DescendantSizeLimit {
			return ruleError(ErrTooLongChain, "exceeds descendant size limit for tx %s [limit: %d]", a.txid, p.cfg.DescendantSizeLimit)
		}
	}
	for _, a := range anc {
		if containsEntry(c.conflicts, a) {
			return ruleError(ErrSpendsConflicting, "%s spends conflicting transaction %s", e.txid, a.txid)
		}
	}
	return nil
}

type countSize struct {
	count int
	size  int64
}

// evictedBelow returns, for each of anc, the count and size of its
// descendants among evict.
func (p *Pool) evictedBelow(anc, evict []*txEntry) map[*txEntry]countSize {
	if len(evict) == 0 {
		return nil
	}
	gone := make(map[*txEntry]countSize, len(anc))
	for _, a := range anc {
		gone[a] = countSize{}
	}
	var scratch []*txEntry
	for _, r := range evict {
		scratch = p.ancestors(r, scratch[:0])
		for _, a := range scratch {
			if g, ok := gone[a]; ok {
				gone[a] = countSize{g.count + 1, g.size + r.vsize}
			}
		}
	}
	return gone
}

// checkReplacement applies the remaining replacement rules in Core's order:
// a higher fee rate than every direct conflict (Core's rule 6), no new
// unconfirmed inputs (rule 2), at least the evicted fees (rule 3) plus relay
// of its own size at the incremental rate (rule 4).
func (p *Pool) checkReplacement(c *candidate) error {
	e := c.entry
	for _, x := range c.conflicts {
		if cmpRate(e.fee, e.vsize, x.fee, x.vsize) <= 0 {
			return ruleError(ErrInsufficientFee, "rejecting replacement %s; new feerate %s <= old feerate %s",
				e.txid, rateOf(e.fee, e.vsize), rateOf(x.fee, x.vsize))
		}
	}
	parents := make(map[chainhash.Hash]bool)
	for _, x := range c.conflicts {
		for i := range x.tx.TxIn {
			parents[x.tx.TxIn[i].PrevOut.Hash] = true
		}
	}
	for j := range e.tx.TxIn {
		h := e.tx.TxIn[j].PrevOut.Hash
		if !parents[h] && p.txs[h] != nil {
			return ruleError(ErrReplacementAddsUnconfirmed, "replacement %s adds unconfirmed input, idx %d", e.txid, j)
		}
	}
	var evicted int64
	for _, x := range c.evict {
		evicted += x.fee
	}
	if e.fee < evicted {
		return ruleError(ErrInsufficientFee, "rejecting replacement %s, less fees than conflicting txs; %s < %s",
			e.txid, formatMoney(e.fee), formatMoney(evicted))
	}
	if add, need := e.fee-evicted, p.cfg.IncrementalRelayFeeRate.Fee(e.vsize); add < need {
		return ruleError(ErrInsufficientFee, "rejecting replacement %s, not enough additional fees to relay; %s < %s",
			e.txid, formatMoney(add), formatMoney(need))
	}
	return nil
}

// formatMoney writes base units as coins the way Core's FormatMoney does:
// eight decimals, trailing zeros trimmed down to two ("0.00001", "1.00").
func formatMoney(v int64) string {
	sign := ""
	u := uint64(v)
	if v < 0 {
		sign, u = "-", -u
	}
	s := fmt.Sprintf("%s%d.%08d", sign, u/1e8, u%1e8)
	end := len(s)
	for end > 2 && s[end-1] == '0' && s[end-3] >= '0' && s[end-3] <= '9' {
		end--
	}
	return s[:end]
}
