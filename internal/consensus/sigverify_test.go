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

// batchVerifier is a policy.BatchVerifier that checks a batch by asking
// the pure-Go verifier about each signature, counting batches and the
// signatures in them; lie makes every batch fail. The batch arithmetic
// itself is tested against this same reference in package secp256k1:
// here it is what consensus does around it.
type batchVerifier struct {
	countingVerifier
	lie              bool
	batches, batched atomic.Int64
}

func (b *batchVerifier) VerifyBatch(checks []policy.SigCheck) bool {
	b.batches.Add(1)
	b.batched.Add(int64(len(checks)))
	if b.lie {
		return false
	}
	for i := range checks {
		c := &checks[i]
		if !(policy.GoVerifier{}).VerifySchnorr(&c.Pub, &c.Msg, &c.Sig) {
			return false
		}
	}
	return true
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
		{Workers: 1, Verifier: &batchVerifier{}},
		{Workers: 2, Verifier: &batchVerifier{}},
		{Workers: 3, Verifier: &batchVerifier{}, SigCache: cache},
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

// TestBatchVerification checks the batch way of ConnectBlock: a valid
// block's signatures are all checked in batches and none one by one, for
// any number of workers; signatures the cache holds are left out of the
// batches; and a failing batch sends the block to one-by-one verification,
// which decides.
func TestBatchVerification(t *testing.T) {
	c, g, spends := benchSpends(t, 1500, 3, 1) // 500 transactions of 3 inputs
	blk := g.NextBlock(spends, chaingen.BlockOpts{})
	for _, w := range []int{0, 1, 2, 3} {
		b := &batchVerifier{}
		if err := connect(t, c, blk, consensus.Options{Workers: w, Verifier: b}); err != nil {
			t.Fatalf("workers=%d: %v", w, err)
		}
		if b.batched.Load() != 1500 || b.calls.Load() != 0 {
			t.Errorf("workers=%d: %d signatures batched, %d one by one; want 1500 and 0", w, b.batched.Load(), b.calls.Load())
		}
		if n := b.batches.Load(); n < 1 || n > 3 {
			t.Errorf("workers=%d: %d batches for 1,500 inputs", w, n)
		}
	}

	// Half the block's transactions verified for the mempool: only the
	// other half is batched.
	cache := sigcache.New([32]byte{9}, 1<<20)
	half := *blk
	half.Transactions = blk.Transactions[:251]
	acceptToMempool(t, c, &half, consensus.Options{SigCache: cache})
	b := &batchVerifier{}
	if err := connect(t, c, blk, consensus.Options{Workers: 2, Verifier: b, SigCache: cache}); err != nil {
		t.Fatal(err)
	}
	if b.batched.Load() != 750 || b.calls.Load() != 0 {
		t.Errorf("half cached: %d signatures batched, %d one by one; want 750 and 0", b.batched.Load(), b.calls.Load())
	}

	// A batch that fails (as it may, with probability 2^-128, or as a
	// faulty library would) does not make a valid block invalid: the
	// signatures are then checked one by one.
	liar := &batchVerifier{lie: true}
	if err := connect(t, c, blk, consensus.Options{Workers: 2, Verifier: liar}); err != nil {
		t.Fatalf("failing batch: %v", err)
	}
	if liar.calls.Load() != 1500 {
		t.Errorf("after a failing batch %d signatures verified one by one, want 1500", liar.calls.Load())
	}

	// Few inputs are not worth a batch.
	small := &batchVerifier{}
	if !consensus.SpendsVerify(spends[:2], prevOutsOf(t, c, spends[:2]), consensus.Options{Verifier: small}) {
		t.Fatal("two valid transactions do not verify")
	}
	if small.batches.Load() != 0 || small.calls.Load() != 6 {
		t.Errorf("6 inputs: %d batches, %d one by one; want 0 and 6", small.batches.Load(), small.calls.Load())
	}
}

// TestBatchNonSignatureFailure checks that a spend failing for a reason
// other than a signature (here a witness of the wrong shape) behind bad
// signatures reports the same first error with a batch verifier as without.
func TestBatchNonSignatureFailure(t *testing.T) {
	c, g, spends := benchSpends(t, 90, 3, 1)
	spends[20].TxIn[1].Witness = append(spends[20].TxIn[1].Witness, []byte{1})
	corrupt(spends[25], 0)
	blk := g.NextBlock(spends, chaingen.BlockOpts{})
	want := connect(t, c, blk, consensus.Options{})
	if !errors.Is(want, policy.ErrWitnessShape) {
		t.Fatalf("serial: %v", want)
	}
	for _, w := range []int{1, 2} {
		b := &batchVerifier{}
		if err := connect(t, c, blk, consensus.Options{Workers: w, Verifier: b}); err == nil || err.Error() != want.Error() {
			t.Fatalf("workers=%d: %v, want %v", w, err, want)
		}
	}
	// SpendsVerify says no, whether the verifier batches or not (60 or 24
	// inputs are batched, 12 or 3 are not), and says yes once the two bad
	// transactions are left out.
	prev := prevOutsOf(t, c, spends)
	for _, opt := range []consensus.Options{{}, {Workers: 2, Verifier: &batchVerifier{}}} {
		if consensus.SpendsVerify(spends, prev, opt) {
			t.Fatalf("verifier %T: SpendsVerify accepts a bad witness", opt.Verifier)
		}
		if !consensus.SpendsVerify(spends[:20], prev[:20], opt) || !consensus.SpendsVerify(spends[26:], prev[26:], opt) {
			t.Fatalf("verifier %T: SpendsVerify rejects valid transactions", opt.Verifier)
		}
		if consensus.SpendsVerify(spends[20:21], prev[20:21], opt) || consensus.SpendsVerify(spends[22:], prev[22:], opt) {
			t.Fatalf("verifier %T: SpendsVerify accepts a bad transaction", opt.Verifier)
		}
	}
}

// prevOutsOf looks up the outputs each of txs spends, in c's UTXO set or
// earlier in txs.
func prevOutsOf(t *testing.T, c *chaingen.Chain, txs []*wire.Tx) [][]wire.TxOut {
	t.Helper()
	view := consensus.NewUtxoView(c.Utxos)
	out := make([][]wire.TxOut, len(txs))
	for i, tx := range txs {
		ins, err := consensus.CheckTxInputs(tx, c.Tip.Height+1, c.Tip.MedianTime, view, c.Params, c.MedianTime)
		if err != nil {
			t.Fatal(err)
		}
		out[i] = ins.PrevOuts
		view.AddTxOuts(tx, tx.TxHash(), c.Tip.Height+1)
	}
	return out
}

// TestBatchStreamInputError: a block whose late transaction spends an
// output an earlier one spent fails on that input, as without batches,
// although the chunks before it were sent to the workers (which stop).
func TestBatchStreamInputError(t *testing.T) {
	c, g, spends := benchSpends(t, 1500, 3, 1)
	late := withOwnWitnesses(spends[450])
	late.TxIn[1].PrevOut = spends[3].TxIn[0].PrevOut
	spends[450] = late
	blk := g.NextBlock(spends, chaingen.BlockOpts{})
	want := connect(t, c, blk, consensus.Options{})
	if !errors.Is(want, consensus.ErrMissingTxOut) {
		t.Fatalf("serial: %v", want)
	}
	for _, w := range []int{2, 3} {
		if err := connect(t, c, blk, consensus.Options{Workers: w, Verifier: &batchVerifier{}}); err == nil || err.Error() != want.Error() {
			t.Fatalf("workers=%d: %v, want %v", w, err, want)
		}
	}
}
