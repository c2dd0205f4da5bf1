package consensus_test

import (
	"errors"
	"sync/atomic"
	"testing"

	"github.com/ballast-chain/ballast/internal/chaingen"
	"github.com/ballast-chain/ballast/internal/consensus"
	"github.com/ballast-chain/ballast/internal/policy"
	"github.com/ballast-chain/ballast/internal/sigcache"
	"github.com/ballast-chain/ballast/internal/wire"
)

// countingVerifier is the pure-Go verifier, counting its calls.
type countingVerifier struct{ calls atomic.Int64 }

func (c *countingVerifier) VerifySchnorr(pub *[32]byte, msg *[32]byte, sig *[64]byte) bool {
	c.calls.Add(1)
	return policy.GoVerifier{}.VerifySchnorr(pub, msg, sig)
}

// corrupt flips a bit of input in's signature.
func corrupt(tx *wire.Tx, in int) {
	tx.TxIn[in].Witness[0][5] ^= 0x10
}

// withOwnWitnesses returns a copy of tx whose witnesses can be changed
// without changing tx's.
func withOwnWitnesses(tx *wire.Tx) *wire.Tx {
	cp := *tx
	cp.TxIn = append([]wire.TxIn(nil), tx.TxIn...)
	for i := range cp.TxIn {
		w := make([][]byte, len(tx.TxIn[i].Witness))
		for j, item := range tx.TxIn[i].Witness {
			w[j] = append([]byte(nil), item...)
		}
		cp.TxIn[i].Witness = w
	}
	return &cp
}

func connect(t *testing.T, c *chaingen.Chain, blk *wire.Block, opt consensus.Options) error {
	t.Helper()
	cb := consensus.NewBlock(blk)
	if err := consensus.CheckBlockSanity(cb, c.Params); err != nil {
		t.Fatal(err)
	}
	_, err := consensus.ConnectBlock(cb, &c.Tip, consensus.NewUtxoView(c.Utxos), c.Params, c.MedianTime, opt)
	return err
}

// TestParallelFirstError checks that the error reported for a block with
// several bad signatures is the first bad input of the first bad
// transaction, for any number of workers, verifier and cache.
func TestParallelFirstError(t *testing.T) {
	c, g, spends := benchSpends(t, 60, 3, 1) // 20 transactions of 3 inputs
	corrupt(spends[6], 2)
	corrupt(spends[6], 1)
	corrupt(spends[11], 0)
	blk := g.NextBlock(spends, chaingen.BlockOpts{})

	want := connect(t, c, blk, consensus.Options{})
	if !errors.Is(want, consensus.ErrBadSpend) || !errors.Is(want, policy.ErrBadSignature) {
		t.Fatalf("serial: %v", want)
	}
	wantPrefix := "ErrBadSpend: tx 7 (" + blk.Transactions[7].TxHash().String() + "): input 1 does not satisfy its lock"
	if got := want.Error(); len(got) < len(wantPrefix) || got[:len(wantPrefix)] != wantPrefix {
		t.Fatalf("serial error %q, want prefix %q", got, wantPrefix)
	}
	cache := sigcache.New([32]byte{5}, 1<<16)
	for _, opt := range []consensus.Options{
		{Workers: 2}, {Workers: 3}, {Workers: 16},
		{Workers: 2, Verifier: policy.GoVerifier{}},
		{Workers: 2, SigCache: cache},
	} {
		for range 5 {
			err := connect(t, c, blk, opt)
			if err == nil || want.Error()[:len(wantPrefix)] != err.Error()[:len(wantPrefix)] {
				t.Fatalf("workers=%d verifier=%T cache=%v: %v, want %v", opt.Workers, opt.Verifier, opt.SigCache != nil, err, want)
			}
		}
	}
}

// TestVerifyTxSpendsWith checks one large transaction with bad inputs:
// every worker count reports the first bad input, and the valid block
// without them verifies on every worker count.
func TestVerifyTxSpendsWith(t *testing.T) {
	c, g, spends := benchSpends(t, 30, 30, 1)
	tx := spends[0]
	view := consensus.NewUtxoView(c.Utxos)
	ins, err := consensus.CheckTxInputs(tx, c.Tip.Height+1, c.Tip.MedianTime, view, c.Params, c.MedianTime)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []int{0, 1, 2, 7, 64} {
		if err := consensus.VerifyTxSpendsWith(tx, ins.PrevOuts, consensus.Options{Workers: w}); err != nil {
			t.Fatalf("workers=%d: valid transaction rejected: %v", w, err)
		}
	}
	if err := connect(t, c, g.NextBlock(spends, chaingen.BlockOpts{}), consensus.Options{Workers: 2}); err != nil {
		t.Fatal(err)
	}
	corrupt(tx, 25)
	corrupt(tx, 13)
	want := consensus.VerifyTxSpends(tx, ins.PrevOuts)
	if want == nil {
		t.Fatal("corrupted transaction accepted")
	}
	for _, w := range []int{2, 7, 64} {
		for range 5 {
			err := consensus.VerifyTxSpendsWith(tx, ins.PrevOuts, consensus.Options{Workers: w})
			if err == nil || err.Error() != want.Error() {
				t.Fatalf("workers=%d: %v, want %v", w, err, want)
			}
		}
	}
}

