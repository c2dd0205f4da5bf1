package chain

import (
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/btcsuite/btcd/btcec/v2/schnorr"

	"github.com/ballast-chain/ballast/internal/chaingen"
	"github.com/ballast-chain/ballast/internal/consensus"
	"github.com/ballast-chain/ballast/internal/params"
	"github.com/ballast-chain/ballast/internal/policy"
	"github.com/ballast-chain/ballast/internal/sighash"
	"github.com/ballast-chain/ballast/internal/wire"
)

// waitPreverified waits until the preverifier has nothing queued or running.
func waitPreverified(t *testing.T, c *Chain) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		c.pre.mu.Lock()
		idle := c.pre.running == 0 && len(c.pre.queue) == 0
		c.pre.mu.Unlock()
		if idle {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("preverifier still busy")
		}
		time.Sleep(time.Millisecond)
	}
}

// countingVerifier counts the signatures it is asked to verify.
type countingVerifier struct{ n atomic.Int64 }

func (v *countingVerifier) VerifySchnorr(pub, msg *[32]byte, sig *[64]byte) bool {
	v.n.Add(1)
	return policy.GoVerifier{}.VerifySchnorr(pub, msg, sig)
}

// preverifyChain opens a chain with a counting verifier and connects blocks
// past coinbase maturity, returning the generator at its tip.
func preverifyChain(t *testing.T) (*testChain, *chaingen.Generator, *countingVerifier) {
	t.Helper()
	v := &countingVerifier{}
	tc := openTest(t, t.TempDir(), Config{Verify: consensus.Options{Verifier: v}})
	t.Cleanup(tc.close)
	p := params.Regtest()
	g := chaingen.NewGenerator(p, "preverify")
	for range p.CoinbaseMaturity + 4 {
		if _, err := tc.c.ProcessBlock(g.NextBlock(nil, chaingen.BlockOpts{})); err != nil {
			t.Fatal(err)
		}
	}
	return tc, g, v
}

// preverified reports whether the preverifier holds a verified result for
// transaction i of blk.
func preverified(c *Chain, blk *wire.Block, i int) bool {
	c.pre.mu.Lock()
	defer c.pre.mu.Unlock()
	b := c.pre.byHash[blk.BlockHash()]
	return b != nil && b.ready.Load() && b.verified[i].Load() != nil
}

// TestPreverifySpendsAreNotVerifiedAgain: blocks handed to Preverify ahead
// of their connection (the second spending outputs of the first, and of
// itself) have every spend verified before they connect, and connecting
// them verifies no signature again.
func TestPreverifySpendsAreNotVerifiedAgain(t *testing.T) {
	tc, g, v := preverifyChain(t)
	tx1 := g.SpendTx([]*chaingen.SpendableOut{g.Coinbases[1], g.Coinbases[2]}, 2, 0)
	b1 := g.NextBlock([]*wire.Tx{tx1}, chaingen.BlockOpts{})
	tx2 := g.SpendTx(chaingen.Outputs(tx1, g.Tip.Height), 2, 0) // spends b1's outputs
	tx3 := g.SpendTx(chaingen.Outputs(tx2, g.Tip.Height+1), 1, 0)
	b2 := g.NextBlock([]*wire.Tx{tx2, tx3}, chaingen.BlockOpts{}) // and its own
	// One after the other: two blocks preverified at once find each
	// other's outputs only if the first registered them in time.
	tc.c.Preverify(b1)
	waitPreverified(t, tc.c)
	tc.c.Preverify(b2)
	waitPreverified(t, tc.c)
	if !preverified(tc.c, b1, 1) || !preverified(tc.c, b2, 1) || !preverified(tc.c, b2, 2) {
		t.Fatal("a transaction was not preverified")
	}
	if got := v.n.Load(); got != 6 {
		t.Fatalf("preverification checked %d signatures, want 6 (2+2+2 inputs)", got)
	}
	for _, b := range []*wire.Block{b1, b2} {
		if out, err := tc.c.ProcessBlock(b); err != nil || out != Connected {
			t.Fatalf("%v %v", out, err)
		}
	}
	if got := v.n.Load(); got != 6 {
		t.Fatalf("connection checked %d signatures again", got-6)
	}
	if tc.c.Tip().Hash != b2.BlockHash() {
		t.Fatal("tip is not the last preverified block")
	}
}

