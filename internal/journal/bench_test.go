package journal

import (
	"context"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ballast-chain/ballast/internal/matching"
)

// BenchmarkJournaledExchangeCoreMix measures commands made durable per
// second with the log on disk and group commit. Eight producers (stand-ins
// for API connections) each keep about 125 resting orders and submit
// batches of 128 commands in the exchange-core proportions (9% GTC, 3% IOC,
// 6% cancel, 82% move), learning order ids from the results; every batch
// returns only after an fsync covered it.
func BenchmarkJournaledExchangeCoreMix(b *testing.B) {
	const producers, batchLen = 32, 256
	cfg := matching.Config{
		MinPrice: 1, MaxPrice: 1_000_000, TickSize: 1, MinQty: 1, MaxQty: 1_000_000, StepSize: 1,
		MinNotional: 1, MakerFeePPM: 1000, TakerFeePPM: 2000, DefaultSTP: matching.STPNone, InitialOrders: 4096,
	}
	j, err := Open(Options{Dir: b.TempDir(), Market: cfg, NoSnapshots: true, MaxBatch: 4096})
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	runDone := make(chan error, 1)
	go func() { runDone <- j.Run(ctx) }()

	var next atomic.Int64
	var wg sync.WaitGroup
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	for p := range producers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(p), 7))
			acct := uint64(p + 1)
			type live struct {
				id         uint64
				side       matching.Side
				price, qty int64
			}
			var book []live
			cmds := make([]matching.Command, 0, batchLen)
			var evs []matching.Event
			for next.Add(batchLen) <= int64(b.N)+batchLen-1 {
				cmds = cmds[:0]
				used := 0
				for len(cmds) < batchLen {
					side := matching.Side(1 + rng.IntN(2))
					px := 100_000 - 1 - rng.Int64N(375)
					if side == matching.Sell {
						px = 100_000 + 1 + rng.Int64N(375)
					}
					r := rng.IntN(100)
					switch {
					case r < 9 || used >= len(book):
						cmds = append(cmds, matching.Command{Kind: matching.CmdNew, Account: acct, Side: side,
							Type: matching.Limit, TIF: matching.GTC, Price: px, Qty: 1 + rng.Int64N(100)})
					case r < 12:
						cmds = append(cmds, matching.Command{Kind: matching.CmdNew, Account: acct, Side: side,
							Type: matching.Limit, TIF: matching.IOC, Price: 200_000 - px, Qty: 1 + rng.Int64N(10)})
					case r < 18:
						o := book[used]
						used++
						cmds = append(cmds, matching.Command{Kind: matching.CmdCancel, Account: acct, OrderID: o.id})
					default:
						o := book[used]
						used++
						np := o.price + rng.Int64N(21) - 10
						if (o.side == matching.Buy) != (np < 100_000) {
							np = o.price
						}
						cmds = append(cmds, matching.Command{Kind: matching.CmdCancelReplace, Account: acct,
							OrderID: o.id, Side: o.side, Type: matching.Limit, TIF: matching.GTC, Price: np, Qty: o.qty})
					}
				}
				evs, _, err = j.SubmitBatch(ctx, cmds, evs)
				if err != nil {
					b.Error(err)
					return
				}
				// Rebuild this producer's view: orders accepted and not
				// ended in this batch rest; targets of cancels and moves
				// are gone. Fills are ignored (a later cancel of a filled
				// order is simply rejected).
				book = book[used:]
				ended := map[uint64]bool{}
				for _, ev := range evs {
					if ev.Kind == matching.EvExpired || ev.Kind == matching.EvCancelled {
						ended[ev.OrderID] = true
					}
				}
				for _, ev := range evs {
					if ev.Kind == matching.EvAccepted && !ended[ev.OrderID] {
						book = append(book, live{ev.OrderID, ev.Side, ev.Price, ev.Qty})
					}
				}
				rng.Shuffle(len(book), func(a, c int) { book[a], book[c] = book[c], book[a] })
				if len(book) > 32 {
					book = book[:32]
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "ops/s")
	cancel()
	if err := <-runDone; err != nil {
		b.Fatal(err)
	}
}
