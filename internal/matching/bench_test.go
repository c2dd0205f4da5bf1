package matching

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// The exchange-core benchmark mix: about 9% GTC orders, 3% IOC orders, 6%
// cancels and 82% moves (cancel-replace of a resting order to a nearby
// price), over about 1,000 resting orders on about 750 price levels. The
// command stream is generated once against a warm book and replayed; every
// benchCmds commands the engine is restored from the warm snapshot (timer
// stopped) so the stream stays valid.
const (
	benchCmds   = 200_000
	benchOrders = 1_000
	benchMid    = 100_000 // ticks
	benchSpread = 375     // levels each side of mid
)

func benchConfig() Config {
	return Config{
		MinPrice: 1, MaxPrice: 1_000_000, TickSize: 1,
		MinQty: 1, MaxQty: 1_000_000, StepSize: 1,
		MinNotional: 1, IcebergParts: 10,
		MakerFeePPM: 1000, TakerFeePPM: 2000,
		DefaultSTP: STPNone, InitialOrders: 4096,
	}
}

type benchStream struct {
	warm []Command // builds the warm book from empty
	cmds []Command // the measured mix
	snap []byte    // engine state after warm
}

var benchCache *benchStream

func exchangeCoreStream(tb testing.TB) *benchStream {
	if benchCache != nil {
		return benchCache
	}
	cfg := benchConfig()
	e, err := New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(42, 42))
	var live []uint64 // resting order ids
	apply := func(c Command) {
		evs := e.Apply(&c)
		if c.Kind == CmdCancel || c.Kind == CmdCancelReplace {
			if i := slices.Index(live, c.OrderID); i >= 0 {
				live[i] = live[len(live)-1]
				live = live[:len(live)-1]
			}
		}
		for _, ev := range evs {
			if ev.Kind == EvAccepted {
				if _, ok := e.Order(ev.OrderID); ok {
					live = append(live, ev.OrderID)
				}
			}
		}
		// Drop makers that were filled.
		for i := 0; i < len(live); {
			if _, ok := e.Order(live[i]); !ok {
				live[i] = live[len(live)-1]
				live = live[:len(live)-1]
				continue
			}
			i++
		}
	}
	restingPrice := func(side Side) int64 {
		off := 1 + rng.Int64N(benchSpread)
		if side == Buy {
			return benchMid - off
		}
		return benchMid + off
	}
	s := &benchStream{}
	for len(live) < benchOrders {
		side := Side(1 + rng.IntN(2))
		c := Command{Kind: CmdNew, Account: 1 + rng.Uint64N(100), Side: side, Type: Limit, TIF: GTC,
			Price: restingPrice(side), Qty: 1 + rng.Int64N(100)}
		s.warm = append(s.warm, c)
		apply(c)
	}
	s.snap = e.AppendSnapshot(nil)
	for len(s.cmds) < benchCmds {
		side := Side(1 + rng.IntN(2))
		acct := 1 + rng.Uint64N(100)
		var c Command
		switch p := rng.IntN(100); {
		case p < 9 || len(live) < benchOrders/2:
			c = Command{Kind: CmdNew, Account: acct, Side: side, Type: Limit, TIF: GTC, Price: restingPrice(side), Qty: 1 + rng.Int64N(100)}
			if rng.IntN(10) == 0 { // some GTC orders cross
				c.Price = benchMid + int64(3-2*int(side))*benchSpread/4
			}
		case p < 12:
			px := int64(benchMid + benchSpread/2)
			if side == Sell {
				px = benchMid - benchSpread/2
			}
			c = Command{Kind: CmdNew, Account: acct, Side: side, Type: Limit, TIF: IOC, Price: px, Qty: 1 + rng.Int64N(100)}
		case p < 18:
			id := live[rng.IntN(len(live))]
			o, _ := e.Order(id)
			c = Command{Kind: CmdCancel, Account: o.Account, OrderID: id}
		default:
			id := live[rng.IntN(len(live))]
			o, _ := e.Order(id)
			px := o.Price + rng.Int64N(21) - 10
			if (o.Side == Buy && px >= benchMid) || (o.Side == Sell && px <= benchMid) {
				px = restingPrice(o.Side)
			}
			c = Command{Kind: CmdCancelReplace, Account: o.Account, OrderID: id, Side: o.Side, Type: Limit, TIF: GTC,
				Price: px, Qty: o.Remain}
		}
		s.cmds = append(s.cmds, c)
		apply(c)
	}
	benchCache = s
	return s
}

