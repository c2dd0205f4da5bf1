package p2p

import (
	"context"
	"os"
	"runtime/pprof"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/ballast-chain/ballast/internal/chaingen"
	"github.com/ballast-chain/ballast/internal/params"
	"github.com/ballast-chain/ballast/internal/wire"
)

// syncWorkload is internal/chain's connect workload: setup blocks, then
// blocks of two-input, two-output signed transactions, inputs in all.
func syncWorkload(inputs int) (blocks []*wire.Block, txs, ins int) {
	p := params.Regtest()
	g := chaingen.NewGenerator(p, "connect-bench")
	for range p.CoinbaseMaturity + 1 {
		blocks = append(blocks, g.NextBlock(nil, chaingen.BlockOpts{}))
	}
	var outs []*chaingen.SpendableOut
	src := []*chaingen.SpendableOut{g.Coinbases[1]}
	var fan []*wire.Tx
	for len(outs) < inputs {
		tx := g.SpendTx(src, 2001, 0)
		o := chaingen.Outputs(tx, g.Tip.Height+1)
		fan = append(fan, tx)
		src, outs = o[:1], append(outs, o[1:]...)
		if len(fan) == 8 {
			blocks = append(blocks, g.NextBlock(fan, chaingen.BlockOpts{}))
			fan = nil
		}
	}
	if len(fan) > 0 {
		blocks = append(blocks, g.NextBlock(fan, chaingen.BlockOpts{}))
	}
	outs = outs[:inputs]
	for len(outs) >= 2 {
		var bt []*wire.Tx
		for len(bt) < 2000 && len(outs) >= 2 {
			bt = append(bt, g.SpendTx(outs[:2], 2, 0))
			outs = outs[2:]
		}
		blocks = append(blocks, g.NextBlock(bt, chaingen.BlockOpts{}))
	}
	for _, b := range blocks {
		txs += len(b.Transactions)
		for _, tx := range b.Transactions {
			if !tx.IsCoinBase() {
				ins += len(tx.TxIn)
			}
		}
	}
	return blocks, txs, ins
}

// BenchmarkInitialSync measures a new node's initial sync from one local
// peer over TCP (headers, parallel download, full validation with
// signatures): blocks, transactions and signed inputs per second. The input
// count comes from BALLAST_BENCH_INPUTS (default 20,000).
func BenchmarkInitialSync(b *testing.B) {
	inputs := 20_000
	if v, err := strconv.Atoi(os.Getenv("BALLAST_BENCH_INPUTS")); err == nil && v > 0 {
		inputs = v
	}
	blocks, txs, ins := syncWorkload(inputs)
	p := params.Regtest()
	src := newTestNode(b, p, "127.0.0.1", nil)
	for _, blk := range blocks {
		if _, err := src.chain.ProcessBlock(blk); err != nil {
			b.Fatal(err)
		}
	}
	want := src.chain.Tip().Hash
	// Let the serving node settle, as a node that has been running has: its
	// database compacts in the background for a while after the load, work
	// that would otherwise be counted to the sync (as btcd's baseline
	// waited for an idle machine).
	waitIdle(b, 30*time.Second)
	b.ReportAllocs()
	b.ResetTimer()
	var elapsed time.Duration
	cpu0 := cpuSeconds()
	if path := os.Getenv("BALLAST_BENCH_CPUPROFILE"); path != "" {
		// A profile of the syncs alone, not of the workload's signing.
		f, err := os.Create(path)
		if err != nil {
			b.Fatal(err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			b.Fatal(err)
		}
		defer func() {
			pprof.StopCPUProfile()
			f.Close()
		}()
	}
	for range b.N {
		b.StopTimer()
		start := time.Now()
		b.StartTimer()
		// The label marks the syncing node's goroutines in CPU profiles
		// (go tool pprof -tagfocus node=dst).
		pprof.Do(context.Background(), pprof.Labels("node", "dst"), func(context.Context) {
			dst := newTestNode(b, p, "127.0.0.2", func(c *Config) { c.Connect = []string{src.addr} })
			for dst.chain.Tip().Hash != want {
				time.Sleep(2 * time.Millisecond)
			}
		})
		b.StopTimer()
		elapsed += time.Since(start)
		b.StartTimer()
	}
	// Both nodes' CPU (the peer serving the blocks included), and the
	// syncing node's set-up and shutdown.
	b.ReportMetric((cpuSeconds()-cpu0)/float64(b.N), "cpu-s/sync")
	s := elapsed.Seconds() / float64(b.N)
	b.ReportMetric(float64(len(blocks))/s, "blocks/s")
	b.ReportMetric(float64(txs)/s, "txs/s")
	b.ReportMetric(float64(ins)/s, "inputs/s")
	b.ReportMetric(s, "s/sync")
}

func cpuSeconds() float64 {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}

// waitIdle waits, at most limit, until the process uses less than 5% of a
// core over a 250 ms window.
func waitIdle(b *testing.B, limit time.Duration) {
	const window = 250 * time.Millisecond
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		c0 := cpuSeconds()
		time.Sleep(window)
		if cpuSeconds()-c0 < 0.05*window.Seconds() {
			return
		}
	}
	b.Logf("the serving node did not settle in %v", limit)
}
