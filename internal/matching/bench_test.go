package matching_test

import (
	"slices"
	"testing"
	"time"

	"github.com/ballast-chain/ballast/internal/matching"
	"github.com/ballast-chain/ballast/internal/matching/workload"
)

// The exchange-core benchmark mix (package workload): about 9% GTC orders,
// 3% IOC orders, 6% cancels and 82% moves (cancel-replace of a resting
// order to a nearby price), over a book of about 1,000 resting orders on
// about 750 price levels. The stream is generated once against a warm,
// steady-state book and replayed; every benchCmds commands the engine is
// restored from the warm snapshot (timer stopped) so the stream stays
// valid.
const (
	benchCmds = 200_000
	benchSeed = 42
	// latencyPasses is how many times the latency pass replays the
	// stream, for a million samples behind the tail percentiles.
	latencyPasses = 5
)

var benchStream *workload.Stream

func exchangeCoreStream() *workload.Stream {
	if benchStream == nil {
		benchStream = workload.Generate(benchCmds, benchSeed)
	}
	return benchStream
}

func restore(tb testing.TB, s *workload.Stream) *matching.Engine {
	e, err := matching.Restore(workload.Market(), s.Snapshot)
	if err != nil {
		tb.Fatal(err)
	}
	return e
}

func percentile(sorted []int64, p float64) float64 {
	return float64(sorted[int(float64(len(sorted)-1)*p)])
}

// BenchmarkExchangeCoreMix measures the engine on the exchange-core mix and
// reports throughput (ops/s), per-command latency percentiles and the
// book's average shape over the stream (resting-orders, price-levels). The
// latency pass times each command with the monotonic clock, so its figures
// include about 20-40 ns of timer overhead.
func BenchmarkExchangeCoreMix(b *testing.B) {
	s := exchangeCoreStream()
	// One untimed pass so buffers and pages reach their steady size.
	e := restore(b, s)
	for i := range s.Cmds {
		e.Apply(&s.Cmds[i])
	}
	e = restore(b, s)
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	var paused time.Duration
	for i, k := 0, 0; i < b.N; i, k = i+1, k+1 {
		if k == len(s.Cmds) {
			b.StopTimer()
			t0 := time.Now()
			e, k = restore(b, s), 0
			paused += time.Since(t0)
			b.StartTimer()
		}
		e.Apply(&s.Cmds[k])
	}
	elapsed := time.Since(start) - paused
	b.StopTimer()
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "ops/s")

	lat := make([]int64, 0, latencyPasses*len(s.Cmds))
	for range latencyPasses {
		e = restore(b, s)
		for i := range s.Cmds {
			t0 := time.Now()
			e.Apply(&s.Cmds[i])
			lat = append(lat, int64(time.Since(t0)))
		}
	}
	slices.Sort(lat)
	b.ReportMetric(percentile(lat, 0.50), "p50-ns")
	b.ReportMetric(percentile(lat, 0.99), "p99-ns")
	b.ReportMetric(percentile(lat, 0.999), "p99.9-ns")

	// The book the engine worked on, in its own pass so that counting
	// does not disturb the caches between timed commands.
	e = restore(b, s)
	var orders, levels int
	for i := range s.Cmds {
		e.Apply(&s.Cmds[i])
		orders += e.OpenOrders()
		levels += e.Levels()
	}
	b.ReportMetric(float64(orders)/float64(len(s.Cmds)), "resting-orders")
	b.ReportMetric(float64(levels)/float64(len(s.Cmds)), "price-levels")
}

// BenchmarkExchangeCoreMixNaive runs the same stream through the naive
// reference model (maps and sorted slices), as the baseline.
func BenchmarkExchangeCoreMixNaive(b *testing.B) {
	s := exchangeCoreStream()
	warm := matching.NewRefBook(workload.Market())
	for _, c := range s.Warm {
		warm.Apply(c)
	}
	r := warm.Clone()
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	var paused time.Duration
	for i, k := 0, 0; i < b.N; i, k = i+1, k+1 {
		if k == len(s.Cmds) {
			b.StopTimer()
			t0 := time.Now()
			r, k = warm.Clone(), 0
			paused += time.Since(t0)
			b.StartTimer()
		}
		r.Apply(s.Cmds[k])
	}
	b.ReportMetric(float64(b.N)/(time.Since(start)-paused).Seconds(), "ops/s")
}

// TestExchangeCoreStreamMatchesReference keeps the baseline comparison
// honest: the stream produces the same events in the engine and in the
// reference model (workload's TestShape checks it is valid work of the
// intended shape).
func TestExchangeCoreStreamMatchesReference(t *testing.T) {
	if testing.Short() || matching.RaceEnabled {
		t.Skip("builds the benchmark stream")
	}
	s := exchangeCoreStream()
	e := restore(t, s)
	r := matching.NewRefBook(workload.Market())
	for _, c := range s.Warm {
		r.Apply(c)
	}
	for i := range s.Cmds[:20_000] {
		got := e.Apply(&s.Cmds[i])
		want := r.Apply(s.Cmds[i])
		if !slices.Equal(got, want) {
			t.Fatalf("command %d %+v: engine %+v, reference %+v", i, s.Cmds[i], got, want)
		}
	}
	t.Logf("stream mix %+v; book %.0f orders on %.0f levels", s.Mix, s.Orders, s.Levels)
}
