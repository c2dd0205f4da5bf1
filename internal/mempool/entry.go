package mempool

import (
	"time"
	"unsafe"

	"github.com/ballast-chain/ballast/internal/chainhash"
	"github.com/ballast-chain/ballast/internal/wire"
)

// txEntry is one pool transaction with its place in the dependency graph and
// the package aggregates Core caches (ancestor and descendant counts, sizes
// and fees, each including the entry itself).
type txEntry struct {
	tx        *wire.Tx // the pool's own copy; never modified
	txid      chainhash.Hash
	wtxid     chainhash.Hash
	fee       int64
	weight    int
	vsize     int64
	sigChecks int
	usage     int64
	time      time.Time
	height    int32  // tip height when it entered
	seq       uint64 // entry order, for deterministic ties

	parents  []*txEntry // in-pool transactions whose outputs it spends
	children []*txEntry // in-pool transactions spending its outputs

	ancCount  int
	ancSize   int64
	ancFee    int64
	descCount int
	descSize  int64
	descFee   int64

	evictIdx int    // index in the eviction heap
	mark     uint64 // graph traversal epoch
	removing bool   // member of the set being removed
	tracked  bool   // followed by the fee estimator
}

// Approximate heap bytes an entry costs beyond its encoding: the entry and
// transaction structs, the txid and wtxid map slots and the eviction heap
// slot; per input the TxIn and its spent-map slot; per output the TxOut; per
// witness item a slice header.
const (
	mapSlotOverhead = 64
	sliceHeaderSize = 24
	entryOverhead   = int64(unsafe.Sizeof(txEntry{})+unsafe.Sizeof(wire.Tx{})) + 2*mapSlotOverhead + 8
	inputOverhead   = int64(unsafe.Sizeof(wire.TxIn{})) + mapSlotOverhead + 8
	outputOverhead  = int64(unsafe.Sizeof(wire.TxOut{}))
)

// entryUsage estimates the memory an entry holds: the basis of MaxUsage
// (Core's DynamicMemoryUsage is an estimate of the same kind).
func entryUsage(tx *wire.Tx, size int) int64 {
	n := entryOverhead + int64(size)
	n += int64(len(tx.TxIn))*inputOverhead + int64(len(tx.TxOut))*outputOverhead
	for i := range tx.TxIn {
		n += int64(len(tx.TxIn[i].Witness)) * sliceHeaderSize
	}
	return n
}

// descScore returns the fee and size whose ratio is the entry's descendant
// score: the higher of its own fee rate and its descendant package's (Core's
// CompareTxMemPoolEntryByDescendantScore). Eviction takes the lowest.
func (e *txEntry) descScore() (int64, int64) {
	if cmpRate(e.fee, e.vsize, e.descFee, e.descSize) >= 0 {
		return e.fee, e.vsize
	}
	return e.descFee, e.descSize
}

// evictHeap orders entries by descendant score, lowest first; among equal
// scores the newest goes first, as in Core.
type evictHeap []*txEntry

func (h evictHeap) Len() int { return len(h) }

func (h evictHeap) Less(i, j int) bool {
	a, b := h[i], h[j]
	af, as := a.descScore()
	bf, bs := b.descScore()
	if c := cmpRate(af, as, bf, bs); c != 0 {
		return c < 0
	}
	if !a.time.Equal(b.time) {
		return a.time.After(b.time)
	}
	return a.seq > b.seq
}

func (h evictHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].evictIdx = i
	h[j].evictIdx = j
}

func (h *evictHeap) Push(x any) {
	e := x.(*txEntry)
	e.evictIdx = len(*h)
	*h = append(*h, e)
}

func (h *evictHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	e.evictIdx = -1
	return e
}

// signalsRBF reports BIP125 opt-in: an input sequence below 0xfffffffe.
func signalsRBF(tx *wire.Tx) bool {
	for i := range tx.TxIn {
		if tx.TxIn[i].Sequence < 0xfffffffe {
			return true
		}
	}
	return false
}

// EntryFees are an entry's fees, in base units (getmempoolentry "fees").
// Modified equals Base: the pool has no prioritisetransaction.
type EntryFees struct {
	Base       int64
	Modified   int64
	Ancestor   int64 // the entry and its in-pool ancestors
	Descendant int64 // the entry and its in-pool descendants
}

// EntryInfo is what getmempoolentry reports about a pool transaction.
type EntryInfo struct {
	TxID, WTxID chainhash.Hash
	VSize       int64
	Weight      int
	SigChecks   int
	Time        time.Time // when it entered the pool
	Height      int32     // the tip's height when it entered
	Fees        EntryFees
	// Depends are the in-pool parents, SpentBy the in-pool children.
	Depends, SpentBy []chainhash.Hash
	// Counts and virtual sizes of the in-pool ancestors and descendants,
	// the entry itself included.
	AncestorCount   int
	AncestorSize    int64
	DescendantCount int
	DescendantSize  int64
	// BIP125Replaceable reports opt-in signalling by the transaction or an
	// in-pool ancestor. Under full RBF (the default) every transaction can
	// be replaced regardless; Core reports signalling the same way.
	BIP125Replaceable bool
}
