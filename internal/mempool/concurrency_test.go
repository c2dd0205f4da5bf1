package mempool

import (
	"errors"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/ballast-chain/ballast/internal/consensus"
	"github.com/ballast-chain/ballast/internal/wire"
)

// Accept from several goroutines, every transaction submitted twice, while
// readers query the pool: each is accepted exactly once.
func TestConcurrentAccept(t *testing.T) {
	h := newHarness(t, Config{})
	fund := h.fund(30)
	var txs []*wire.Tx
	for _, o := range fund {
		p := h.spend(ins(o), 1, 1000)
		txs = append(txs, p, h.spend(outs(p), 1, 2000)) // parents before children
	}
	var accepted, dup atomic.Int64
	var wg sync.WaitGroup
	done := make(chan struct{})
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w % 2; i < len(txs); i += 2 { // two workers per transaction
				_, err := h.pool.Accept(txs[i])
				switch {
				case err == nil:
					accepted.Add(1)
				case errors.Is(err, ErrAlreadyInPool):
					dup.Add(1)
				case errors.Is(err, consensus.ErrMissingTxOut): // child before parent: retry
					i -= 2
				default:
					t.Error(err)
					return
				}
			}
		}()
	}
	go func() {
		for {
			select {
			case <-done:
				return
			default:
			}
			h.pool.Info()
			h.pool.SelectForBlock(consensus.MaxBlockWeight)
			h.pool.FetchUtxo(fund[0].OutPoint)
			h.pool.TxIDs()
		}
	}()
	wg.Wait()
	close(done)
	if accepted.Load() != int64(len(txs)) || dup.Load() != int64(len(txs)) || h.pool.Count() != len(txs) {
		t.Fatalf("accepted %d, duplicates %d, pool %d; want %d each", accepted.Load(), dup.Load(), h.pool.Count(), len(txs))
	}
	h.checkInvariants()
}
