package consensus

import (
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/ballast-chain/ballast/internal/policy"
	"github.com/ballast-chain/ballast/internal/sighash"
	"github.com/ballast-chain/ballast/internal/wire"
)

// VerifyTxSpends checks every input's spending condition: the witness
// satisfies the lock of the output it spends, with signatures over the
// transaction's signature hash. prevOuts[i] is the output input i spends.
func VerifyTxSpends(tx *wire.Tx, prevOuts []wire.TxOut) error {
	cache := sighash.NewCache(tx, prevOuts)
	for i := range tx.TxIn {
		if err := verifyInput(tx, i, prevOuts, cache); err != nil {
			return err
		}
	}
	return nil
}

func verifyInput(tx *wire.Tx, i int, prevOuts []wire.TxOut, cache *sighash.Cache) error {
	h, err := sighash.Hash(tx, i, prevOuts, cache)
	if err != nil {
		return &RuleError{Kind: ErrBadSpend, Description: fmt.Sprintf("input %d: signature hash", i), Cause: err}
	}
	env := policy.SpendEnv{SigHash: h, TxVersion: tx.Version, LockTime: tx.LockTime, Sequence: tx.TxIn[i].Sequence}
	if _, err := policy.VerifySpend(prevOuts[i].Lock, tx.TxIn[i].Witness, &env); err != nil {
		return &RuleError{Kind: ErrBadSpend, Description: fmt.Sprintf("input %d does not satisfy its lock", i), Cause: err}
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

// verifySpends verifies every job's inputs on up to workers goroutines. The
// result is deterministic: the failure reported is the one in the earliest
// transaction, whatever order the workers ran in.
func verifySpends(jobs []spendJob, workers int) *jobError {
	if workers <= 1 || len(jobs) < 2 {
		for _, j := range jobs {
			if err := VerifyTxSpends(j.tx, j.prevOuts); err != nil {
				return &jobError{txIndex: j.txIndex, err: err}
			}
		}
		return nil
	}
	var (
		next    atomic.Int64
		failed  atomic.Int64 // lowest failing job index + 1; 0 = none
		mu      sync.Mutex
		first   *jobError
		wg      sync.WaitGroup
		nJobs   = int64(len(jobs))
		workerN = min(workers, len(jobs))
	)
	for range workerN {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				k := next.Add(1) - 1
				if k >= nJobs {
					return
				}
				// Jobs after a known failure cannot change the answer.
				if f := failed.Load(); f != 0 && k >= f-1 {
					return
				}
				j := jobs[k]
				if err := VerifyTxSpends(j.tx, j.prevOuts); err != nil {
					mu.Lock()
					if first == nil || j.txIndex < first.txIndex {
						first = &jobError{txIndex: j.txIndex, err: err}
						failed.Store(k + 1)
					}
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	return first
}