func percentile(sorted []int64, p float64) float64 {
	return float64(sorted[int(float64(len(sorted)-1)*p)])
}

// BenchmarkExchangeCoreMix measures the engine on the exchange-core mix and
// reports throughput (ops/s) and per-command latency percentiles. The
// latency pass times each command with the monotonic clock, so its figures
// include about 20-40 ns of timer overhead.
func BenchmarkExchangeCoreMix(b *testing.B) {
	s := exchangeCoreStream(b)
	cfg := benchConfig()
	e, err := Restore(cfg, s.snap)
	if err != nil {
		b.Fatal(err)
	}
	// One untimed pass so buffers and pages reach their steady size.
	for i := range s.cmds {
		e.Apply(&s.cmds[i])
	}
	e, _ = Restore(cfg, s.snap)
	for i := range s.cmds {
		e.Apply(&s.cmds[i])
	}
	reset := func() {
		b.StopTimer()
		e, _ = Restore(cfg, s.snap)
		for i := range s.cmds[:0] {
			e.Apply(&s.cmds[i])
		}
		b.StartTimer()
	}
	reset()
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	var paused time.Duration
	for i := 0; i < b.N; i++ {
		k := i % benchCmds
		if k == 0 && i > 0 {
			t0 := time.Now()
			reset()
			paused += time.Since(t0)
		}
		e.Apply(&s.cmds[k])
	}
	elapsed := time.Since(start) - paused
	b.StopTimer()
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "ops/s")

	e, _ = Restore(cfg, s.snap)
	lat := make([]int64, len(s.cmds))
	for i := range s.cmds {
		t0 := time.Now()
		e.Apply(&s.cmds[i])
		lat[i] = int64(time.Since(t0))
	}
	slices.Sort(lat)
	b.ReportMetric(percentile(lat, 0.50), "p50-ns")
	b.ReportMetric(percentile(lat, 0.99), "p99-ns")
	b.ReportMetric(percentile(lat, 0.999), "p99.9-ns")
}

// BenchmarkExchangeCoreMixNaive runs the same stream through the naive
// reference model (maps and sorted slices), as the baseline.
func BenchmarkExchangeCoreMixNaive(b *testing.B) {
	s := exchangeCoreStream(b)
	build := func() *refBook {
		r := newRefBook(benchConfig())
		for _, c := range s.warm {
			r.apply(c)
		}
		return r
	}
	r := build()
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	var paused time.Duration
	for i := 0; i < b.N; i++ {
		k := i % benchCmds
		if k == 0 && i > 0 {
			b.StopTimer()
			t0 := time.Now()
			r = build()
			paused += time.Since(t0)
			b.StartTimer()
		}
		r.apply(s.cmds[k])
	}
	b.ReportMetric(float64(b.N)/(time.Since(start)-paused).Seconds(), "ops/s")
}

// TestExchangeCoreStreamMatchesReference keeps the benchmark honest: the
// stream it replays must be valid work (mostly accepted, with trades) and
// produce the same events in the engine and the reference model.
func TestExchangeCoreStreamMatchesReference(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("builds the benchmark stream")
	}
	s := exchangeCoreStream(t)
	e, _ := Restore(benchConfig(), s.snap)
	r := newRefBook(benchConfig())
	for _, c := range s.warm {
		r.apply(c)
	}
	r.seq = e.Seq()
	var rejected, trades int
	for i := range s.cmds[:20_000] {
		got := e.Apply(&s.cmds[i])
		want := r.apply(s.cmds[i])
		if len(got) != len(want) {
			t.Fatalf("command %d: %d events, reference %d", i, len(got), len(want))
		}
		for k := range got {
			if got[k] != want[k] {
				t.Fatalf("command %d event %d: %+v, reference %+v", i, k, got[k], want[k])
			}
		}
		rejected += len(kinds(got, EvRejected))
		trades += len(kinds(got, EvTrade))
	}
	bids, asks, _ := e.Depth(0)
	t.Logf("20000 commands: %d rejected, %d trades; book %d bid + %d ask levels, %d orders", rejected, trades, len(bids), len(asks), e.OpenOrders())
	if rejected > 200 || trades == 0 || e.OpenOrders() < 500 {
		t.Fatalf("benchmark stream is not the intended workload")
	}
}
