package p2p

import (
	"testing"
	"time"

	"github.com/ballast-chain/ballast/internal/chaingen"
	"github.com/ballast-chain/ballast/internal/params"
	"github.com/ballast-chain/ballast/internal/wire"
)

// TestCompactBlockRelay: a block whose transactions b's mempool holds is
// rebuilt from a cmpctblock alone; one with a transaction b never saw takes
// one getblocktxn/blocktxn round trip; neither is fetched whole.
func TestCompactBlockRelay(t *testing.T) {
	p := params.Regtest()
	a := newTestNode(t, p, "127.0.0.1", nil)
	g := buildChain(t, a, int(p.CoinbaseMaturity)+10)
	b := newTestNode(t, p, "127.0.0.2", func(c *Config) { c.Connect = []string{a.addr} })
	waitFor(t, 30*time.Second, "sync", func() bool { return b.chain.Tip().Hash == a.chain.Tip().Hash })
	waitFor(t, 5*time.Second, "compact negotiation", func() bool {
		for _, q := range a.srv.established() {
			if q.cmpctHB.Load() {
				return true
			}
		}
		return false
	})

	next := 1 // the next coinbase to spend, by height
	mine := func(shared, private int) *wire.Block {
		t.Helper()
		var txs []*wire.Tx
		for i := range shared + private {
			tx := g.SpendTx([]*chaingen.SpendableOut{g.Coinbases[next]}, 2, 10_000)
			next++
			txs = append(txs, tx)
			if i < shared {
				if _, err := a.pool.Accept(tx); err != nil {
					t.Fatal(err)
				}
			}
		}
		waitFor(t, 10*time.Second, "mempool relay", func() bool {
			for _, tx := range txs[:shared] {
				if !b.pool.Has(tx.TxHash()) {
					return false
				}
			}
			return true
		})
		blk := g.NextBlock(txs, chaingen.BlockOpts{Fees: int64(len(txs)) * 10_000})
		if _, err := a.chain.ProcessBlock(blk); err != nil {
			t.Fatal(err)
		}
		waitFor(t, 10*time.Second, "block", func() bool { return b.chain.Tip().Hash == blk.BlockHash() })
		return blk
	}
	mine(5, 0)
	if r, x, f := b.srv.cmpctRebuilt.Load(), b.srv.cmpctWithTxn.Load(), b.srv.cmpctFallback.Load(); r != 1 || x != 0 || f != 0 {
		t.Fatalf("shared block: rebuilt %d, with blocktxn %d, fallback %d; want 1 0 0", r, x, f)
	}
	mine(3, 2)
	if r, x, f := b.srv.cmpctRebuilt.Load(), b.srv.cmpctWithTxn.Load(), b.srv.cmpctFallback.Load(); r != 1 || x != 1 || f != 0 {
		t.Fatalf("partly shared block: rebuilt %d, with blocktxn %d, fallback %d; want 1 1 0", r, x, f)
	}
	// The chain tells the mempool about a block after its tip has moved, so
	// the confirmed transactions leave b's pool shortly after the block.
	waitFor(t, 10*time.Second, "confirmed transactions to leave the mempool", func() bool { return b.pool.Count() == 0 })
	// Each block crossed exactly one connection: neither node dialed the
	// other back after learning its address.
	if n, m := len(a.srv.established()), len(b.srv.established()); n != 1 || m != 1 {
		t.Errorf("connections: a %d, b %d; want 1 each", n, m)
	}
}
