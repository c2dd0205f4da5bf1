package p2p

import (
	"net/netip"
	"testing"
	"time"

	"github.com/ballast-chain/ballast/internal/chaingen"
	"github.com/ballast-chain/ballast/internal/chainhash"
	"github.com/ballast-chain/ballast/internal/params"
	"github.com/ballast-chain/ballast/internal/wire"
)

// buildChain feeds n generated blocks to node a and returns the generator.
func buildChain(t testing.TB, a *testNode, n int) *chaingen.Generator {
	t.Helper()
	g := chaingen.NewGenerator(a.chain.Params(), "p2p-test")
	for range n {
		if _, err := a.chain.ProcessBlock(g.NextBlock(nil, chaingen.BlockOpts{})); err != nil {
			t.Fatal(err)
		}
	}
	return g
}

// TestHeadersFirstSyncAndRelay: a new node syncs 2,100 blocks (more than one
// headers message) from two peers, then follows a new block and relays a
// transaction.
func TestHeadersFirstSyncAndRelay(t *testing.T) {
	p := params.Regtest()
	a := newTestNode(t, p, "127.0.0.1", nil)
	g := buildChain(t, a, 2100)
	a2 := newTestNode(t, p, "127.0.0.2", nil)
	for _, blk := range chainBlocks(t, a) {
		if _, err := a2.chain.ProcessBlock(blk); err != nil {
			t.Fatal(err)
		}
	}
	b := newTestNode(t, p, "127.0.0.3", func(c *Config) { c.Connect = []string{a.addr, a2.addr} })
	waitFor(t, 60*time.Second, "sync", func() bool { return b.chain.Tip().Hash == a.chain.Tip().Hash })
	// chaingen timestamps are old, so the tip-age rule keeps IBD on.
	if h, _, prog := b.srv.SyncState(); h != 2100 || prog != 1 {
		t.Fatalf("SyncState = %d %v", h, prog)
	}
	// Bytes by node (each listens, and dials, from its own IP), not by
	// connection: both a and a2 must have served a good share of the blocks.
	recv := make(map[string]uint64)
	for _, pi := range b.srv.Peers() {
		ap, err := netip.ParseAddrPort(pi.Addr)
		if err != nil {
			t.Fatal(err)
		}
		recv[ap.Addr().String()] += pi.BytesRecv
	}
	for _, n := range []*testNode{a, a2} {
		ip := netip.MustParseAddrPort(n.addr).Addr().String()
		if recv[ip] <= 100<<10 {
			t.Errorf("%s served %d bytes, want blocks from both peers (by node: %v)", ip, recv[ip], recv)
		}
	}
	if n := len(b.srv.Peers()); n != 2 {
		t.Errorf("b has %d connections, want one to each peer", n)
	}

	// A new block on a reaches b by announcement.
	blk := g.NextBlock(nil, chaingen.BlockOpts{})
	if _, err := a.chain.ProcessBlock(blk); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 10*time.Second, "new block", func() bool { return b.chain.Tip().Hash == blk.BlockHash() })

	// A transaction accepted by b's pool reaches a and a2; its child sent
	// first to a2 waits in the orphan pool until the parent arrives.
	spend := g.SpendTx([]*chaingen.SpendableOut{g.Coinbases[1]}, 2, 10_000)
	child := g.SpendTx(chaingen.Outputs(spend, 0)[:1], 1, 10_000)
	a2.srv.rel.handleTx(&peer{s: a2.srv, knownTxs: map[chainhash.Hash]struct{}{}}, child)
	if a2.srv.OrphanTxs() != 1 {
		t.Fatalf("orphans %d, want 1", a2.srv.OrphanTxs())
	}
	if _, err := b.pool.Accept(spend); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 10*time.Second, "tx relay", func() bool {
		return a.pool.Has(spend.TxHash()) && a2.pool.Has(spend.TxHash()) && a2.pool.Has(child.TxHash())
	})
	if a2.srv.OrphanTxs() != 0 {
		t.Fatalf("orphan not resolved")
	}
	waitFor(t, 10*time.Second, "child relay", func() bool { return b.pool.Has(child.TxHash()) })
}

func chainBlocks(t testing.TB, n *testNode) []*wire.Block {
	t.Helper()
	var out []*wire.Block
	for h := int32(1); h <= n.chain.Tip().Height; h++ {
		hash, _ := n.chain.BlockHash(h)
		b, err := n.chain.Block(hash)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}
