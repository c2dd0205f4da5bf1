package mempool

import (
	"slices"
	"testing"

	"github.com/ballast-chain/ballast/internal/chainhash"
	"github.com/ballast-chain/ballast/internal/consensus"
	"github.com/ballast-chain/ballast/internal/wire"
)

func ids(bt []BlockTx) []chainhash.Hash {
	var out []chainhash.Hash
	for _, b := range bt {
		out = append(out, b.TxID)
	}
	return out
}

func txids(txs ...*wire.Tx) []chainhash.Hash {
	var out []chainhash.Hash
	for _, tx := range txs {
		out = append(out, tx.TxHash())
	}
	return out
}

func txsOf(bt []BlockTx) []*wire.Tx {
	var out []*wire.Tx
	for _, b := range bt {
		out = append(out, b.Tx)
	}
	return out
}

// selectFixture: p pays the minimum relay fee and is carried by its child
// c1 (CPFP); c2 is p's second child, worth more on its own than with p; u
// and v are independent.
type selectFixture struct{ p, c1, c2, u, v *wire.Tx }

func newSelectFixture(h *harness) selectFixture {
	var f selectFixture
	f.p = h.spend(ins(h.out()), 2, 2*keySpendVSize+42)
	f.c1 = h.spend(outs(f.p)[:1], 1, 5000)
	f.c2 = h.spend(outs(f.p)[1:], 1, 1700)
	f.u = h.spend(ins(h.out()), 1, 2000)
	f.v = h.spend(ins(h.out()), 1, 1500)
	for _, tx := range []*wire.Tx{f.p, f.c1, f.c2, f.u, f.v} {
		h.mustAccept(tx)
	}
	return f
}

func TestSelectForBlockCPFP(t *testing.T) {
	h := newHarness(t, Config{})
	f := newSelectFixture(h)
	got := h.pool.SelectForBlock(consensus.MaxBlockWeight - 4000)
	// p+c1 (5,264 over 264 vB, 19.9/vB) beats u (18/vB); after them c2 alone
	// (15.3/vB) beats v (13.5/vB), though with p it would not have.
	want := txids(f.p, f.c1, f.u, f.c2, f.v)
	if !slices.Equal(ids(got), want) {
		t.Fatalf("order %v, want %v", ids(got), want)
	}
	for _, b := range got {
		e, _ := h.pool.Entry(b.TxID)
		if b.Fee != e.Fees.Base || b.Weight != e.Weight || b.SigChecks != 1 {
			t.Fatalf("block tx %+v, entry %+v", b, e)
		}
	}
	// The selection is a valid block for real consensus, and confirming it
	// empties the pool.
	h.mine(txsOf(got)...)
	if h.pool.Count() != 0 {
		t.Fatalf("%d left after mining the template", h.pool.Count())
	}
}

func TestSelectForBlockLimits(t *testing.T) {
	h := newHarness(t, Config{})
	f := newSelectFixture(h)
	pc := f.p.Weight() + f.c1.Weight()
	cases := []struct {
		name      string
		maxWeight int
		maxSigs   int
		want      []chainhash.Hash
	}{
		{"package fits exactly", pc, 100, txids(f.p, f.c1)},
		{"package one short", pc - 1, 100, txids(f.u, f.v)},
		{"signature checks", 1 << 30, 3, txids(f.p, f.c1, f.u)},
		{"nothing fits", 100, 100, nil},
	}
	for _, c := range cases {
		h.pool.mu.Lock()
		s := selector{p: h.pool, inBlock: map[*txEntry]bool{}, mod: map[*txEntry]*pkgRate{}}
		for _, e := range h.pool.txs {
			s.h = append(s.h, pkgItem{e: e, fee: e.ancFee, size: e.ancSize})
		}
		initHeap(&s.h)
		got := ids(s.run(c.maxWeight, c.maxSigs))
		h.pool.mu.Unlock()
		if !slices.Equal(got, c.want) {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}

// A low-fee chain under a high-fee tip is taken whole, parents first.
func TestSelectForBlockDeepPackage(t *testing.T) {
	h := newHarness(t, Config{})
	g := h.spend(ins(h.out()), 1, keySpendVSize)
	p := h.spend(outs(g), 1, keySpendVSize)
	c := h.spend(outs(p), 1, 50_000)
	u := h.spend(ins(h.out()), 1, 10_000)
	for _, tx := range []*wire.Tx{g, p, c, u} {
		h.mustAccept(tx)
	}
	got := ids(h.pool.SelectForBlock(consensus.MaxBlockWeight))
	if want := txids(g, p, c, u); !slices.Equal(got, want) {
		t.Fatalf("%v, want %v", got, want)
	}
}
