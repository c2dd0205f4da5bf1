package consensus

import (
	"sync"
	"sync/atomic"

	"github.com/ballast-chain/ballast/internal/params"
)

// ConnectBlockPerTx is ConnectBlock with the scheduler this package used
// before per-input verification: whole transactions handed to workers. It
// is the baseline the benchmarks compare against.
func ConnectBlockPerTx(b *Block, prev *HeaderInfo, view *UtxoView, p *params.Params, mtp MedianTimeFunc, opt Options) (*BlockUndo, error) {
	return connectBlock(b, prev, view, p, mtp, opt, verifySpendsPerTx)
}

// verifySpendsPerTx is the former scheduler: workers take whole jobs, each
// verified serially; the earliest failing job is reported.
func verifySpendsPerTx(jobs []spendJob, opt Options) *jobError {
	serial := Options{Verifier: opt.Verifier, SigCache: opt.SigCache}
	verifyJob := func(j int) *jobError { return verifySpends(jobs[j:j+1], serial, false) }
	if opt.Workers <= 1 || len(jobs) < 2 {
		for j := range jobs {
			if err := verifyJob(j); err != nil {
				return err
			}
		}
		return nil
	}
	var (
		next   atomic.Int64
		failed atomic.Int64 // lowest failing job index + 1; 0 = none
		mu     sync.Mutex
		first  *jobError
		wg     sync.WaitGroup
	)
	for range min(opt.Workers, len(jobs)) {
		wg.Go(func() {
			for {
				k := next.Add(1) - 1
				if k >= int64(len(jobs)) {
					return
				}
				if f := failed.Load(); f != 0 && k >= f-1 {
					return
				}
				if err := verifyJob(int(k)); err != nil {
					mu.Lock()
					if first == nil || err.txIndex < first.txIndex {
						first = err
						failed.Store(k + 1)
					}
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	return first
}
