package journal

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/ballast-chain/ballast/internal/matching"
	"github.com/ballast-chain/ballast/internal/matching/workload"
)

// The journaled benchmark replays the in-memory benchmark's stream
// (internal/matching BenchmarkExchangeCoreMix: same generator, length and
// seed), so both measure the same work on the same book.
const (
	benchCmds = 200_000
	benchSeed = 42
	// benchBatch commands per request and benchWindow requests in flight:
	// as many commands waiting on an fsync as 32 API connections each
	// with a batch of 256 outstanding.
	benchBatch  = 256
	benchWindow = 32
)

var benchStream *workload.Stream

// BenchmarkJournaledExchangeCoreMix measures commands made durable per
// second with the log on disk and group commit, and the latency from
// submitting a batch to its acknowledgement (after the fsync that covers
// it), reported per command: every command of a batch is acknowledged
// together.
//
// The stream names orders by the ids the engine assigns, so it must reach
// the sequencer in order. Concurrent SubmitBatch callers cannot guarantee
// that, so one goroutine enqueues requests as SubmitBatch does, without
// waiting, and another collects them in order, keeping benchWindow in
// flight. Every 200,000 commands the journal is reopened, untimed, on a
// fresh directory holding the stream's warm snapshot; recovery loads it,
// and the stream starts again from there.
func BenchmarkJournaledExchangeCoreMix(b *testing.B) {
	if benchStream == nil {
		benchStream = workload.Generate(benchCmds, benchSeed)
	}
	s := benchStream
	snapSeq := uint64(len(s.Warm))
	snapFile := encodeSnapshotFile(snapSeq, s.Snapshot)
	free := make(chan *request, benchWindow)
	for range benchWindow {
		free <- &request{done: make(chan struct{}, 1), evs: make([]matching.Event, 0, 8*benchBatch)}
	}
	lat := make([]int64, 0, b.N/benchBatch+2*(b.N/benchCmds+1))
	rejected := 0

	b.ReportAllocs()
	b.ResetTimer()
	b.StopTimer()
	var elapsed time.Duration
	for done := 0; done < b.N; {
		n := min(b.N-done, len(s.Cmds))
		dir, err := os.MkdirTemp(b.TempDir(), "j")
		if err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, snapshotName(snapSeq)), snapFile, 0o600); err != nil {
			b.Fatal(err)
		}
		j, err := Open(Options{Dir: dir, Market: workload.Market(), NoSnapshots: true, MaxBatch: maxBatchLimit})
		if err != nil {
			b.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		runDone := make(chan error, 1)
		go func() { runDone <- j.Run(ctx) }()
		type submitted struct {
			r  *request
			at time.Time
		}
		inflight := make(chan submitted, benchWindow)
		collected := make(chan struct{})
		go func() {
			defer close(collected)
			for sub := range inflight {
				r := sub.r
				<-r.done
				lat = append(lat, int64(time.Since(sub.at)))
				if r.err != nil {
					b.Error(r.err)
				}
				for i := range r.evs {
					if r.evs[i].Kind == matching.EvRejected {
						rejected++
					}
				}
				free <- r
			}
		}()

		b.StartTimer()
		start := time.Now()
		for k := 0; k < n; k += benchBatch {
			r := <-free
			r.cmds, r.evs, r.err = s.Cmds[k:min(k+benchBatch, n)], r.evs[:0], nil
			at := time.Now()
			j.reqs <- r
			inflight <- submitted{r, at}
		}
		close(inflight)
		<-collected
		elapsed += time.Since(start)
		b.StopTimer()

		cancel()
		if err := <-runDone; err != nil {
			b.Fatal(err)
		}
		if err := os.RemoveAll(dir); err != nil {
			b.Fatal(err)
		}
		done += n
	}
	if rejected > 0 {
		b.Fatalf("%d commands rejected: the stream did not reach the engine in order", rejected)
	}
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "ops/s")
	slices.Sort(lat)
	pct := func(p float64) float64 { return float64(lat[int(float64(len(lat)-1)*p)]) }
	b.ReportMetric(pct(0.50), "p50-ns")
	b.ReportMetric(pct(0.99), "p99-ns")
	b.ReportMetric(pct(0.999), "p99.9-ns")
	// The book is the in-memory benchmark's: the same commands through the
	// same deterministic engine.
	b.ReportMetric(s.Orders, "resting-orders")
	b.ReportMetric(s.Levels, "price-levels")
}
