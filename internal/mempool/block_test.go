package mempool

import (
	"slices"
	"testing"

	"github.com/ballast-chain/ballast/internal/chaingen"
	"github.com/ballast-chain/ballast/internal/wire"
)

func TestBlockConnectedAndReorg(t *testing.T) {
	h := newHarness(t, Config{})
	x, y, z := h.out(), h.out(), h.out()
	a := h.spend(ins(x), 2, 1000)
	c := h.spend(outs(a)[:1], 1, 1000) // a's child stays when a confirms
	d := h.spend(ins(y), 1, 1000)
	g := h.spend(outs(d), 1, 1000) // d's child goes with d
	e := h.spend(ins(z), 1, 1000)
	for _, tx := range []*wire.Tx{a, c, d, g, e} {
		h.mustAccept(tx)
	}
	d2 := h.spend(ins(y), 1, 500) // a block's rival spend of y
	tOnly := h.spend(ins(h.out()), 1, 1000)
	blk := h.mine(a, d2, tOnly)

	for _, gone := range []*wire.Tx{a, d, g} {
		if h.pool.Has(gone.TxHash()) {
			t.Fatalf("%s still in the pool after the block", gone.TxHash())
		}
	}
	ce, ok := h.pool.Entry(c.TxHash())
	if !ok || ce.AncestorCount != 1 || len(ce.Depends) != 0 || ce.Fees.Ancestor != 1000 || !h.pool.Has(e.TxHash()) {
		t.Fatalf("child of a confirmed tx: %+v", ce)
	}
	// Transactions accepted on top of the block: a spend of the block's
	// tOnly, and one whose lock time is final only at this height.
	onT := h.spend(outs(tOnly), 1, 1000)
	h.mustAccept(onT)
	v := h.out()
	tip := uint32(h.chain.c.Tip.Height)
	timed := h.build(ins(v), []wire.TxOut{h.pay(v.Out.Value - 1000)}, func(tx *wire.Tx) {
		tx.LockTime, tx.TxIn[0].Sequence = tip, 0xfffffffe
	})
	h.mustAccept(timed)
	// A spend of a coinbase that is mature for the next block only.
	cb := h.g.Coinbases[h.chain.c.Tip.Height+1-h.p.CoinbaseMaturity]
	young := h.spend([]*chaingen.SpendableOut{cb}, 1, 1000)
	h.mustAccept(young)

	if got := h.disconnect(); got.BlockHash() != blk.BlockHash() {
		t.Fatal("disconnected the wrong block")
	}
	// The block's transactions are back, linked to their pool children;
	// what no longer fits is gone.
	for _, back := range []*wire.Tx{a, d2, tOnly, c, e, onT} {
		if !h.pool.Has(back.TxHash()) {
			t.Fatalf("%s missing after the reorg", back.TxHash())
		}
	}
	for _, gone := range []*wire.Tx{timed, young} {
		if h.pool.Has(gone.TxHash()) {
			t.Fatalf("%s should have been dropped by the reorg", gone.TxHash())
		}
	}
	ce, _ = h.pool.Entry(c.TxHash())
	oe, _ := h.pool.Entry(onT.TxHash())
	if ce.AncestorCount != 2 || !slices.Equal(ce.Depends, txids(a)) || !slices.Equal(oe.Depends, txids(tOnly)) {
		t.Fatalf("links after the reorg: c %+v, onT %+v", ce, oe)
	}
	h.checkInvariants()

	// Connecting the block again puts the pool back.
	h.g.Accept(blk)
	h.connect(blk)
	for _, gone := range []*wire.Tx{a, d2, tOnly} {
		if h.pool.Has(gone.TxHash()) {
			t.Fatal("reconnected block's transactions still in the pool")
		}
	}
	h.checkInvariants()
}

// A non-standard transaction confirmed in a block does not come back.
func TestReorgDropsNonStandard(t *testing.T) {
	h := newHarness(t, Config{})
	dusty := h.build(ins(h.out()), []wire.TxOut{h.pay(1), h.pay(h.funds0Value() - 1000)}, nil)
	ok := h.spend(ins(h.out()), 1, 1000)
	h.mine(dusty, ok)
	h.disconnect()
	if h.pool.Has(dusty.TxHash()) || !h.pool.Has(ok.TxHash()) {
		t.Fatal("reorg re-add must apply standardness")
	}
}
