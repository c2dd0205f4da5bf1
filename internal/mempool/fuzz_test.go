package mempool

import (
	"testing"

	"github.com/ballast-chain/ballast/internal/consensus"
	"github.com/ballast-chain/ballast/internal/wire"
)

// FuzzAccept feeds arbitrary decoded transactions to a pool over a real
// chain. Nothing may panic, every rejection must carry a reject string, and
// the pool's invariants must hold after each call. The seeds are valid
// spends, chained spends and replacements, so mutations start from
// transactions that get deep into the checks.
func FuzzAccept(f *testing.F) {
	h := newHarness(f, Config{MaxUsage: 20_000})
	a := h.spend(ins(h.out()), 2, 1000)
	child := h.spend(outs(a)[:1], 1, 1000)
	replacement := h.spend(ins(h.inputOf(a)), 1, 5000)
	policyLocked, _ := sameTxidOtherWitness(h) // accepts its funding transaction
	for _, tx := range []*wire.Tx{a, child, replacement, policyLocked, h.spend(ins(h.out(), h.out()), 3, 2000)} {
		f.Add(tx.Bytes())
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		tx, err := wire.DecodeTx(b)
		if err != nil {
			return
		}
		if _, err := h.pool.Accept(tx); err != nil && RejectReason(err) == "" {
			t.Fatalf("rejection without a reason: %v", err)
		}
		if r := h.pool.TestAccept([]*wire.Tx{tx}); !r[0].Allowed && r[0].RejectReason == "" {
			t.Fatalf("TestAccept without a reason: %+v", r[0])
		}
		h.pool.SelectForBlock(consensus.MaxBlockWeight)
		h.pool.mu.Lock()
		defer h.pool.mu.Unlock()
		if err := h.pool.verifyInvariants(); err != nil {
			t.Fatal(err)
		}
	})
}
