package workload

import (
	"math"
	"testing"

	"github.com/ballast-chain/ballast/internal/matching"
)

// TestShape keeps the workload what the benchmarks claim: the exchange-core
// mix over a book of about 1,000 orders on about 750 levels, made only of
// commands the engine accepts, and reproducible by replay.
func TestShape(t *testing.T) {
	if testing.Short() {
		t.Skip("generates the benchmark stream")
	}
	const n = 200_000
	s := Generate(n, 42)
	t.Logf("mix %+v; book %.0f orders on %.0f levels", s.Mix, s.Orders, s.Levels)
	for _, k := range []struct {
		name      string
		got, want float64
	}{
		{"GTC", float64(s.Mix.GTC) / n, 0.09},
		{"IOC", float64(s.Mix.IOC) / n, 0.03},
		{"cancel", float64(s.Mix.Cancel) / n, 0.06},
		{"move", float64(s.Mix.Move) / n, 0.82},
	} {
		if math.Abs(k.got-k.want) > 0.005 {
			t.Errorf("%s share %.3f, want %.2f", k.name, k.got, k.want)
		}
	}
	if math.Abs(s.Orders-1000) > 50 || math.Abs(s.Levels-750) > 40 {
		t.Errorf("book averages %.0f orders on %.0f levels, want about 1000 on 750", s.Orders, s.Levels)
	}

	// Replaying Warm from empty reproduces the snapshot, and the stream
	// then runs without a rejection and with trades.
	e, err := matching.New(Market())
	if err != nil {
		t.Fatal(err)
	}
	for i := range s.Warm {
		e.Apply(&s.Warm[i])
	}
	if string(e.AppendSnapshot(nil)) != string(s.Snapshot) {
		t.Fatal("replaying Warm does not reproduce Snapshot")
	}
	var trades int
	for i := range s.Cmds {
		for _, ev := range e.Apply(&s.Cmds[i]) {
			switch ev.Kind {
			case matching.EvRejected:
				t.Fatalf("command %d %+v rejected: %s", i, s.Cmds[i], ev.Reason.Message())
			case matching.EvTrade:
				trades++
			}
		}
	}
	if trades < n/50 {
		t.Errorf("%d trades in %d commands", trades, n)
	}
}
