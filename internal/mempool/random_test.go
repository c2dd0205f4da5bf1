package mempool

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/ballast-chain/ballast/internal/chaingen"
	"github.com/ballast-chain/ballast/internal/consensus"
	"github.com/ballast-chain/ballast/internal/wire"
)

// randomOps drives a pool through a random stream of acceptances (chained,
// replacing, under a small size limit), block connections of its own
// templates (validated by real consensus), reorganisations, expiry and
// packages, checking the invariants after every step.
type randomOps struct {
	h      *harness
	rng    *rand.Rand
	known  map[wire.OutPoint]*chaingen.SpendableOut
	ops    []wire.OutPoint
	base   int32 // the chain height below which nothing is disconnected
	counts map[string]int
}

func TestRandomOperations(t *testing.T) {
	steps := 400
	if testing.Short() || raceEnabled {
		steps = 100
	}
	h := newHarness(t, Config{})
	r := &randomOps{h: h, rng: rand.New(rand.NewPCG(7, 11)), known: map[wire.OutPoint]*chaingen.SpendableOut{},
		counts: map[string]int{}}
	r.add(nil, h.fund(60))
	r.base = h.chain.c.Tip.Height
	h.pool.mu.Lock()
	h.pool.cfg.MaxUsage = 40_000 // about 60 transactions: trimming happens
	h.pool.mu.Unlock()
	for range steps {
		switch n := r.rng.IntN(100); {
		case n < 55:
			r.spend()
		case n < 70:
			r.replace()
		case n < 80:
			r.mine()
		case n < 86:
			r.disconnect()
		case n < 92:
			h.clock.advance(time.Duration(r.rng.IntN(100)) * time.Hour)
			h.pool.Expire(h.clock.Now())
			r.counts["expire"]++
		default:
			r.pkg()
		}
		h.checkInvariants()
	}
	t.Logf("operations: %v; pool %d txs", r.counts, h.pool.Count())
}

func (r *randomOps) add(tx *wire.Tx, os []*chaingen.SpendableOut) {
	if tx != nil {
		os = outs(tx)
	}
	for _, o := range os {
		r.known[o.OutPoint] = o
		r.ops = append(r.ops, o.OutPoint)
	}
}

// pick returns an output unspent in the chain and the pool, or nil.
func (r *randomOps) pick() *chaingen.SpendableOut {
	for range 30 {
		op := r.ops[r.rng.IntN(len(r.ops))]
		if e, _ := r.h.pool.FetchUtxo(op); e != nil {
			return r.known[op]
		}
	}
	return nil
}

func (r *randomOps) spend() {
	a, b := r.pick(), r.pick()
	if a == nil {
		return
	}
	in := []*chaingen.SpendableOut{a}
	if b != nil && b != a && r.rng.IntN(3) == 0 {
		in = append(in, b)
	}
	tx := r.h.spend(in, 1+r.rng.IntN(3), int64(150+r.rng.IntN(20_000)))
	if _, err := r.h.pool.Accept(tx); err == nil {
		r.add(tx, nil)
		r.counts["accept"]++
	} else {
		r.counts[RejectReason(err)]++
	}
}

func (r *randomOps) replace() {
	ids := r.h.pool.TxIDs()
	if len(ids) == 0 {
		return
	}
	victim := r.h.pool.Get(ids[r.rng.IntN(len(ids))])
	in := r.known[victim.TxIn[0].PrevOut]
	e, _ := r.h.pool.Entry(victim.TxHash())
	tx := r.h.spend([]*chaingen.SpendableOut{in}, 1, e.Fees.Descendant+int64(r.rng.IntN(3000)))
	if _, err := r.h.pool.Accept(tx); err == nil {
		r.add(tx, nil)
		r.counts["replace"]++
	} else {
		r.counts[RejectReason(err)]++
	}
}

func (r *randomOps) mine() {
	weight := consensus.MaxBlockWeight - 4000
	if r.rng.IntN(2) == 0 {
		weight = r.rng.IntN(5000)
	}
	r.h.mine(txsOf(r.h.pool.SelectForBlock(weight))...)
	r.counts["mine"]++
}

func (r *randomOps) disconnect() {
	if r.h.chain.c.Tip.Height <= r.base {
		return
	}
	r.h.disconnect()
	r.counts["disconnect"]++
}

func (r *randomOps) pkg() {
	a := r.pick()
	if a == nil {
		return
	}
	p := r.h.spend([]*chaingen.SpendableOut{a}, 2, 1000)
	c := r.h.spend(outs(p)[:1], 1, int64(r.rng.IntN(3000)))
	res := r.h.pool.TestAccept([]*wire.Tx{p, c})
	r.counts["package:"+res[1].RejectReason]++
}
