package chain

import (
	"os"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/ballast-chain/ballast/internal/chaingen"
	"github.com/ballast-chain/ballast/internal/params"
	"github.com/ballast-chain/ballast/internal/secp256k1"
	"github.com/ballast-chain/ballast/internal/store"
	"github.com/ballast-chain/ballast/internal/wire"
)

// connectWorkload builds a regtest chain whose last blocks are full of
// two-input, two-output signed transactions: setup blocks (maturity and
// fan-out) and the measured blocks, with inputs signed inputs in total.
func connectWorkload(tb testing.TB, inputs int) (setup, measured []*wire.Block) {
	p := params.Regtest()
	g := chaingen.NewGenerator(p, "connect-bench")
	for range p.CoinbaseMaturity + 1 {
		setup = append(setup, g.NextBlock(nil, chaingen.BlockOpts{}))
	}
	// Fan out: chained transactions of 2,000 outputs each.
	var outs []*chaingen.SpendableOut
	src := []*chaingen.SpendableOut{g.Coinbases[1]}
	var fan []*wire.Tx
	for len(outs) < inputs {
		tx := g.SpendTx(src, 2001, 0)
		o := chaingen.Outputs(tx, g.Tip.Height+1)
		fan = append(fan, tx)
		src, outs = o[:1], append(outs, o[1:]...)
		if len(fan) == 8 { // ~2.7 MWU per block
			setup = append(setup, g.NextBlock(fan, chaingen.BlockOpts{}))
			fan = nil
			for i := range outs {
				outs[i].Height = g.Tip.Height
			}
		}
	}
	if len(fan) > 0 {
		setup = append(setup, g.NextBlock(fan, chaingen.BlockOpts{}))
	}
	outs = outs[:inputs]
	const perBlock = 2000 // transactions, 4,000 signed inputs
	for len(outs) > 0 {
		var txs []*wire.Tx
		for len(txs) < perBlock && len(outs) >= 2 {
			txs = append(txs, g.SpendTx(outs[:2], 2, 0))
			outs = outs[2:]
		}
		measured = append(measured, g.NextBlock(txs, chaingen.BlockOpts{}))
		if len(outs) < 2 {
			break
		}
	}
	return setup, measured
}

func cpuSeconds() float64 {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}

func peakRSSMiB() float64 {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return float64(ru.Maxrss) / 1024 // Linux reports KiB
}

// BenchmarkConnectBlocks connects blocks full of two-input, two-output
// Schnorr transactions into an empty data directory and reports signed
// inputs per second, CPU seconds and peak RSS. The input count comes from
// BALLAST_BENCH_INPUTS (default 20,000; `make bench-node` uses 200,000).
func BenchmarkConnectBlocks(b *testing.B) {
	inputs := 20_000
	if v, err := strconv.Atoi(os.Getenv("BALLAST_BENCH_INPUTS")); err == nil && v > 0 {
		inputs = v
	}
	setup, measured := connectWorkload(b, inputs)
	b.ReportAllocs()
	var elapsed time.Duration
	var cpu float64
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		db, err := store.Open(store.Config{Dir: b.TempDir()})
		if err != nil {
			b.Fatal(err)
		}
		// The node's verifier: libsecp256k1 when built with its tag. No
		// signature cache: a node syncing blocks has seen none of them.
		cfg := Config{DB: db, Params: params.Regtest()}
		if v, err := secp256k1.NewVerifier(); err == nil {
			cfg.Verify.Verifier = v
		}
		c, err := Open(cfg)
		if err != nil {
			b.Fatal(err)
		}
		for _, blk := range setup {
			if _, err := c.ProcessBlock(blk); err != nil {
				b.Fatal(err)
			}
		}
		cpu0 := cpuSeconds()
		start := time.Now()
		b.StartTimer()
		for _, blk := range measured {
			if out, err := c.ProcessBlock(blk); err != nil || out != Connected {
				b.Fatalf("%v %v", out, err)
			}
		}
		b.StopTimer()
		elapsed += time.Since(start)
		cpu += cpuSeconds() - cpu0
		db.Close()
		b.StartTimer()
	}
	n := float64(b.N)
	b.ReportMetric(float64(inputs)*n/elapsed.Seconds(), "inputs/s")
	b.ReportMetric(cpu/n, "cpu-s/op")
	b.ReportMetric(peakRSSMiB(), "peak-RSS-MiB")
}
