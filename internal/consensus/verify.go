package consensus

import (
	"bytes"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/ballast-chain/ballast/internal/policy"
	"github.com/ballast-chain/ballast/internal/sigcache"
	"github.com/ballast-chain/ballast/internal/sighash"
	"github.com/ballast-chain/ballast/internal/wire"
)

// Options tune signature verification without changing what is accepted.
// The zero value verifies on the calling goroutine with the pure-Go
// verifier and no cache.
type Options struct {
	// Workers is the number of goroutines verifying signatures, shared out
	// input by input so that one large transaction also uses every core;
	// 0 or 1 verifies on the calling goroutine.
	Workers int
	// Verifier checks BIP340 signatures; nil is the pure-Go verifier. A
	// node built with libsecp256k1 sets the one package secp256k1 returns:
	// the core itself never imports cgo. When it is also a
	// policy.BatchVerifier, the signatures of a block (ConnectBlock,
	// SpendsVerify) are verified in batches; the mempool's single
	// transactions are verified one by one.
	Verifier policy.SchnorrVerifier
	// SigCache, when set, holds signatures that verified before; a
	// signature found there is not verified again. VerifyTxSpendsWith (the
	// mempool's path) adds every signature that verifies. ConnectBlock only
	// looks up, as Bitcoin Core does: a block's signatures will not be
	// checked again, and adding them would push out those of transactions
	// still waiting in the mempool.
	SigCache *sigcache.Cache
	// Verified, when set, tells ConnectBlock that the spends of the
	// block's transaction at txIndex were already verified against
	// exactly prevOuts (by a caller that checked the block ahead of
	// time): that transaction's spends are not verified again. The
	// result of verification is a function of the transaction and the
	// outputs it spends alone, so the answer may be true only for this
	// very transaction, unmodified, verified against outputs equal to
	// prevOuts (see SameOutputs).
	Verified func(txIndex int, prevOuts []wire.TxOut) bool
}

// SameOutputs reports whether a and b are the same outputs: asset, value
// and lock, field by field.
func SameOutputs(a, b []wire.TxOut) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := &a[i], &b[i]
		if x.Asset != y.Asset || x.Value != y.Value || x.Lock.Kind != y.Lock.Kind || !bytes.Equal(x.Lock.Data, y.Lock.Data) {
			return false
		}
	}
	return true
}

// CheckTxSpends is VerifyTxSpendsWith except that it only looks signatures
// up in opt's cache, adding none: for checks made ahead of time, whose
// result is kept by the caller.
func CheckTxSpends(tx *wire.Tx, prevOuts []wire.TxOut, opt Options) error {
	if err := verifySpends([]spendJob{{tx: tx, prevOuts: prevOuts}}, opt, false); err != nil {
		return err.err
	}
	return nil
}

// VerifyTxSpends checks every input's spending condition: the witness
// satisfies the lock of the output it spends, with signatures over the
// transaction's signature hash. prevOuts[i] is the output input i spends.
// It verifies with the pure-Go verifier on the calling goroutine; see
// VerifyTxSpendsWith.
func VerifyTxSpends(tx *wire.Tx, prevOuts []wire.TxOut) error {
	return VerifyTxSpendsWith(tx, prevOuts, Options{})
}

// VerifyTxSpendsWith is VerifyTxSpends with opt's workers, verifier and
// signature cache. Every signature that verifies is added to the cache, so
// the block that later confirms tx finds them there: this is the mempool's
// entry point. The error is the one of the first failing input, whatever
// the number of workers.
func VerifyTxSpendsWith(tx *wire.Tx, prevOuts []wire.TxOut, opt Options) error {
	if err := verifySpends([]spendJob{{tx: tx, prevOuts: prevOuts}}, opt, true); err != nil {
		return err.err
	}
	return nil
}

// spendJob is one transaction whose spends are to be verified.
type spendJob struct {
	txIndex  int
	tx       *wire.Tx
	prevOuts []wire.TxOut
}

