package mempool

import (
	"errors"
	"math"
	"sync"
	"testing"
	"time"

	"github.com/ballast-chain/ballast/internal/chaingen"
	"github.com/ballast-chain/ballast/internal/consensus"
	"github.com/ballast-chain/ballast/internal/params"
	"github.com/ballast-chain/ballast/internal/wire"
)

// testChain adapts chaingen.Chain, the reference consensus harness, to
// ChainView. It keeps the connected blocks so a reorganisation can be
// played by rebuilding the chain without its tip.
type testChain struct {
	c      *chaingen.Chain
	blocks []*wire.Block // blocks 1..tip
}

func (t *testChain) Tip() consensus.HeaderInfo { return t.c.Tip }

func (t *testChain) FetchUtxo(op wire.OutPoint) (*consensus.UtxoEntry, error) {
	return t.c.Utxos.FetchUtxo(op)
}

func (t *testChain) MedianTimePast(h int32) uint32 { return t.c.MedianTime(h) }

// fakeClock is the injected clock.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

type harness struct {
	t      testing.TB
	p      *params.Params
	g      *chaingen.Generator
	chain  *testChain
	clock  *fakeClock
	pool   *Pool
	nextCB int32 // height of the next coinbase to spend
	funds  []*chaingen.SpendableOut
	lock   wire.Lock // the generator key's lock, derived once
}

// testMaturity replaces regtest's coinbase maturity of 100 so that each
// test's chain takes 40 blocks rather than 120: chaingen derives a public
// key for every coinbase, which under -race dominates a test's setup.
const testMaturity = 20

// newHarness builds a regtest chain with mature coinbases and an empty pool
// over it.
func newHarness(t testing.TB, cfg Config) *harness {
	t.Helper()
	p := params.Regtest()
	p.CoinbaseMaturity = testMaturity
	h := &harness{t: t, p: p, g: chaingen.NewGenerator(p, "mempool"),
		clock: &fakeClock{t: time.Unix(1_800_000_000, 0)}, nextCB: 1}
	h.lock = chaingen.KeyLock(h.g.Key)
	c := chaingen.NewChain(p)
	c.Opts.Workers = 1
	h.chain = &testChain{c: c}
	for range p.CoinbaseMaturity + 20 {
		h.connect(h.g.NextBlock(nil, chaingen.BlockOpts{}))
	}
	cfg.Now = h.clock.Now
	pool, err := New(cfg, h.chain, p)
	if err != nil {
		t.Fatal(err)
	}
	h.pool = pool
	return h
}

// connect runs a block through consensus and, once there is a pool, tells it.
func (h *harness) connect(b *wire.Block) {
	h.t.Helper()
	if err := h.chain.c.ProcessBlock(b); err != nil {
		h.t.Fatalf("block %d: %v", h.chain.c.Tip.Height+1, err)
	}
	h.chain.blocks = append(h.chain.blocks, b)
	if h.pool != nil {
		h.pool.BlockConnected(b, h.chain.c.Tip.Height)
	}
}

// mine builds a block of txs (paying their fees to the coinbase) and
// connects it.
func (h *harness) mine(txs ...*wire.Tx) *wire.Block {
	h.t.Helper()
	b := h.g.NextBlock(txs, chaingen.BlockOpts{Fees: h.feesOf(txs)})
	h.connect(b)
	return b
}

// disconnect plays a reorganisation's first half: the chain is rebuilt
// without its tip, the generator rewound, and the pool told.
func (h *harness) disconnect() *wire.Block {
	h.t.Helper()
	tip := h.chain.blocks[len(h.chain.blocks)-1]
	c := chaingen.NewChain(h.p)
	c.Opts.Workers = 1
	rest := h.chain.blocks[:len(h.chain.blocks)-1]
	for _, b := range rest {
		if err := c.ProcessBlock(b); err != nil {
			h.t.Fatal(err)
		}
	}
	h.chain.c, h.chain.blocks = c, rest
	h.g.Rewind(c.Tip)
	h.pool.BlockDisconnected(tip)
	return tip
}

