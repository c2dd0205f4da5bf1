package mempool

import (
	"container/heap"
	"slices"

	"github.com/ballast-chain/ballast/internal/chainhash"
	"github.com/ballast-chain/ballast/internal/consensus"
	"github.com/ballast-chain/ballast/internal/wire"
)

// BlockTx is a transaction chosen for a block template, with what
// getblocktemplate reports about it.
type BlockTx struct {
	Tx          *wire.Tx // the pool's copy; must not be modified
	TxID, WTxID chainhash.Hash
	Fee         int64
	Weight      int
	SigChecks   int
}

// Core's BlockAssembler gives up after this many packages in a row fail to
// fit, once the block is within blockFullMargin weight of full.
const (
	maxConsecutiveFailures = 1000
	blockFullMargin        = 4000
)

// SelectForBlock chooses transactions for a block by ancestor-package fee
// rate (child-pays-for-parent), as Core's BlockAssembler does: take the
// package (a transaction with its not yet chosen ancestors) of highest fee
// rate that fits, add it parents first, recompute its descendants' package
// rates without it, repeat. maxWeight is the weight available to these
// transactions (the caller reserves the header and the coinbase); the
// signature checks stay within consensus.MaxBlockSigChecks. The result is in
// a valid block order.
func (p *Pool) SelectForBlock(maxWeight int) []BlockTx {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := selector{p: p, inBlock: make(map[*txEntry]bool), mod: make(map[*txEntry]*pkgRate)}
	s.h = make(pkgHeap, 0, len(p.txs))
	for _, e := range p.txs {
		s.h = append(s.h, pkgItem{e: e, fee: e.ancFee, size: e.ancSize})
	}
	initHeap(&s.h)
	return s.run(maxWeight, consensus.MaxBlockSigChecks)
}

// pkgRate is an entry's ancestor package after some ancestors were chosen.
type pkgRate struct {
	fee, size int64
	ver       uint32
}

type selector struct {
	p       *Pool
	h       pkgHeap
	inBlock map[*txEntry]bool
	mod     map[*txEntry]*pkgRate
	out     []BlockTx
	weight  int
	sigs    int
	// Reused buffers: a template touches every pool transaction.
	scratch, pkg, touched []*txEntry
}

func (s *selector) run(maxWeight, maxSigs int) []BlockTx {
	failures := 0
	for s.h.Len() > 0 {
		it := heap.Pop(&s.h).(pkgItem)
		if s.inBlock[it.e] {
			continue
		}
		if m := s.mod[it.e]; m != nil && m.ver != it.ver {
			continue // superseded by a later push
		}
		pkg := s.pendingAncestors(it.e)
		w, sig := 0, 0
		for _, t := range pkg {
			w += t.weight
			sig += t.sigChecks
		}
		if s.weight+w > maxWeight || s.sigs+sig > maxSigs {
			failures++
			if failures > maxConsecutiveFailures && s.weight > maxWeight-blockFullMargin {
				break
			}
			continue
		}
		failures = 0
		s.add(pkg)
	}
	return s.out
}

// pendingAncestors returns e and its ancestors not yet in the block,
// parents first.
func (s *selector) pendingAncestors(e *txEntry) []*txEntry {
	s.scratch = s.p.ancestors(e, s.scratch[:0])
	pkg := append(s.pkg[:0], e)
	for _, a := range s.scratch {
		if !s.inBlock[a] {
			pkg = append(pkg, a)
		}
	}
	s.pkg = pkg
	slices.SortFunc(pkg, func(a, b *txEntry) int {
		if a.ancCount != b.ancCount {
			return a.ancCount - b.ancCount
		}
		return cmpSeq(a.seq, b.seq)
	})
	return pkg
}

// add appends a package and updates its members' descendants' package
// rates, pushing them again.
func (s *selector) add(pkg []*txEntry) {
	touched := s.touched[:0]
	for _, t := range pkg {
		s.inBlock[t] = true
		s.out = append(s.out, BlockTx{Tx: t.tx, TxID: t.txid, WTxID: t.wtxid, Fee: t.fee, Weight: t.weight, SigChecks: t.sigChecks})
		s.weight += t.weight
		s.sigs += t.sigChecks
	}
	for _, t := range pkg {
		s.scratch = s.p.descendants(t, s.scratch[:0])
		for _, d := range s.scratch {
			if s.inBlock[d] {
				continue
			}
			m := s.mod[d]
			if m == nil {
				m = &pkgRate{fee: d.ancFee, size: d.ancSize}
				s.mod[d] = m
			}
			m.fee -= t.fee
			m.size -= t.vsize
			if !containsEntry(touched, d) {
				touched = append(touched, d)
			}
		}
	}
	for _, d := range touched {
		m := s.mod[d]
		m.ver++
		heap.Push(&s.h, pkgItem{e: d, fee: m.fee, size: m.size, ver: m.ver})
	}
	s.touched = touched
}

func initHeap(h *pkgHeap) { heap.Init(h) }

type pkgItem struct {
	e         *txEntry
	fee, size int64
	ver       uint32
}

// pkgHeap pops the highest package fee rate first; ties go to the smaller
// package, then to the earlier entry.
type pkgHeap []pkgItem

func (h pkgHeap) Len() int { return len(h) }
func (h pkgHeap) Less(i, j int) bool {
	if c := cmpRate(h[i].fee, h[i].size, h[j].fee, h[j].size); c != 0 {
		return c > 0
	}
	if h[i].size != h[j].size {
		return h[i].size < h[j].size
	}
	return h[i].e.seq < h[j].e.seq
}
func (h pkgHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *pkgHeap) Push(x any)   { *h = append(*h, x.(pkgItem)) }
func (h *pkgHeap) Pop() any {
	old := *h
	it := old[len(old)-1]
	*h = old[:len(old)-1]
	return it
}