type jobError struct {
	txIndex int
	err     error
}

// verifyBlockSpends is ConnectBlock's signature stage: cache lookups only.
func verifyBlockSpends(jobs []spendJob, opt Options) *jobError {
	return verifySpends(jobs, opt, false)
}

// verifyBlockSpendsEach is verifyBlockSpends one input at a time, never in
// batches: what ConnectBlock falls back to when a streamed batch fails.
func verifyBlockSpendsEach(jobs []spendJob, opt Options) *jobError {
	if bv, ok := opt.Verifier.(policy.BatchVerifier); ok {
		opt.Verifier = schnorrOnly{bv}
	}
	return verifySpends(jobs, opt, false)
}

// schnorrOnly hides a verifier's batch method.
type schnorrOnly struct{ policy.SchnorrVerifier }

// batchStream verifies spends the batch way. Each chunk of transactions is
// evaluated with a recorder in place of the verifier (it answers yes to
// every signature check, or finds it in the cache, and writes it down) and
// the checks it wrote down are verified as one batch.
//
// This is sound because package policy fails a spend whenever one of its
// signature checks fails, and decides which signatures to check without
// looking at the answers (policy.SchnorrVerifier): a spend that passes with
// every check answered yes is valid exactly when all those checks verify.
// False means only that something failed (or that a batch did): the caller
// verifies one by one to find what.
//
// ConnectBlock adds transactions as their spent outputs become known, so
// signatures are verified while later inputs are still looked up: with
// several workers, every chunk of about inputs/(2 workers) inputs goes at
// once to opt.Workers-1 goroutines and the caller joins them when its loop
// is done (finish); with one, the caller verifies everything as one chunk
// in finish.
type batchStream struct {
	opt    Options
	bv     policy.BatchVerifier
	inputs int // of the whole block, an upper bound of what is added

	started bool
	chunk   int
	pending []spendJob
	inPend  int
	ch      chan []spendJob
	failed  atomic.Bool
	wg      sync.WaitGroup
	closed  bool
}

// add queues job, sending the pending chunk once it is full. The workers
// start with the first job: a block whose transactions were all
// preverified adds none and starts nothing.
func (s *batchStream) add(job spendJob) {
	if !s.started {
		s.started = true
		workers := max(1, s.opt.Workers)
		s.chunk = s.inputs
		if workers > 1 {
			// Two chunks per worker, so that a worker slowed down by
			// other work leaves its second chunk to the others.
			s.chunk = max(minBatchChunk, (s.inputs+2*workers-1)/(2*workers))
		}
		s.ch = make(chan []spendJob, 2*workers)
		for range workers - 1 {
			s.wg.Go(s.work)
		}
	}
	s.pending = append(s.pending, job)
	if s.inPend += len(job.tx.TxIn); s.inPend >= s.chunk {
		s.ch <- s.pending
		s.pending, s.inPend = nil, 0
	}
}

// finish sends the last chunk, verifies alongside the workers until every
// chunk is done and reports whether all verified.
func (s *batchStream) finish() bool {
	if !s.started {
		return true
	}
	if len(s.pending) > 0 {
		s.ch <- s.pending
		s.pending = nil
	}
	close(s.ch)
	s.closed = true
	s.work()
	s.wg.Wait()
	return !s.failed.Load()
}

// abort stops the workers when ConnectBlock returns early.
func (s *batchStream) abort() {
	if s.started && !s.closed {
		s.failed.Store(true)
		close(s.ch)
		s.closed = true
		s.wg.Wait()
	}
}

func (s *batchStream) work() {
	for jobs := range s.ch {
		if !s.failed.Load() && !s.verify(jobs) {
			s.failed.Store(true)
		}
	}
}

// verify evaluates the chunk's spends with a recorder and batch-verifies
// the signatures it wrote down.
func (s *batchStream) verify(jobs []spendJob) bool {
	rec := recorder{cache: s.opt.SigCache}
	for j := range jobs {
		job := &jobs[j]
		cache := sighash.NewCache(job.tx, job.prevOuts)
		for i := range job.tx.TxIn {
			if verifyInput(job.tx, i, job.prevOuts, cache, &rec) != nil {
				return false
			}
		}
	}
	return s.bv.VerifyBatch(rec.checks)
}