// TestSigCacheMempoolThenBlock verifies a block's transactions as the
// mempool does, then connects the block with the same cache: no signature
// is verified twice, and block connection adds nothing to the cache.
func TestSigCacheMempoolThenBlock(t *testing.T) {
	c, g, spends := benchSpends(t, 40, 2, 2)
	blk := g.NextBlock(spends, chaingen.BlockOpts{})
	cache := sigcache.New([32]byte{1}, 1<<16)

	var mempool countingVerifier
	acceptToMempool(t, c, blk, consensus.Options{Workers: 2, Verifier: &mempool, SigCache: cache})
	if mempool.calls.Load() != 40 || cache.Len() != 40 {
		t.Fatalf("mempool: %d verifications, %d cached, want 40 and 40", mempool.calls.Load(), cache.Len())
	}

	for _, w := range []int{1, 2} {
		var block countingVerifier
		if err := connect(t, c, blk, consensus.Options{Workers: w, Verifier: &block, SigCache: cache}); err != nil {
			t.Fatal(err)
		}
		if n := block.calls.Load(); n != 0 {
			t.Errorf("workers=%d: block verified %d signatures the mempool had verified", w, n)
		}
	}

	fresh := sigcache.New([32]byte{1}, 1<<16)
	var block countingVerifier
	if err := connect(t, c, blk, consensus.Options{Workers: 2, Verifier: &block, SigCache: fresh}); err != nil {
		t.Fatal(err)
	}
	if block.calls.Load() != 40 || fresh.Len() != 0 {
		t.Errorf("cold block: %d verifications, %d cached, want 40 and 0", block.calls.Load(), fresh.Len())
	}
}

// TestSigCacheNeverHoldsInvalid checks that a signature that fails is not
// cached, and that a cached signature does not vouch for a different one.
func TestSigCacheNeverHoldsInvalid(t *testing.T) {
	c, g, spends := benchSpends(t, 6, 3, 1)
	blk := g.NextBlock(spends, chaingen.BlockOpts{})
	cache := sigcache.New([32]byte{2}, 1<<16)
	opt := consensus.Options{Workers: 2, SigCache: cache}
	acceptToMempool(t, c, blk, opt) // the valid signatures are now cached

	// The same block with one signature changed: the cache must not vouch
	// for it, so the block fails as it does without a cache.
	bad := make([]*wire.Tx, len(spends))
	for i, tx := range spends {
		bad[i] = withOwnWitnesses(tx)
	}
	corrupt(bad[1], 1)
	g.Rewind(c.Tip)
	badBlk := g.NextBlock(bad, chaingen.BlockOpts{})
	if err := connect(t, c, badBlk, opt); !errors.Is(err, policy.ErrBadSignature) {
		t.Fatalf("block with a changed signature: %v", err)
	}

	// Verifying the bad transaction as the mempool does leaves no entry for
	// the bad signature: the cache holds exactly the six valid ones.
	view := consensus.NewUtxoView(c.Utxos)
	ins, err := consensus.CheckTxInputs(bad[1], c.Tip.Height+1, c.Tip.MedianTime, view, c.Params, c.MedianTime)
	if err != nil {
		t.Fatal(err)
	}
	fresh := sigcache.New([32]byte{2}, 1<<16)
	for _, w := range []int{1, 2} {
		err := consensus.VerifyTxSpendsWith(bad[1], ins.PrevOuts, consensus.Options{Workers: w, SigCache: fresh})
		if !errors.Is(err, policy.ErrBadSignature) {
			t.Fatalf("workers=%d: %v", w, err)
		}
		if err := consensus.VerifyTxSpendsWith(bad[1], ins.PrevOuts, consensus.Options{Workers: w, SigCache: fresh}); !errors.Is(err, policy.ErrBadSignature) {
			t.Fatalf("workers=%d, second time: %v (a cached failure?)", w, err)
		}
	}
	if fresh.Len() > 2 {
		t.Errorf("cache holds %d entries after a 3-input transaction with one bad signature", fresh.Len())
	}
}
