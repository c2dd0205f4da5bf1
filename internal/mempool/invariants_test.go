package mempool

import (
	"testing"

	"github.com/ballast-chain/ballast/internal/wire"
)

// The invariant checker must catch each kind of corruption it claims to.
func TestInvariantsDetectCorruption(t *testing.T) {
	corruptions := map[string]func(p *Pool, parent, child *txEntry){
		"ancestor count": func(p *Pool, parent, child *txEntry) { child.ancCount++ },
		"descendant fee": func(p *Pool, parent, child *txEntry) { parent.descFee-- },
		"ancestor size":  func(p *Pool, parent, child *txEntry) { child.ancSize = 0 },
		"missing link":   func(p *Pool, parent, child *txEntry) { child.parents = nil },
		"one-sided link": func(p *Pool, parent, child *txEntry) { parent.children = nil },
		"spent index":    func(p *Pool, parent, child *txEntry) { delete(p.spent, child.tx.TxIn[0].PrevOut) },
		"double spend":   func(p *Pool, parent, child *txEntry) { p.spent[wire.OutPoint{Index: 7}] = child },
		"wtxid index":    func(p *Pool, parent, child *txEntry) { delete(p.wtxids, child.wtxid) },
		"usage total":    func(p *Pool, parent, child *txEntry) { p.usage++ },
		"fee total":      func(p *Pool, parent, child *txEntry) { p.totalFee-- },
		"heap index": func(p *Pool, parent, child *txEntry) {
			parent.evictIdx, child.evictIdx = child.evictIdx, parent.evictIdx
		},
		"input in nowhere": func(p *Pool, parent, child *txEntry) { parent.tx.TxIn[0].PrevOut.Index = 999 },
	}
	for name, corrupt := range corruptions {
		h := newHarness(t, Config{})
		ptx := h.spend(ins(h.out()), 2, 1000)
		h.mustAccept(ptx)
		h.mustAccept(h.spend(outs(ptx)[:1], 1, 1000))
		p := h.pool
		p.mu.Lock()
		parent := p.txs[ptx.TxHash()]
		corrupt(p, parent, parent.children[0])
		if err := p.verifyInvariants(); err == nil {
			t.Errorf("%s: not detected", name)
		}
		p.mu.Unlock()
	}
}

func TestFeeRateArithmetic(t *testing.T) {
	for _, c := range []struct {
		rate  FeeRate
		vsize int64
		want  int64
	}{{1000, 111, 111}, {3000, 98, 294}, {1500, 1, 2}, {1, 1, 1}, {0, 100, 0}, {1 << 62, 1 << 40, 1<<63 - 1}} {
		if got := c.rate.Fee(c.vsize); got != c.want {
			t.Errorf("%d.Fee(%d) = %d, want %d", c.rate, c.vsize, got, c.want)
		}
	}
	if rateOf(111, 111) != 1000 || rateOf(1, 3) != 333 || cmpRate(1<<62, 3, 1<<62, 2) != -1 || cmpRate(2, 4, 1, 2) != 0 {
		t.Error("rateOf or cmpRate")
	}
	key := wire.TxOut{Value: 1, Lock: wire.KeyLock([32]byte{})}
	if got := DustThreshold(&key, DefaultDustRelayFeeRate); got != 294 {
		t.Errorf("dust threshold of a key-lock output: %d, want 294", got)
	}
}