// SpendsVerify reports whether every spend of txs verifies, prevOuts[j]
// holding the outputs txs[j] spends: CheckTxSpends for many transactions
// at once, such as a block's checked ahead of its connection, without
// saying which one fails. With a batch verifier (policy.BatchVerifier) the
// signatures are checked in batches across transactions. Like
// CheckTxSpends it only looks signatures up in opt's cache.
func SpendsVerify(txs []*wire.Tx, prevOuts [][]wire.TxOut, opt Options) bool {
	jobs := make([]spendJob, len(txs))
	for j, tx := range txs {
		jobs[j] = spendJob{txIndex: j, tx: tx, prevOuts: prevOuts[j]}
	}
	if bv, ok := opt.Verifier.(policy.BatchVerifier); ok {
		if inputs := inputStarts(jobs)[len(jobs)]; inputs >= minBatchInputs {
			return batchJobs(jobs, opt, bv, inputs)
		}
	}
	return verifySpends(jobs, opt, false) == nil
}

// batchJobs reports whether every spend of jobs (inputs in all) verifies,
// the batch way (batchStream).
func batchJobs(jobs []spendJob, opt Options, bv policy.BatchVerifier, inputs int) bool {
	s := &batchStream{opt: opt, bv: bv, inputs: inputs}
	for _, job := range jobs {
		s.add(job)
	}
	return s.finish()
}

// inputStarts returns the position of each job's first input in block
// order, and the total number of inputs last.
func inputStarts(jobs []spendJob) []int {
	starts := make([]int, len(jobs)+1)
	for j := range jobs {
		starts[j+1] = starts[j] + len(jobs[j].tx.TxIn)
	}
	return starts
}

// verifySpends verifies every input of every job, on up to opt.Workers
// goroutines that take inputs one at a time in block order. The result is
// deterministic: the failure reported is the earliest failing input of the
// earliest failing transaction, whatever order the workers ran in, because
// inputs are handed out in order and a worker stops only at inputs after a
// known failure. store says whether verified signatures enter the cache.
//
// With a batch verifier, checks that store nothing (a block's) first go the
// batch way (batchJobs); only when that fails are the inputs verified
// one by one as below, to find the failure to report. A block with a bad
// signature therefore costs about twice its verification: the price of
// making valid blocks, the common case, cheaper.
func verifySpends(jobs []spendJob, opt Options, store bool) *jobError {
	starts := inputStarts(jobs)
	total := starts[len(jobs)]
	if bv, ok := opt.Verifier.(policy.BatchVerifier); ok && !store && total >= minBatchInputs {
		if batchJobs(jobs, opt, bv, total) {
			return nil
		}
	}
	v := opt.verifier(store)
	if opt.Workers <= 1 || total < 2 {
		for j := range jobs {
			job := &jobs[j]
			cache := sighash.NewCache(job.tx, job.prevOuts)
			for i := range job.tx.TxIn {
				if err := verifyInput(job.tx, i, job.prevOuts, cache, v); err != nil {
					return &jobError{txIndex: job.txIndex, err: err}
				}
			}
		}
		return nil
	}

	caches := make([]lazyCache, len(jobs))
	var (
		next   atomic.Int64
		failed atomic.Int64 // position of the earliest known failure + 1; 0 = none
		mu     sync.Mutex
		first  *jobError
		firstK int
		wg     sync.WaitGroup
	)
	work := func() {
		j := 0 // the job holding position k; positions only grow
		for {
			k := int(next.Add(1) - 1)
			if k >= total {
				return
			}
			// Inputs after a known failure cannot change the answer.
			if f := failed.Load(); f != 0 && k >= int(f-1) {
				return
			}
			for starts[j+1] <= k {
				j++
			}
			job := &jobs[j]
			cache := caches[j].get(job)
			if err := verifyInput(job.tx, k-starts[j], job.prevOuts, cache, v); err != nil {
				mu.Lock()
				if first == nil || k < firstK {
					first, firstK = &jobError{txIndex: job.txIndex, err: err}, k
					failed.Store(int64(k) + 1)
				}
				mu.Unlock()
			}
		}
	}
	for range min(opt.Workers, total) - 1 {
		wg.Go(work)
	}
	work()
	wg.Wait()
	return first
}

