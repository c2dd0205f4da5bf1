package mempool

import (
	"testing"
	"time"

	"github.com/ballast-chain/ballast/internal/wire"
)

// full accepts txs and then sets the size limit to exactly the pool's
// usage, so the next acceptance must evict.
func (h *harness) full(txs ...*wire.Tx) {
	for _, tx := range txs {
		h.mustAccept(tx)
	}
	h.pool.mu.Lock()
	h.pool.cfg.MaxUsage = h.pool.usage
	h.pool.mu.Unlock()
}

func TestEvictionAndRollingMinFee(t *testing.T) {
	h := newHarness(t, Config{})
	low := h.spend(ins(h.out()), 1, 10*keySpendVSize) // 10,000 per kvB
	h.full(low, h.spend(ins(h.out()), 1, 20*keySpendVSize), h.spend(ins(h.out()), 1, 30*keySpendVSize))
	h.mustAccept(h.spend(ins(h.out()), 1, 40*keySpendVSize))
	if h.pool.Has(low.TxHash()) || h.pool.Count() != 3 {
		t.Fatalf("the lowest fee rate was not evicted (count %d)", h.pool.Count())
	}
	// The rolling minimum is the evicted package's rate plus the
	// incremental relay fee.
	if got := h.pool.Info().MempoolMinFee; got != 11_000 {
		t.Fatalf("mempool min fee %d, want 11000", got)
	}
	h.mustReject(h.spend(ins(h.out()), 1, 11*keySpendVSize-1), "mempool min fee not met")
	// Without a block the minimum does not decay.
	h.clock.advance(48 * time.Hour)
	if got := h.pool.Info().MempoolMinFee; got != 11_000 {
		t.Fatalf("decayed without a block: %d", got)
	}
	// After a block it halves every 12 hours (the pool is at least half
	// full), and drops to zero below half the incremental fee.
	h.mine()
	h.clock.advance(12 * time.Hour)
	if got := h.pool.Info().MempoolMinFee; got != 5500 {
		t.Fatalf("after 12 h: %d, want 5500", got)
	}
	h.clock.advance(48 * time.Hour)
	if got := h.pool.Info().MempoolMinFee; got != DefaultMinRelayFeeRate {
		t.Fatalf("after 60 h: %d, want the relay minimum", got)
	}
	h.pool.mu.Lock()
	defer h.pool.mu.Unlock()
	if h.pool.rollingMinFee != 0 {
		t.Fatalf("rolling minimum %v, want 0", h.pool.rollingMinFee)
	}
}

// A transaction evicted as soon as it enters is refused with "mempool full".
func TestMempoolFull(t *testing.T) {
	h := newHarness(t, Config{})
	h.full(h.spend(ins(h.out()), 1, 20*keySpendVSize), h.spend(ins(h.out()), 1, 30*keySpendVSize))
	lowest := h.spend(ins(h.out()), 1, 5*keySpendVSize)
	h.mustReject(lowest, "mempool full")
	if h.pool.Has(lowest.TxHash()) || h.pool.Count() != 2 {
		t.Fatal("pool changed")
	}
	if got := h.pool.Info().MempoolMinFee; got != 6000 {
		t.Fatalf("min fee %d, want 6000", got)
	}
}

// Eviction goes by descendant score: a parent carried by a high-fee child
// outlives an unrelated transaction paying more than the parent alone.
func TestEvictionKeepsCPFPPackages(t *testing.T) {
	h := newHarness(t, Config{})
	p := h.spend(ins(h.out()), 1, keySpendVSize)
	c := h.spend(outs(p), 1, 50*keySpendVSize)
	u := h.spend(ins(h.out()), 1, 10*keySpendVSize)
	h.full(p, c, u)
	h.mustAccept(h.spend(ins(h.out()), 1, 30*keySpendVSize))
	if !h.pool.Has(p.TxHash()) || !h.pool.Has(c.TxHash()) || h.pool.Has(u.TxHash()) {
		t.Fatal("evicted the wrong transaction")
	}
	// Next the package goes, parent and child together, at the package's
	// rate: (111 + 5550) / 222 vB.
	h.mustAccept(h.spend(ins(h.out()), 1, 40*keySpendVSize))
	if h.pool.Has(p.TxHash()) || h.pool.Has(c.TxHash()) {
		t.Fatal("package not evicted")
	}
	if got := h.pool.Info().MempoolMinFee; got != 25_500+1000 {
		t.Fatalf("min fee %d", got)
	}
}

func TestExpiry(t *testing.T) {
	h := newHarness(t, Config{})
	a := h.spend(ins(h.out()), 1, 1000)
	h.mustAccept(a)
	child := h.spend(outs(a), 1, 1000)
	h.clock.advance(300 * time.Hour)
	h.mustAccept(child) // young, but its parent is old
	b := h.spend(ins(h.out()), 1, 1000)
	h.mustAccept(b)
	h.clock.advance(36 * time.Hour)
	if n := h.pool.Expire(h.clock.Now()); n != 0 {
		t.Fatalf("expired %d at exactly 336 h", n)
	}
	h.clock.advance(time.Second)
	if n := h.pool.Expire(h.clock.Now()); n != 2 || h.pool.Has(a.TxHash()) || h.pool.Has(child.TxHash()) || !h.pool.Has(b.TxHash()) {
		t.Fatalf("expired %d; want the old parent and its child only", n)
	}
	h.checkInvariants()
	// Acceptance expires on its own too.
	h.clock.advance(337 * time.Hour)
	h.mustAccept(h.spend(ins(h.out()), 1, 1000))
	if h.pool.Has(b.TxHash()) {
		t.Fatal("acceptance did not expire old transactions")
	}
}
