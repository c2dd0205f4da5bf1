package consensus_test

import (
	"fmt"
	"runtime"
	"testing"

	"github.com/ballast-chain/ballast/internal/chaingen"
	"github.com/ballast-chain/ballast/internal/consensus"
	"github.com/ballast-chain/ballast/internal/params"
	"github.com/ballast-chain/ballast/internal/wire"
)

// benchChain returns a chain and a block of n one-input, one-output signed
// transactions ready to connect on top of it.
func benchChain(tb testing.TB, n int) (*chaingen.Chain, *wire.Block) {
	p := params.Regtest()
	g := chaingen.NewGenerator(p, "bench")
	c := chaingen.NewChain(p)
	for range p.CoinbaseMaturity + 1 {
		if err := c.ProcessBlock(g.NextBlock(nil, chaingen.BlockOpts{})); err != nil {
			tb.Fatal(err)
		}
	}
	// Fan a coinbase out into n outputs, 2,000 per transaction (weight).
	var fan []*wire.Tx
	src := []*chaingen.SpendableOut{g.Coinbases[1]}
	for left := n; left > 0; {
		k := min(left, 2000) + 1 // one output carries the rest on
		tx := g.SpendTx(src, k, 0)
		fan = append(fan, tx)
		outs := chaingen.Outputs(tx, c.Tip.Height+1)
		src = outs[:1]
		left -= k - 1
	}
	if err := c.ProcessBlock(g.NextBlock(fan, chaingen.BlockOpts{})); err != nil {
		tb.Fatal(err)
	}
	var spends []*wire.Tx
	for _, tx := range fan {
		for _, o := range chaingen.Outputs(tx, c.Tip.Height)[1:] {
			spends = append(spends, g.SpendTx([]*chaingen.SpendableOut{o}, 1, 0))
		}
	}
	blk := g.NextBlock(spends[:n], chaingen.BlockOpts{})
	return c, blk
}

// BenchmarkValidateBlock4000 fully validates a block of 4,000 one-input
// transactions: sanity, position, and connection with every signature
// verified, against a fresh UTXO view each time.
func BenchmarkValidateBlock4000(b *testing.B) {
	const n = 4000
	c, blk := benchChain(b, n)
	for _, workers := range []int{1, runtime.GOMAXPROCS(0)} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				cb := consensus.NewBlock(blk)
				if err := consensus.CheckBlockSanity(cb, c.Params); err != nil {
					b.Fatal(err)
				}
				if err := consensus.CheckBlockPositional(cb, &c.Tip); err != nil {
					b.Fatal(err)
				}
				view := consensus.NewUtxoView(c.Utxos)
				if _, err := consensus.ConnectBlock(cb, &c.Tip, view, c.Params, c.MedianTime, consensus.Options{Workers: workers}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "tx/s")
		})
	}
}

// BenchmarkBlockSanity4000 isolates the checks that need no context.
func BenchmarkBlockSanity4000(b *testing.B) {
	c, blk := benchChain(b, 4000)
	b.ReportAllocs()
	for b.Loop() {
		if err := consensus.CheckBlockSanity(consensus.NewBlock(blk), c.Params); err != nil {
			b.Fatal(err)
		}
	}
}
