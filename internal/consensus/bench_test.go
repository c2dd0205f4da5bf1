package consensus_test

import (
	"fmt"
	"testing"

	"github.com/ballast-chain/ballast/internal/chaingen"
	"github.com/ballast-chain/ballast/internal/consensus"
	"github.com/ballast-chain/ballast/internal/params"
	"github.com/ballast-chain/ballast/internal/policy"
	"github.com/ballast-chain/ballast/internal/secp256k1"
	"github.com/ballast-chain/ballast/internal/sigcache"
	"github.com/ballast-chain/ballast/internal/wire"
)

// benchSpends returns a chain and transactions ready to go in its next
// block: nIn signed inputs spending mature key-lock outputs, perTx inputs
// and outs outputs to a transaction.
func benchSpends(tb testing.TB, nIn, perTx, outs int) (*chaingen.Chain, *chaingen.Generator, []*wire.Tx) {
	p := params.Regtest()
	g := chaingen.NewGenerator(p, "bench")
	c := chaingen.NewChain(p)
	for range p.CoinbaseMaturity + 1 {
		if err := c.ProcessBlock(g.NextBlock(nil, chaingen.BlockOpts{})); err != nil {
			tb.Fatal(err)
		}
	}
	// Fan a coinbase out into nIn outputs, 2,000 per transaction (weight).
	var fan []*wire.Tx
	src := []*chaingen.SpendableOut{g.Coinbases[1]}
	for left := nIn; left > 0; {
		k := min(left, 2000) + 1 // one output carries the rest on
		tx := g.SpendTx(src, k, 0)
		fan = append(fan, tx)
		src = chaingen.Outputs(tx, c.Tip.Height+1)[:1]
		left -= k - 1
	}
	if err := c.ProcessBlock(g.NextBlock(fan, chaingen.BlockOpts{})); err != nil {
		tb.Fatal(err)
	}
	var coins []*chaingen.SpendableOut
	for _, tx := range fan {
		coins = append(coins, chaingen.Outputs(tx, c.Tip.Height)[1:]...)
	}
	var spends []*wire.Tx
	for i := 0; i+perTx <= nIn; i += perTx {
		spends = append(spends, g.SpendTx(coins[i:i+perTx], outs, 0))
	}
	return c, g, spends
}

// benchChain returns a chain and a block of n one-input, one-output signed
// transactions ready to connect on top of it.
func benchChain(tb testing.TB, n int) (*chaingen.Chain, *wire.Block) {
	c, g, spends := benchSpends(tb, n, 1, 1)
	return c, g.NextBlock(spends, chaingen.BlockOpts{})
}

// connectFunc is consensus.ConnectBlock or the per-transaction baseline.
type connectFunc func(*consensus.Block, *consensus.HeaderInfo, *consensus.UtxoView, *params.Params, consensus.MedianTimeFunc, consensus.Options) (*consensus.BlockUndo, error)

// validate runs every stage on blk as the child of c's tip, against a fresh
// view.
func validate(tb testing.TB, c *chaingen.Chain, blk *wire.Block, connect connectFunc, opt consensus.Options) {
	cb := consensus.NewBlock(blk)
	if err := consensus.CheckBlockSanity(cb, c.Params); err != nil {
		tb.Fatal(err)
	}
	if err := consensus.CheckBlockPositional(cb, &c.Tip); err != nil {
		tb.Fatal(err)
	}
	view := consensus.NewUtxoView(c.Utxos)
	if _, err := connect(cb, &c.Tip, view, c.Params, c.MedianTime, opt); err != nil {
		tb.Fatal(err)
	}
}

// acceptToMempool verifies blk's transactions the way the mempool does,
// leaving their signatures in opt.SigCache.
func acceptToMempool(tb testing.TB, c *chaingen.Chain, blk *wire.Block, opt consensus.Options) {
	view := consensus.NewUtxoView(c.Utxos)
	for _, tx := range blk.Transactions[1:] {
		ins, err := consensus.CheckTxInputs(tx, c.Tip.Height+1, c.Tip.MedianTime, view, c.Params, c.MedianTime)
		if err != nil {
			tb.Fatal(err)
		}
		if err := consensus.VerifyTxSpendsWith(tx, ins.PrevOuts, opt); err != nil {
			tb.Fatal(err)
		}
	}
}

type benchCase struct {
	name    string
	connect connectFunc
	opt     consensus.Options
	warm    bool // verify every transaction through the cache first
}

