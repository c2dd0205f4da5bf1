package chain

import (
	"errors"
	"testing"
	"time"

	"github.com/btcsuite/btcd/btcec/v2/schnorr"

	"github.com/ballast-chain/ballast/internal/chaingen"
	"github.com/ballast-chain/ballast/internal/consensus"
	"github.com/ballast-chain/ballast/internal/params"
	"github.com/ballast-chain/ballast/internal/sigcache"
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

// preverifyChain opens a chain with a signature cache and connects blocks
// past coinbase maturity, returning the generator at its tip.
func preverifyChain(t *testing.T) (*testChain, *chaingen.Generator, *sigcache.Cache) {
	t.Helper()
	cache := sigcache.New([32]byte{7}, 1<<20)
	tc := openTest(t, t.TempDir(), Config{Verify: consensus.Options{SigCache: cache}})
	t.Cleanup(tc.close)
	p := params.Regtest()
	g := chaingen.NewGenerator(p, "preverify")
	for range p.CoinbaseMaturity + 4 {
		if _, err := tc.c.ProcessBlock(g.NextBlock(nil, chaingen.BlockOpts{})); err != nil {
			t.Fatal(err)
		}
	}
	return tc, g, cache
}

// TestPreverifyWarmsCacheAndConnects: blocks handed to Preverify ahead of
// their connection (the second spending outputs of the first) have their
// signatures in the cache before they connect, and connect.
func TestPreverifyWarmsCacheAndConnects(t *testing.T) {
	tc, g, cache := preverifyChain(t)
	tx1 := g.SpendTx([]*chaingen.SpendableOut{g.Coinbases[1], g.Coinbases[2]}, 2, 0)
	b1 := g.NextBlock([]*wire.Tx{tx1}, chaingen.BlockOpts{})
	tx2 := g.SpendTx(chaingen.Outputs(tx1, g.Tip.Height), 2, 0) // spends b1's outputs
	tx3 := g.SpendTx(chaingen.Outputs(tx2, g.Tip.Height+1), 1, 0)
	b2 := g.NextBlock([]*wire.Tx{tx2, tx3}, chaingen.BlockOpts{}) // and its own
	before := cache.Len()
	tc.c.Preverify(b1)
	tc.c.Preverify(b2)
	waitPreverified(t, tc.c)
	if got := cache.Len() - before; got != 6 {
		t.Fatalf("preverification cached %d signatures, want 6 (2+2+2 inputs)", got)
	}
	for _, b := range []*wire.Block{b1, b2} {
		if out, err := tc.c.ProcessBlock(b); err != nil || out != Connected {
			t.Fatalf("%v %v", out, err)
		}
	}
	if tc.c.Tip().Hash != b2.BlockHash() {
		t.Fatal("tip is not the last preverified block")
	}
}

// TestPreverifyCannotVouch: a cache entry made from a guess never replaces
// the checks of connection. A block whose input was spent by the block
// before it is rejected as a double spend although its (valid) signature
// was preverified against the output as it then stood; a block with a bad
// signature is rejected after preverification as without it.
func TestPreverifyCannotVouch(t *testing.T) {
	tc, g, cache := preverifyChain(t)
	out := g.Coinbases[1]
	spendA := g.SpendTx([]*chaingen.SpendableOut{out}, 1, 0)
	a := g.NextBlock([]*wire.Tx{spendA}, chaingen.BlockOpts{})
	atA := g.Tip
	spendB := g.SpendTx([]*chaingen.SpendableOut{out}, 2, 0) // the same output again
	b := g.NextBlock([]*wire.Tx{spendB}, chaingen.BlockOpts{})
	n := cache.Len()
	tc.c.Preverify(b) // before a connects: the output is still unspent
	waitPreverified(t, tc.c)
	if cache.Len() != n+1 {
		t.Fatalf("the double spend's signature was not preverified (%d cached, want %d)", cache.Len(), n+1)
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