// feesOf sums what txs pay, looking inputs up in the chain and in earlier
// txs of the list.
func (h *harness) feesOf(txs []*wire.Tx) int64 {
	outs := map[wire.OutPoint]int64{}
	var fee int64
	for _, tx := range txs {
		for _, in := range tx.TxIn {
			if v, ok := outs[in.PrevOut]; ok {
				fee += v
				continue
			}
			e, _ := h.chain.FetchUtxo(in.PrevOut)
			if e == nil {
				h.t.Fatalf("feesOf: input %v unknown", in.PrevOut)
			}
			fee += e.Out.Value
		}
		id := tx.TxHash()
		for i, o := range tx.TxOut {
			fee -= o.Value
			outs[wire.OutPoint{Hash: id, Index: uint32(i)}] = o.Value
		}
	}
	return fee
}

// coinbase returns the next mature coinbase output.
func (h *harness) coinbase() *chaingen.SpendableOut {
	cb := h.g.Coinbases[h.nextCB]
	h.nextCB++
	return cb
}

// fund confirms a transaction splitting a coinbase into n outputs and
// returns them.
func (h *harness) fund(n int) []*chaingen.SpendableOut {
	h.t.Helper()
	tx := h.g.SpendTx([]*chaingen.SpendableOut{h.coinbase()}, n, 0)
	h.mine(tx)
	return chaingen.Outputs(tx, h.chain.c.Tip.Height)
}

// out takes one confirmed output from a stock funded on demand.
func (h *harness) out() *chaingen.SpendableOut {
	if len(h.funds) == 0 {
		h.funds = h.fund(50)
	}
	o := h.funds[0]
	h.funds = h.funds[1:]
	return o
}

// spend returns a signed spend of ins to n key-lock outputs paying fee.
func (h *harness) spend(ins []*chaingen.SpendableOut, n int, fee int64) *wire.Tx {
	return h.g.SpendTx(ins, n, fee)
}

// build returns a signed version-2 spend of ins with the given outputs;
// edit, if not nil, changes the transaction before it is signed.
func (h *harness) build(ins []*chaingen.SpendableOut, outs []wire.TxOut, edit func(*wire.Tx)) *wire.Tx {
	tx := &wire.Tx{Version: 2, TxOut: outs}
	prev := make([]wire.TxOut, len(ins))
	for i, o := range ins {
		tx.TxIn = append(tx.TxIn, wire.TxIn{PrevOut: o.OutPoint, Sequence: math.MaxUint32})
		prev[i] = o.Out
	}
	if edit != nil {
		edit(tx)
	}
	chaingen.SignKeySpends(tx, prev, h.g.Key)
	return tx
}

// pay is a native key-lock output to the generator's key.
func (h *harness) pay(v int64) wire.TxOut {
	return wire.TxOut{Value: v, Lock: h.lock}
}

// outs returns tx's outputs as spendable (unconfirmed) outputs.
func outs(tx *wire.Tx) []*chaingen.SpendableOut { return chaingen.Outputs(tx, 0) }

func (h *harness) mustAccept(tx *wire.Tx) *AcceptResult {
	h.t.Helper()
	r, err := h.pool.Accept(tx)
	if err != nil {
		h.t.Fatalf("accept %s: %v", tx.TxHash(), err)
	}
	h.checkInvariants()
	return r
}

func (h *harness) mustReject(tx *wire.Tx, reason string) error {
	h.t.Helper()
	_, err := h.pool.Accept(tx)
	if err == nil {
		h.t.Fatalf("accepted %s, want %q", tx.TxHash(), reason)
	}
	if got := RejectReason(err); got != reason {
		h.t.Fatalf("rejected with %q (%v), want %q", got, err, reason)
	}
	var re *RuleError
	if !errors.As(err, &re) {
		h.t.Fatalf("error %v is not a *RuleError", err)
	}
	h.checkInvariants()
	return err
}

func (h *harness) checkInvariants() {
	h.t.Helper()
	h.pool.mu.Lock()
	defer h.pool.mu.Unlock()
	if err := h.pool.verifyInvariants(); err != nil {
		h.t.Fatal(err)
	}
}

// keySpendVSize is the vsize of a one-input, one-output key spend.
const keySpendVSize = 111