// benchCases are the verifier set-ups compared: pure Go and libsecp256k1
// (when built with it), one and two workers, the former per-transaction
// scheduler, and a block whose signatures the mempool already verified.
func benchCases(tb testing.TB) []benchCase {
	cases := []benchCase{
		{"go/workers=1", consensus.ConnectBlock, consensus.Options{Workers: 1}, false},
		{"go/workers=2", consensus.ConnectBlock, consensus.Options{Workers: 2}, false},
		{"go/per-tx/workers=2", consensus.ConnectBlockPerTx, consensus.Options{Workers: 2}, false},
		{"go/cached/workers=1", consensus.ConnectBlock, consensus.Options{Workers: 1}, true},
		{"go/cached/workers=2", consensus.ConnectBlock, consensus.Options{Workers: 2}, true},
	}
	if v, err := secp256k1.NewVerifier(); err == nil {
		cases = append(cases,
			benchCase{"cgo/workers=1", consensus.ConnectBlock, consensus.Options{Workers: 1, Verifier: v}, false},
			benchCase{"cgo/workers=2", consensus.ConnectBlock, consensus.Options{Workers: 2, Verifier: v}, false},
			benchCase{"cgo/per-tx/workers=2", consensus.ConnectBlockPerTx, consensus.Options{Workers: 2, Verifier: v}, false},
		)
	}
	return cases
}

func runValidate(b *testing.B, c *chaingen.Chain, blk *wire.Block, cases []benchCase) {
	inputs := 0
	for _, tx := range blk.Transactions[1:] {
		inputs += len(tx.TxIn)
	}
	for _, bc := range cases {
		b.Run(bc.name, func(b *testing.B) {
			opt := bc.opt
			if bc.warm {
				opt.SigCache = sigcache.New([32]byte{1}, sigcache.DefaultMaxBytes)
				acceptToMempool(b, c, blk, opt)
			}
			b.ReportAllocs()
			cpu0 := cpuTime()
			for b.Loop() {
				validate(b, c, blk, bc.connect, opt)
			}
			secs := b.Elapsed().Seconds()
			b.ReportMetric(float64(len(blk.Transactions)-1)*float64(b.N)/secs, "tx/s")
			b.ReportMetric(float64(inputs)*float64(b.N)/secs, "inputs/s")
			if cpu := cpuTime() - cpu0; cpu > 0 {
				// CPU time per input: what the work costs, whatever the
				// neighbours on a shared machine are doing.
				b.ReportMetric(float64(cpu.Microseconds())/float64(inputs*b.N), "cpu-µs/input")
			}
		})
	}
}

// BenchmarkValidateBlock4000 fully validates a block of 4,000 one-input
// transactions: sanity, position, and connection with every signature
// verified (or found in the cache), against a fresh UTXO view each time.
func BenchmarkValidateBlock4000(b *testing.B) {
	c, blk := benchChain(b, 4000)
	runValidate(b, c, blk, benchCases(b))
}

// BenchmarkValidateBlock2In2Out is the node benchmark's workload (issue 3):
// 2,000 two-input, two-output transactions, 4,000 signed inputs.
func BenchmarkValidateBlock2In2Out(b *testing.B) {
	c, g, spends := benchSpends(b, 4000, 2, 2)
	runValidate(b, c, g.NextBlock(spends, chaingen.BlockOpts{}), benchCases(b))
}

// BenchmarkValidateBigTx validates a block holding one transaction of 1,500
// inputs, the case per-transaction scheduling leaves on one core.
func BenchmarkValidateBigTx(b *testing.B) {
	c, g, spends := benchSpends(b, 1500, 1500, 1)
	var cases []benchCase
	for _, bc := range benchCases(b) {
		if !bc.warm && bc.opt.Workers == 2 {
			cases = append(cases, bc)
		}
	}
	runValidate(b, c, g.NextBlock(spends, chaingen.BlockOpts{}), cases)
}

// BenchmarkVerifyTxSpends is one key-lock input through VerifyTxSpendsWith,
// per verifier, with a cold and a warm signature cache.
func BenchmarkVerifyTxSpends(b *testing.B) {
	c, g, spends := benchSpends(b, 1, 1, 1)
	blk := g.NextBlock(spends, chaingen.BlockOpts{})
	tx := blk.Transactions[1]
	view := consensus.NewUtxoView(c.Utxos)
	ins, err := consensus.CheckTxInputs(tx, c.Tip.Height+1, c.Tip.MedianTime, view, c.Params, c.MedianTime)
	if err != nil {
		b.Fatal(err)
	}
	verifiers := []struct {
		name string
		v    policy.SchnorrVerifier
	}{{"go", nil}}
	if v, err := secp256k1.NewVerifier(); err == nil {
		verifiers = append(verifiers, struct {
			name string
			v    policy.SchnorrVerifier
		}{"cgo", v})
	}
	for _, vc := range verifiers {
		for _, cached := range []bool{false, true} {
			b.Run(fmt.Sprintf("%s/cached=%v", vc.name, cached), func(b *testing.B) {
				opt := consensus.Options{Verifier: vc.v}
				if cached {
					opt.SigCache = sigcache.New([32]byte{1}, 1<<16)
				}
				b.ReportAllocs()
				for b.Loop() {
					if err := consensus.VerifyTxSpendsWith(tx, ins.PrevOuts, opt); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
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
