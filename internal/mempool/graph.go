package mempool

import (
	"container/heap"
	"slices"
)

// The dependency graph: parent and child links between pool transactions and
// the cached package aggregates. Traversals mark visited entries with an
// epoch number instead of allocating a set; they run under the write lock.

func (p *Pool) nextEpoch() uint64 {
	p.epoch++
	return p.epoch
}

// ancestors appends e's in-pool ancestors (not e itself) to dst.
func (p *Pool) ancestors(e *txEntry, dst []*txEntry) []*txEntry {
	return p.ancestorsOf(e.parents, dst)
}

// ancestorsOf appends parents and all their ancestors to dst, once each.
func (p *Pool) ancestorsOf(parents []*txEntry, dst []*txEntry) []*txEntry {
	ep := p.nextEpoch()
	start := len(dst)
	for _, q := range parents {
		if q.mark != ep {
			q.mark = ep
			dst = append(dst, q)
		}
	}
	for i := start; i < len(dst); i++ {
		for _, q := range dst[i].parents {
			if q.mark != ep {
				q.mark = ep
				dst = append(dst, q)
			}
		}
	}
	return dst
}

// descendants appends e's in-pool descendants (not e itself) to dst.
func (p *Pool) descendants(e *txEntry, dst []*txEntry) []*txEntry {
	ep := p.nextEpoch()
	e.mark = ep
	start := len(dst)
	dst = append(dst, e)
	for i := start; i < len(dst); i++ {
		for _, c := range dst[i].children {
			if c.mark != ep {
				c.mark = ep
				dst = append(dst, c)
			}
		}
	}
	return append(dst[:start], dst[start+1:]...)
}

// withDescendants returns roots and all their descendants, once each: a set
// that removeSet can take without updating anything that stays.
func (p *Pool) withDescendants(roots []*txEntry) []*txEntry {
	ep := p.nextEpoch()
	var out []*txEntry
	for _, r := range roots {
		if r.mark != ep {
			r.mark = ep
			out = append(out, r)
		}
	}
	for i := 0; i < len(out); i++ {
		for _, c := range out[i].children {
			if c.mark != ep {
				c.mark = ep
				out = append(out, c)
			}
		}
	}
	return out
}

// parentsOf returns the pool transactions whose outputs tx spends.
func (p *Pool) parentsOf(tx *txEntry) []*txEntry {
	var ps []*txEntry
	for i := range tx.tx.TxIn {
		if q := p.txs[tx.tx.TxIn[i].PrevOut.Hash]; q != nil && !slices.Contains(ps, q) {
			ps = append(ps, q)
		}
	}
	return ps
}

// insert adds e to the pool. e has no in-pool children: every pool
// transaction's inputs exist, so nothing in the pool can spend an output of
// a transaction not yet in it.
func (p *Pool) insert(e *txEntry) {
	e.parents = p.parentsOf(e)
	for _, q := range e.parents {
		q.children = append(q.children, e)
	}
	for i := range e.tx.TxIn {
		p.spent[e.tx.TxIn[i].PrevOut] = e
	}
	e.ancCount, e.ancSize, e.ancFee = 1, e.vsize, e.fee
	e.descCount, e.descSize, e.descFee = 1, e.vsize, e.fee
	p.seq++
	e.seq = p.seq
	p.txs[e.txid] = e
	p.wtxids[e.wtxid] = e
	heap.Push(&p.evict, e)
	for _, a := range p.ancestors(e, nil) {
		e.ancCount++
		e.ancSize += a.vsize
		e.ancFee += a.fee
		a.descCount++
		a.descSize += e.vsize
		a.descFee += e.fee
		heap.Fix(&p.evict, a.evictIdx)
	}
	p.usage += e.usage
	p.bytes += e.vsize
	p.totalFee += e.fee
	p.gen++
}

// removal says why entries leave the pool.
type removal int

const (
	removeBlock    removal = iota // confirmed
	removeConflict                // conflicts with a block
	removeReplaced                // replaced (RBF)
	removeEvicted                 // size limit
	removeExpired                 // expiry
	removeRollback                // TestAccept's trial insertion undone
)

// removeSet removes set from the pool. For removeBlock, members'
// descendants outside the set stay and lose them as ancestors; for every
// other reason set must already hold every descendant of its members.
func (p *Pool) removeSet(set []*txEntry, why removal) {
	for _, r := range set {
		r.removing = true
	}
	var scratch []*txEntry
	if why == removeBlock {
		for _, r := range set {
			scratch = p.descendants(r, scratch[:0])
			for _, d := range scratch {
				if !d.removing {
					d.ancCount--
					d.ancSize -= r.vsize
					d.ancFee -= r.fee
				}
			}
		}
	}
	for _, r := range set {
		scratch = p.ancestors(r, scratch[:0])
		for _, a := range scratch {
			if !a.removing {
				a.descCount--
				a.descSize -= r.vsize
				a.descFee -= r.fee
				heap.Fix(&p.evict, a.evictIdx)
			}
		}
	}
	for _, r := range set {
		p.unlink(r)
		if r.tracked && why != removeBlock {
			p.fees.removeTx(r.txid)
		}
	}
}

// unlink drops r from the maps, the heap and its neighbours' links.
func (p *Pool) unlink(r *txEntry) {
	for _, q := range r.parents {
		q.children = deleteEntry(q.children, r)
	}
	for _, c := range r.children {
		c.parents = deleteEntry(c.parents, r)
	}
	for i := range r.tx.TxIn {
		if op := r.tx.TxIn[i].PrevOut; p.spent[op] == r {
			delete(p.spent, op)
		}
	}
	delete(p.txs, r.txid)
	delete(p.wtxids, r.wtxid)
	heap.Remove(&p.evict, r.evictIdx)
	p.usage -= r.usage
	p.bytes -= r.vsize
	p.totalFee -= r.fee
	r.parents, r.children, r.removing = nil, nil, false
	p.gen++
}

func deleteEntry(s []*txEntry, e *txEntry) []*txEntry {
	if i := slices.Index(s, e); i >= 0 {
		s[i] = s[len(s)-1]
		s[len(s)-1] = nil
		s = s[:len(s)-1]
	}
	return s
}

// sortedEntries returns every entry, parents before children (by ancestor
// count, which is larger for a child than for any of its ancestors), then in
// entry order.
func (p *Pool) sortedEntries() []*txEntry {
	es := make([]*txEntry, 0, len(p.txs))
	for _, e := range p.txs {
		es = append(es, e)
	}
	slices.SortFunc(es, func(a, b *txEntry) int {
		if a.ancCount != b.ancCount {
			return a.ancCount - b.ancCount
		}
		return cmpSeq(a.seq, b.seq)
	})
	return es
}

func cmpSeq(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
