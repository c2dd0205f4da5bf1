package mempool

import (
	"fmt"
)

// verifyInvariants checks the pool's internal consistency from scratch: the
// indexes agree, no two transactions spend the same output, every input is
// in the pool or the chain, parent and child links match the inputs, the
// cached ancestor and descendant aggregates equal the graph's, the totals
// add up and the eviction heap is a heap. It reports the first violation.
func (p *Pool) verifyInvariants() error {
	if len(p.wtxids) != len(p.txs) || len(p.evict) != len(p.txs) {
		return fmt.Errorf("mempool invariant: %d txs, %d wtxids, %d in the eviction heap", len(p.txs), len(p.wtxids), len(p.evict))
	}
	var usage, bytes, fees int64
	inputs := 0
	for id, e := range p.txs {
		if e.txid != id || p.wtxids[e.wtxid] != e || e.evictIdx < 0 || e.evictIdx >= len(p.evict) || p.evict[e.evictIdx] != e {
			return fmt.Errorf("mempool invariant: %s is indexed inconsistently", id)
		}
		if err := p.verifyLinks(e); err != nil {
			return err
		}
		if err := p.verifyAggregates(e); err != nil {
			return err
		}
		inputs += len(e.tx.TxIn)
		usage += e.usage
		bytes += e.vsize
		fees += e.fee
	}
	if inputs != len(p.spent) {
		return fmt.Errorf("mempool invariant: %d inputs but %d spent outpoints: two transactions spend one output", inputs, len(p.spent))
	}
	if usage != p.usage || bytes != p.bytes || fees != p.totalFee {
		return fmt.Errorf("mempool invariant: totals usage %d/%d bytes %d/%d fees %d/%d", p.usage, usage, p.bytes, bytes, p.totalFee, fees)
	}
	for i := 1; i < len(p.evict); i++ {
		if p.evict.Less(i, (i-1)/2) {
			return fmt.Errorf("mempool invariant: eviction heap out of order at %d", i)
		}
	}
	return nil
}

// verifyLinks checks e's inputs against the spent index, the pool and the
// chain, and its parent and child links.
func (p *Pool) verifyLinks(e *txEntry) error {
	parents := make(map[*txEntry]bool)
	for i := range e.tx.TxIn {
		op := e.tx.TxIn[i].PrevOut
		if p.spent[op] != e {
			return fmt.Errorf("mempool invariant: %s input %d is not indexed to it", e.txid, i)
		}
		if q := p.txs[op.Hash]; q != nil {
			if poolOutput(q, op.Index, 0) == nil {
				return fmt.Errorf("mempool invariant: %s spends missing output %d of pool tx %s", e.txid, op.Index, q.txid)
			}
			parents[q] = true
			continue
		}
		if u, err := p.chain.FetchUtxo(op); err != nil || u == nil {
			return fmt.Errorf("mempool invariant: %s input %d (%s:%d) is in neither the pool nor the chain (%v)", e.txid, i, op.Hash, op.Index, err)
		}
	}
	if len(parents) != len(e.parents) {
		return fmt.Errorf("mempool invariant: %s has %d parent links, %d parents", e.txid, len(e.parents), len(parents))
	}
	for _, q := range e.parents {
		if !parents[q] || !containsEntry(q.children, e) {
			return fmt.Errorf("mempool invariant: %s parent link to %s is wrong", e.txid, q.txid)
		}
	}
	for _, c := range e.children {
		if p.txs[c.txid] != c || !containsEntry(c.parents, e) {
			return fmt.Errorf("mempool invariant: %s child link to %s is wrong", e.txid, c.txid)
		}
	}
	return nil
}

// verifyAggregates recomputes e's ancestor and descendant sets with plain
// maps (not the traversal code under test) and compares the cached sums.
func (p *Pool) verifyAggregates(e *txEntry) error {
	walk := func(next func(*txEntry) []*txEntry) map[*txEntry]bool {
		seen := map[*txEntry]bool{e: true}
		stack := []*txEntry{e}
		for len(stack) > 0 {
			x := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			for _, y := range next(x) {
				if !seen[y] {
					seen[y] = true
					stack = append(stack, y)
				}
			}
		}
		return seen
	}
	anc := walk(func(x *txEntry) []*txEntry { return x.parents })
	desc := walk(func(x *txEntry) []*txEntry { return x.children })
	var a, d countSize
	var aFee, dFee int64
	for x := range anc {
		a.count, a.size, aFee = a.count+1, a.size+x.vsize, aFee+x.fee
	}
	for x := range desc {
		d.count, d.size, dFee = d.count+1, d.size+x.vsize, dFee+x.fee
	}
	if a.count != e.ancCount || a.size != e.ancSize || aFee != e.ancFee {
		return fmt.Errorf("mempool invariant: %s ancestors cached %d/%d/%d, graph %d/%d/%d", e.txid,
			e.ancCount, e.ancSize, e.ancFee, a.count, a.size, aFee)
	}
	if d.count != e.descCount || d.size != e.descSize || dFee != e.descFee {
		return fmt.Errorf("mempool invariant: %s descendants cached %d/%d/%d, graph %d/%d/%d", e.txid,
			e.descCount, e.descSize, e.descFee, d.count, d.size, dFee)
	}
	if e.fee < 0 || e.vsize <= 0 || e.removing {
		return fmt.Errorf("mempool invariant: %s has fee %d, vsize %d, removing %v", e.txid, e.fee, e.vsize, e.removing)
	}
	return nil
}