// TestPreverifiedOutputsMustMatch: a preverified result counts only for
// the very outputs it was verified against.
func TestPreverifiedOutputsMustMatch(t *testing.T) {
	outs := []wire.TxOut{{Value: 5, Lock: wire.Lock{Kind: wire.LockKey, Data: make([]byte, 32)}}}
	b := &preBlock{verified: make([]atomic.Pointer[[]wire.TxOut], 2)}
	b.verified[1].Store(&outs)
	same := []wire.TxOut{{Value: 5, Lock: wire.Lock{Kind: wire.LockKey, Data: make([]byte, 32)}}}
	if !b.isVerified(1, same) {
		t.Fatal("equal outputs not recognised")
	}
	other := func(edit func(*wire.TxOut)) []wire.TxOut {
		o := []wire.TxOut{same[0]}
		o[0].Lock.Data = append([]byte(nil), same[0].Lock.Data...)
		edit(&o[0])
		return o
	}
	for name, o := range map[string][]wire.TxOut{
		"value": other(func(o *wire.TxOut) { o.Value = 6 }),
		"asset": other(func(o *wire.TxOut) { o.Asset[0] = 1 }),
		"kind":  other(func(o *wire.TxOut) { o.Lock.Kind = wire.LockPolicy }),
		"data":  other(func(o *wire.TxOut) { o.Lock.Data[31] = 1 }),
		"count": append(other(func(*wire.TxOut) {}), same[0]),
	} {
		if b.isVerified(1, o) {
			t.Fatalf("outputs differing in %s taken as verified", name)
		}
	}
	if b.isVerified(0, same) || b.isVerified(2, same) {
		t.Fatal("a transaction never verified taken as verified")
	}
}

// TestPreverifyCannotVouch: a result made from a guess never replaces the
// checks of connection. A block whose input was spent by the block before
// it is rejected as a double spend although its (valid) signature was
// preverified against the output as it then stood; a block with a bad
// signature is rejected after preverification as without it.
func TestPreverifyCannotVouch(t *testing.T) {
	tc, g, _ := preverifyChain(t)
	out := g.Coinbases[1]
	spendA := g.SpendTx([]*chaingen.SpendableOut{out}, 1, 0)
	a := g.NextBlock([]*wire.Tx{spendA}, chaingen.BlockOpts{})
	atA := g.Tip
	spendB := g.SpendTx([]*chaingen.SpendableOut{out}, 2, 0) // the same output again
	b := g.NextBlock([]*wire.Tx{spendB}, chaingen.BlockOpts{})
	tc.c.Preverify(b) // before a connects: the output is still unspent
	waitPreverified(t, tc.c)
	if !preverified(tc.c, b, 1) {
		t.Fatal("the double spend was not preverified")
	}
	if _, err := tc.c.ProcessBlock(a); err != nil {
		t.Fatal(err)
	}
	if _, err := tc.c.ProcessBlock(b); !errors.Is(err, consensus.ErrMissingTxOut) {
		t.Fatalf("double spend after preverification: %v, want %v", err, consensus.ErrMissingTxOut)
	}

	bad := g.SpendTx([]*chaingen.SpendableOut{g.Coinbases[2]}, 1, 0)
	bad.TxIn[0].Witness[0][5] ^= 1
	g.Rewind(atA)
	c := g.NextBlock([]*wire.Tx{bad}, chaingen.BlockOpts{})
	tc.c.Preverify(c)
	waitPreverified(t, tc.c)
	if _, err := tc.c.ProcessBlock(c); !errors.Is(err, consensus.ErrBadSpend) {
		t.Fatalf("bad signature after preverification: %v, want %v", err, consensus.ErrBadSpend)
	}
}

