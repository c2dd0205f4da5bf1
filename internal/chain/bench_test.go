package chain

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ballast-chain/ballast/internal/chaingen"
	"github.com/ballast-chain/ballast/internal/offheap"
	"github.com/ballast-chain/ballast/internal/params"
	"github.com/ballast-chain/ballast/internal/secp256k1"
	"github.com/ballast-chain/ballast/internal/sigcache"
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

// startMeasuredProfile writes a CPU profile of the measured part alone (not
// the workload's generation, which signs every input) to the file named by
// BALLAST_BENCH_CPUPROFILE, if set.
func startMeasuredProfile(tb testing.TB) (stop func()) {
	path := os.Getenv("BALLAST_BENCH_CPUPROFILE")
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		tb.Fatal(err)
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}
}

func cpuSeconds() float64 {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}

// workloadFile writes blocks to a block file (WriteBlockRecord), so a
// benchmark can stream them instead of holding them all in memory.
func workloadFile(tb testing.TB, path string, blocks []*wire.Block) {
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	magic := params.Regtest().Magic
	for _, blk := range blocks {
		if err := WriteBlockRecord(w, magic, blk); err != nil {
			tb.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		tb.Fatal(err)
	}
	if err := f.Close(); err != nil {
		tb.Fatal(err)
	}
}

// streamBlocks decodes the blocks of a workload file one at a time and
// hands each to fn.
func streamBlocks(tb testing.TB, path string, fn func(*wire.Block)) {
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 1<<20)
	var hdr [8]byte
	for {
		if _, err := io.ReadFull(r, hdr[:]); err == io.EOF {
			return
		} else if err != nil {
			tb.Fatal(err)
		}
		raw := make([]byte, binary.LittleEndian.Uint32(hdr[4:]))
		if _, err := io.ReadFull(r, raw); err != nil {
			tb.Fatal(err)
		}
		blk, err := wire.DecodeBlock(raw)
		if err != nil {
			tb.Fatal(err)
		}
		fn(blk)
	}
}

// connectWorkloadFiles generates the workload once per process into two
// files (setup and measured blocks), or reuses the directory named by
// BALLAST_BENCH_WORKLOAD when it already holds them (the same input count
// must be asked for: the file names carry it).
func connectWorkloadFiles(tb testing.TB, inputs int) (setup, measured string) {
	dir := os.Getenv("BALLAST_BENCH_WORKLOAD")
	if dir == "" {
		dir = tb.TempDir()
	}
	setup = filepath.Join(dir, fmt.Sprintf("connect-%d-setup.dat", inputs))
	measured = filepath.Join(dir, fmt.Sprintf("connect-%d-measured.dat", inputs))
	if _, err := os.Stat(measured); err == nil {
		if _, err := os.Stat(setup); err == nil {
			return setup, measured
		}
	}
	s, m := connectWorkload(tb, inputs)
	workloadFile(tb, setup, s)
	workloadFile(tb, measured, m)
	return setup, measured
}

// resetPeakRSS returns the heap the workload's generation used to the
// kernel and restarts the kernel's high-water mark of resident memory, so
// the peak reported covers the node's work alone.
func resetPeakRSS() {
	debug.FreeOSMemory()
	_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
}

// peakRSSMiB returns the process's resident high-water mark (VmHWM) since
// the last resetPeakRSS.
func peakRSSMiB() float64 {
	raw, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kib, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
			return kib / 1024
		}
	}
	return 0
}

// BenchmarkConnectBlocks connects blocks full of two-input, two-output
// Schnorr transactions into an empty data directory and reports signed
// inputs per second, CPU seconds and the peak resident memory of the
// node's work. The blocks are streamed from a file and decoded one at a
// time, so the workload does not sit in the measured memory. The input
// count comes from BALLAST_BENCH_INPUTS (default 20,000; `make bench-node`
// uses 200,000).
//
// Both runs use the node's verifier (libsecp256k1 when built with its tag)
// and an empty signature cache, as a syncing node has. "submitblock"
// connects each block as it is decoded, durably (ProcessBlock, one disk
// flush per block), as blocks submitted one by one are. "loadblock" imports
// the block file as `ballast node -loadblock` does (ImportBlocks: the
// initial sync's way, reading ahead, preverifying each block two blocks
// before it is connected, connecting lazily, flushing every second and once
// at the end, inside the measured time).
func BenchmarkConnectBlocks(b *testing.B) {
	inputs := 20_000
	if v, err := strconv.Atoi(os.Getenv("BALLAST_BENCH_INPUTS")); err == nil && v > 0 {
		inputs = v
	}
	setup, measured := connectWorkloadFiles(b, inputs)
	for _, load := range []bool{false, true} {
		name := "submitblock"
		if load {
			name = "loadblock"
		}
		b.Run(name, func(b *testing.B) { benchConnect(b, inputs, setup, measured, load) })
	}
}

func benchConnect(b *testing.B, inputs int, setup, measured string, load bool) {
	b.ReportAllocs()
	var elapsed time.Duration
	var cpu, peak float64
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		db, err := store.Open(store.Config{Dir: b.TempDir()})
		if err != nil {
			b.Fatal(err)
		}
		var salt [32]byte
		_, _ = rand.Read(salt[:])
		cfg := Config{DB: db, Params: params.Regtest()}
		table, err := offheap.Make[sigcache.Bucket](sigcache.Buckets(sigcache.DefaultMaxBytes))
		if err != nil {
			b.Fatal(err)
		}
		cfg.Verify.SigCache = sigcache.NewWithTable(salt, table) // as internal/node/verify.go
		if v, err := secp256k1.NewVerifier(); err == nil {
			cfg.Verify.Verifier = v
		}
		c, err := Open(cfg)
		if err != nil {
			b.Fatal(err)
		}
		streamBlocks(b, setup, func(blk *wire.Block) {
			if _, err := c.ProcessBlock(blk); err != nil {
				b.Fatal(err)
			}
		})
		resetPeakRSS()
		stopProfile := startMeasuredProfile(b)
		cpu0 := cpuSeconds()
		start := time.Now()
		b.StartTimer()
		connect := func(blk *wire.Block) {
			if out, err := c.ProcessBlock(blk); err != nil || out != Connected {
				b.Fatalf("%v %v", out, err)
			}
		}
		if !load {
			streamBlocks(b, measured, connect)
		} else {
			f, err := os.Open(measured)
			if err != nil {
				b.Fatal(err)
			}
			st, err := c.ImportBlocks(context.Background(), f)
			f.Close()
			if err != nil || st.Connected != st.Blocks || st.Blocks == 0 {
				b.Fatalf("import: %+v, %v", st, err)
			}
		}
		b.StopTimer()
		stopProfile()
		elapsed += time.Since(start)
		cpu += cpuSeconds() - cpu0
		peak = max(peak, peakRSSMiB())
		c.Close()
		db.Close()
		b.StartTimer()
	}
	n := float64(b.N)
	b.ReportMetric(float64(inputs)*n/elapsed.Seconds(), "inputs/s")
	b.ReportMetric(cpu/n, "cpu-s/op")
	b.ReportMetric(peak, "peak-RSS-MiB")
}
