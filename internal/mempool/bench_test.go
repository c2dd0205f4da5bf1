package mempool

import (
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/ballast-chain/ballast/internal/chaingen"
	"github.com/ballast-chain/ballast/internal/consensus"
	"github.com/ballast-chain/ballast/internal/secp256k1"
	"github.com/ballast-chain/ballast/internal/wire"
)

// benchSpends returns n signed one-input, one-output key-lock spends of
// confirmed outputs.
func (h *harness) benchSpends(n int) []*wire.Tx {
	var txs []*wire.Tx
	for len(txs) < n {
		for _, o := range h.fund(min(n-len(txs), 2000)) {
			txs = append(txs, h.spend(ins(o), 1, 1000))
		}
	}
	return txs
}

// freshPool returns an empty pool verifying as the node does
// (internal/node/verify.go): libsecp256k1 when built with its tag.
func (h *harness) freshPool(b *testing.B) *Pool {
	cfg := Config{Now: h.clock.Now}
	if v, err := secp256k1.NewVerifier(); err == nil {
		opt := consensus.Options{Verifier: v}
		cfg.VerifySpends = func(tx *wire.Tx, prev []wire.TxOut) error { return consensus.VerifyTxSpendsWith(tx, prev, opt) }
	}
	p, err := New(cfg, h.chain, h.p)
	if err != nil {
		b.Fatal(err)
	}
	return p
}

// BenchmarkAccept measures full acceptance of a one-input key-lock spend,
// signature verification included, one at a time.
func BenchmarkAccept(b *testing.B) {
	h := newHarness(b, Config{})
	txs := h.benchSpends(2000)
	pool := h.freshPool(b)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		if i%len(txs) == 0 && i > 0 {
			b.StopTimer()
			pool = h.freshPool(b)
			b.StartTimer()
		}
		if _, err := pool.Accept(txs[i%len(txs)]); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "accepts/s")
}

// BenchmarkAcceptParallel submits a batch of 1,000 spends (one op) from
// GOMAXPROCS goroutines: signatures are verified outside the pool's lock.
func BenchmarkAcceptParallel(b *testing.B) {
	h := newHarness(b, Config{})
	txs := h.benchSpends(1000)
	workers := runtime.GOMAXPROCS(0)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		pool := h.freshPool(b)
		var next atomic.Int64
		var wg sync.WaitGroup
		for range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := next.Add(1) - 1; i < int64(len(txs)); i = next.Add(1) - 1 {
					if _, err := pool.Accept(txs[i]); err != nil {
						b.Error(err)
						return
					}
				}
			}()
		}
		wg.Wait()
	}
	b.ReportMetric(float64(b.N*len(txs))/b.Elapsed().Seconds(), "accepts/s")
}

// BenchmarkSelectForBlock5000 builds a template from a pool of 5,000
// transactions: 1,000 chains of five with random fees, so packages are
// rescored as ancestors are chosen.
func BenchmarkSelectForBlock5000(b *testing.B) {
	h := newHarness(b, Config{})
	rng := rand.New(rand.NewPCG(1, 2))
	var roots []*chaingen.SpendableOut
	for len(roots) < 1000 {
		roots = append(roots, h.fund(500)...)
	}
	for _, o := range roots[:1000] {
		for range 5 {
			tx := unsignedSpend(h, o, int64(200+rng.IntN(20_000)))
			if _, err := h.pool.accept(tx, acceptOpts{time: h.clock.Now(), height: -1, skipSigs: true}); err != nil {
				b.Fatal(err)
			}
			o = outs(tx)[0]
		}
	}
	if h.pool.Count() != 5000 {
		b.Fatalf("pool has %d", h.pool.Count())
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if got := h.pool.SelectForBlock(consensus.MaxBlockWeight - 4000); len(got) != 5000 {
			b.Fatalf("selected %d", len(got))
		}
	}
}

// unsignedSpend spends o to one output with a placeholder signature, for
// filling a pool without paying for signing (inserted with skipSigs).
func unsignedSpend(h *harness, o *chaingen.SpendableOut, fee int64) *wire.Tx {
	return &wire.Tx{Version: 2,
		TxIn:  []wire.TxIn{{PrevOut: o.OutPoint, Sequence: 0xffffffff, Witness: [][]byte{make([]byte, 64)}}},
		TxOut: []wire.TxOut{h.pay(o.Out.Value - fee)}}
}