// TestPreverifyReusesOnlyTheSameBlock: ProcessBlock reuses the
// context-free checks of Preverify only for the very *wire.Block it was
// given; a different copy with the same hash is checked afresh.
func TestPreverifyReusesOnlyTheSameBlock(t *testing.T) {
	tc, g, _ := preverifyChain(t)
	tx := g.SpendTx([]*chaingen.SpendableOut{g.Coinbases[1]}, 1, 0)
	blk := g.NextBlock([]*wire.Tx{tx}, chaingen.BlockOpts{})
	tc.c.Preverify(blk)
	waitPreverified(t, tc.c)
	// A copy carrying another valid signature (other aux randomness): same
	// hash (witnesses are not in the txid), valid spends, but a witness
	// commitment that no longer matches, which only the context-free
	// checks catch. They must run for it.
	mut, err := wire.DecodeBlock(blk.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	mtx := mut.Transactions[1]
	prev := []wire.TxOut{g.Coinbases[1].Out}
	h, err := sighash.Hash(mtx, 0, prev, sighash.NewCache(mtx, prev))
	if err != nil {
		t.Fatal(err)
	}
	sig, err := schnorr.Sign(g.Key, h[:], schnorr.CustomNonce([32]byte{9}))
	if err != nil {
		t.Fatal(err)
	}
	mtx.TxIn[0].Witness = [][]byte{sig.Serialize()}
	if mut.BlockHash() != blk.BlockHash() {
		t.Fatal("the copy's hash differs")
	}
	if _, err := tc.c.ProcessBlock(mut); !errors.Is(err, consensus.ErrBadWitnessCommitment) {
		t.Fatalf("a re-signed copy of a preverified block: %v, want %v", err, consensus.ErrBadWitnessCommitment)
	}
	if out, err := tc.c.ProcessBlock(blk); err != nil || out != Connected {
		t.Fatalf("the original after its mutated copy: %v %v", out, err)
	}
}

// TestCloseStopsPreverification: Close waits for preverification to stop
// reading the database, and later Preverify calls do nothing.
func TestCloseStopsPreverification(t *testing.T) {
	tc, g, _ := preverifyChain(t)
	var blocks []*wire.Block
	for i := 1; i <= 3; i++ {
		tx := g.SpendTx([]*chaingen.SpendableOut{g.Coinbases[i]}, 2, 0)
		blocks = append(blocks, g.NextBlock([]*wire.Tx{tx}, chaingen.BlockOpts{}))
	}
	for _, b := range blocks[:2] {
		tc.c.Preverify(b)
	}
	tc.c.Close()
	tc.c.pre.mu.Lock()
	running, queued := tc.c.pre.running, len(tc.c.pre.queue)
	tc.c.pre.mu.Unlock()
	if running != 0 || queued != 0 {
		t.Fatalf("after Close: %d workers, %d queued", running, queued)
	}
	tc.c.Preverify(blocks[2])
	if _, ok := tc.c.pre.byHash[blocks[2].BlockHash()]; ok {
		t.Fatal("Preverify after Close queued a block")
	}
	for _, b := range blocks { // connection still works, verifying itself
		if out, err := tc.c.ProcessBlock(b); err != nil || out != Connected {
			t.Fatalf("%v %v", out, err)
		}
	}
}

// batchCounter is a policy.BatchVerifier over the pure-Go verifier that
// counts signatures checked in batches and one by one.
type batchCounter struct {
	countingVerifier
	batched atomic.Int64
}

func (v *batchCounter) VerifyBatch(checks []policy.SigCheck) bool {
	v.batched.Add(int64(len(checks)))
	ok := true
	for i := range checks {
		c := &checks[i]
		ok = ok && policy.GoVerifier{}.VerifySchnorr(&c.Pub, &c.Msg, &c.Sig)
	}
	return ok
}

// TestPreverifyInBatches: with a batch verifier, a block's spends are
// preverified as one batch and connecting it verifies nothing again; with
// one bad signature among them the batch fails, the others are still
// preverified one by one, and the connection rejects the block on the bad
// one, which it checks itself.
func TestPreverifyInBatches(t *testing.T) {
	v := &batchCounter{}
	tc, g, spends := fanOutChain(t, v)
	atB1 := g.Tip
	start, startBatched := v.n.Load(), v.batched.Load()

	bad := *spends[17]
	bad.TxIn = []wire.TxIn{spends[17].TxIn[0]}
	bad.TxIn[0].Witness = [][]byte{append([]byte(nil), spends[17].TxIn[0].Witness[0]...)}
	bad.TxIn[0].Witness[0][9] ^= 4
	withBad := append(append(append([]*wire.Tx(nil), spends[:17]...), &bad), spends[18:]...)
	b2bad := g.NextBlock(withBad, chaingen.BlockOpts{})
	tc.c.Preverify(b2bad)
	waitPreverified(t, tc.c)
	for i := 1; i <= 40; i++ {
		if got, want := preverified(tc.c, b2bad, i), i != 18; got != want {
			t.Fatalf("transaction %d preverified = %v, want %v", i, got, want)
		}
	}
	if b, n := v.batched.Load()-startBatched, v.n.Load()-start; b != 40 || n != 40 {
		t.Fatalf("bad block: %d signatures batched and %d one by one, want 40 and 40", b, n)
	}
	if _, err := tc.c.ProcessBlock(b2bad); !errors.Is(err, policy.ErrBadSignature) {
		t.Fatalf("bad signature after preverification: %v", err)
	}
	if n := v.n.Load() - start; n != 41 {
		t.Fatalf("connection verified %d signatures one by one, want 1 (the bad one)", n-40)
	}

	g.Rewind(atB1)
	b2 := g.NextBlock(spends, chaingen.BlockOpts{})
	start, startBatched = v.n.Load(), v.batched.Load()
	tc.c.Preverify(b2)
	waitPreverified(t, tc.c)
	if out, err := tc.c.ProcessBlock(b2); err != nil || out != Connected {
		t.Fatalf("%v %v", out, err)
	}
	if b, n := v.batched.Load()-startBatched, v.n.Load()-start; b != 40 || n != 0 {
		t.Fatalf("valid block: %d signatures batched and %d one by one, want 40 and 0", b, n)
	}
}

// fanOutChain opens a chain verifying with v and connects a block fanning a
// coinbase out to 40 outputs; it returns 40 transactions spending one each.
func fanOutChain(t *testing.T, v policy.SchnorrVerifier) (*testChain, *chaingen.Generator, []*wire.Tx) {
	t.Helper()
	tc := openTest(t, t.TempDir(), Config{Verify: consensus.Options{Verifier: v, Workers: 2}})
	t.Cleanup(tc.close)
	p := params.Regtest()
	g := chaingen.NewGenerator(p, "preverify-batch")
	for range p.CoinbaseMaturity + 2 {
		if _, err := tc.c.ProcessBlock(g.NextBlock(nil, chaingen.BlockOpts{})); err != nil {
			t.Fatal(err)
		}
	}
	fan := g.SpendTx([]*chaingen.SpendableOut{g.Coinbases[1]}, 40, 0)
	if _, err := tc.c.ProcessBlock(g.NextBlock([]*wire.Tx{fan}, chaingen.BlockOpts{})); err != nil {
		t.Fatal(err)
	}
	outs := chaingen.Outputs(fan, g.Tip.Height)
	spends := make([]*wire.Tx, len(outs))
	for i, o := range outs {
		spends[i] = g.SpendTx([]*chaingen.SpendableOut{o}, 1, 0)
	}
	return tc, g, spends
}

// gatedBatch is a batchCounter whose batches wait for the gate to open,
// announcing on started that one is waiting.
type gatedBatch struct {
	batchCounter
	started chan struct{}
	gate    chan struct{}
}

func (v *gatedBatch) VerifyBatch(checks []policy.SigCheck) bool {
	v.started <- struct{}{}
	<-v.gate
	return v.batchCounter.VerifyBatch(checks)
}

// TestConnectionWaitsForGroupUnderWay: a block taken for connection while
// preverification is verifying one of its groups waits for that group
// instead of verifying its signatures a second time.
func TestConnectionWaitsForGroupUnderWay(t *testing.T) {
	v := &gatedBatch{started: make(chan struct{}, 1), gate: make(chan struct{})}
	tc, g, spends := fanOutChain(t, v)
	start := v.n.Load()
	blk := g.NextBlock(spends, chaingen.BlockOpts{})
	tc.c.Preverify(blk)
	<-v.started // the block's one group is being verified
	done := make(chan error, 1)
	go func() {
		_, err := tc.c.ProcessBlock(blk)
		done <- err
	}()
	select {
	case err := <-done:
		t.Fatalf("connection finished (%v) while the group it needs was under way", err)
	case <-time.After(100 * time.Millisecond):
	}
	close(v.gate)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if b, n := v.batched.Load(), v.n.Load()-start; b != 40 || n != 0 {
		t.Fatalf("%d signatures batched and %d one by one, want 40 and 0", b, n)
	}
}