// minBatchInputs is the fewest inputs verified the batch way: below it a
// batch saves little, and one bad signature would double the cost.
const minBatchInputs = 16

// minBatchChunk is the fewest inputs a batch worker takes at once. Larger
// batches cost less per signature (libsecp256k1 on this project's machine:
// 26 µs at 1,000 signatures, 24 µs at 4,000, against 40 µs one by one).
const minBatchChunk = 512

// recorder is the verifier batchStream evaluates spends with: it answers
// every signature check with yes and keeps the ones the cache does not
// already vouch for.
type recorder struct {
	cache  *sigcache.Cache
	checks []policy.SigCheck
}

func (r *recorder) VerifySchnorr(pub *[32]byte, msg *[32]byte, sig *[64]byte) bool {
	if r.cache != nil && r.cache.Contains(r.cache.Key(msg, pub, sig)) {
		return true
	}
	r.checks = append(r.checks, policy.SigCheck{Pub: *pub, Msg: *msg, Sig: *sig})
	return true
}

func verifyInput(tx *wire.Tx, i int, prevOuts []wire.TxOut, cache *sighash.Cache, v policy.SchnorrVerifier) error {
	h, err := sighash.Hash(tx, i, prevOuts, cache)
	if err != nil {
		return &RuleError{Kind: ErrBadSpend, Description: fmt.Sprintf("input %d: signature hash", i), Cause: err}
	}
	env := policy.SpendEnv{SigHash: h, TxVersion: tx.Version, LockTime: tx.LockTime, Sequence: tx.TxIn[i].Sequence, Verifier: v}
	if _, err := policy.VerifySpend(prevOuts[i].Lock, tx.TxIn[i].Witness, &env); err != nil {
		return &RuleError{Kind: ErrBadSpend, Description: fmt.Sprintf("input %d does not satisfy its lock", i), Cause: err}
	}
	return nil
}

// lazyCache computes a transaction's signature-hash cache once, on first
// use by whichever worker reaches one of its inputs first.
type lazyCache struct {
	once  sync.Once
	cache *sighash.Cache
}

func (l *lazyCache) get(job *spendJob) *sighash.Cache {
	l.once.Do(func() { l.cache = sighash.NewCache(job.tx, job.prevOuts) })
	return l.cache
}

// verifier returns the SchnorrVerifier spends are checked with: opt's (nil
// for pure Go, which keeps policy's detailed errors), behind the signature
// cache if there is one.
func (o *Options) verifier(store bool) policy.SchnorrVerifier {
	if o.SigCache == nil {
		return o.Verifier
	}
	next := o.Verifier
	if next == nil {
		next = policy.GoVerifier{}
	}
	return &cachedVerifier{cache: o.SigCache, next: next, store: store}
}

// cachedVerifier answers from the cache and otherwise asks next, adding
// what verifies when store is set. Only a signature that verified is ever
// added, so a hit is always a signature that verified before.
type cachedVerifier struct {
	cache *sigcache.Cache
	next  policy.SchnorrVerifier
	store bool
}

func (c *cachedVerifier) VerifySchnorr(pub *[32]byte, msg *[32]byte, sig *[64]byte) bool {
	k := c.cache.Key(msg, pub, sig)
	if c.cache.Contains(k) {
		return true
	}
	if !c.next.VerifySchnorr(pub, msg, sig) {
		return false
	}
	if c.store {
		c.cache.Add(k)
	}
	return true
}
