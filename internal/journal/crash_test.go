package journal

import (
	"bufio"
	"context"
	"encoding/hex"
	"fmt"
	"hash/fnv"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ballast-chain/ballast/internal/matching"
	"github.com/google/go-cmp/cmp"
)

const childEnv = "BALLAST_JOURNAL_CRASH_CHILD"

func crashMarket() matching.Config {
	return matching.Config{
		MinPrice: 100, MaxPrice: 2000, TickSize: 5,
		MinQty: 10, MaxQty: 10_000, StepSize: 10,
		MinNotional: 1_000, IcebergParts: 10, MaxOpenOrders: 50,
		MakerFeePPM: 1000, TakerFeePPM: 2000,
	}
}

func crashOptions(dir string) Options {
	return Options{Dir: dir, Market: crashMarket(), SnapshotEvery: 250, MaxBatch: 64, KeepHistory: true}
}

// digest is a compact fingerprint of a command's events, printed in
// acknowledgements so the parent can check that what a client was told
// is exactly what replay produces.
func digest(evs []matching.Event) uint64 {
	h := fnv.New64a()
	var buf []byte
	for i := range evs {
		buf = matching.AppendEvent(buf[:0], &evs[i])
		h.Write(buf)
	}
	return h.Sum64()
}

// childCommand makes worker g's next command; ids are orders the worker
// saw accepted, so cancels and amends mostly hit.
func childCommand(rng *rand.Rand, ids []uint64, account uint64) matching.Command {
	c := matching.Command{Kind: matching.CmdNew, Account: account, Side: matching.Side(1 + rng.IntN(2))}
	switch p := rng.IntN(100); {
	case p < 60:
		c.Type, c.TIF = matching.Limit, [...]matching.TimeInForce{matching.GTC, matching.GTC, matching.IOC}[rng.IntN(3)]
		c.Price, c.Qty = 950+5*rng.Int64N(21), 10*(1+rng.Int64N(20))
	case p < 70:
		c.Type, c.Qty = matching.Market, 10*(1+rng.Int64N(10))
	case p < 75:
		c.Type, c.StopPrice, c.Qty = matching.StopLoss, 950+5*rng.Int64N(21), 10*(1+rng.Int64N(10))
	case p < 90 && len(ids) > 0:
		c = matching.Command{Kind: matching.CmdCancel, Account: account, OrderID: ids[rng.IntN(len(ids))]}
	default:
		if len(ids) > 0 {
			c = matching.Command{Kind: matching.CmdAmend, Account: account, OrderID: ids[rng.IntN(len(ids))], Qty: 10}
		}
	}
	return c
}

// TestHelperProcess is the child of TestCrashSIGKILL: it recovers the
// journal, then four workers submit commands concurrently, printing each
// command before submitting it ("S") and its acknowledgement after it is
// durable ("A"), until the parent kills the process.
func TestHelperProcess(t *testing.T) {
	if os.Getenv(childEnv) != "1" {
		t.Skip("crash-test child; run by TestCrashSIGKILL")
	}
	dir := os.Getenv("BALLAST_JOURNAL_DIR")
	round, _ := strconv.ParseUint(os.Getenv("BALLAST_JOURNAL_ROUND"), 10, 64)
	seed, _ := strconv.ParseUint(os.Getenv("BALLAST_JOURNAL_SEED"), 10, 64)
	var outMu sync.Mutex
	say := func(format string, args ...any) {
		outMu.Lock()
		defer outMu.Unlock()
		// One write call per line: a line written is in the pipe, so
		// SIGKILL cannot lose it.
		os.Stdout.Write([]byte(fmt.Sprintf(format, args...) + "\n"))
	}
	j, err := Open(crashOptions(dir))
	if err != nil {
		say("E %v", err)
		os.Exit(3)
	}
	say("R %d", j.Seq())
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	go j.Run(ctx)
	var wg sync.WaitGroup
	for g := uint64(0); g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(seed, round<<8|g))
			var ids []uint64
			var evs []matching.Event
			for i := uint64(0); ctx.Err() == nil; i++ {
				c := childCommand(rng, ids, 1+g%3)
				c.Ref = round<<48 | g<<32 | i
				say("S %d %s", c.Ref, hex.EncodeToString(matching.AppendCommand(nil, &c)))
				var seq uint64
				evs, seq, err = j.Submit(ctx, &c, evs)
				if err != nil {
					return
				}
				for _, ev := range evs {
					if ev.Kind == matching.EvAccepted {
						ids = append(ids, ev.OrderID)
					}
				}
				say("A %d %d %d", c.Ref, seq, digest(evs))
			}
		}()
	}
	wg.Wait()
	os.Exit(0)
}

type ack struct{ ref, seq, digest uint64 }

// TestCrashSIGKILL runs the child, SIGKILLs it at a random point, restarts
// it (which recovers), three times over, then checks that every
// acknowledged command is in the log at its acknowledged seq with the
// acknowledged result, that the log holds nothing that was not sent, and
// that recovery (from snapshots, and from the log alone) reproduces the
// in-memory replay's output stream exactly.
func TestCrashSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	seed := uint64(20240917)
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 1))
	dir := t.TempDir()
	sent := map[uint64]string{}
	var acks []ack
	var maxAcked uint64
	for round := 0; round < 3; round++ {
		killAfter := 20 + rng.IntN(300)
		cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$", "-test.count=1")
		cmd.Env = append(os.Environ(), childEnv+"=1", "BALLAST_JOURNAL_DIR="+dir,
			fmt.Sprintf("BALLAST_JOURNAL_ROUND=%d", round), fmt.Sprintf("BALLAST_JOURNAL_SEED=%d", seed))
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		killed := false
		timer := time.AfterFunc(15*time.Second, func() { cmd.Process.Kill() })
		sc := bufio.NewScanner(out)
		roundAcks := 0
		for sc.Scan() {
			f := strings.Fields(sc.Text())
			switch {
			case len(f) == 2 && f[0] == "R":
				recovered, _ := strconv.ParseUint(f[1], 10, 64)
				if recovered < maxAcked {
					t.Fatalf("round %d recovered to seq %d, but seq %d was acknowledged", round, recovered, maxAcked)
				}
			case len(f) == 3 && f[0] == "S":
				ref, _ := strconv.ParseUint(f[1], 10, 64)
				sent[ref] = f[2]
			case len(f) == 4 && f[0] == "A":
				var a ack
				a.ref, _ = strconv.ParseUint(f[1], 10, 64)
				a.seq, _ = strconv.ParseUint(f[2], 10, 64)
				a.digest, _ = strconv.ParseUint(f[3], 10, 64)
				acks = append(acks, a)
				maxAcked = max(maxAcked, a.seq)
				roundAcks++
				if roundAcks == killAfter && !killed {
					killed = true
					if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
						t.Fatal(err)
					}
				}
			case len(f) > 0 && f[0] == "E":
				t.Fatalf("child: %s", sc.Text())
			}
		}
		io.Copy(io.Discard, out)
		err = cmd.Wait()
		timer.Stop()
		if !killed {
			t.Fatalf("round %d: child ended before being killed: %v", round, err)
		}
		t.Logf("round %d: killed after %d acknowledgements (%v)", round, roundAcks, err)
	}

	recs, err := ReadLog(dir)
	if err != nil {
		t.Fatal(err)
	}
	bySeq := map[uint64]matching.Command{}
	seenRef := map[uint64]bool{}
	for i, r := range recs {
		if r.Seq != uint64(i+1) {
			t.Fatalf("log position %d holds seq %d", i, r.Seq)
		}
		h, ok := sent[r.Command.Ref]
		if !ok || seenRef[r.Command.Ref] {
			t.Fatalf("seq %d: command ref %d was never sent, or is logged twice", r.Seq, r.Command.Ref)
		}
		seenRef[r.Command.Ref] = true
		if got := hex.EncodeToString(matching.AppendCommand(nil, &r.Command)); got != h {
			t.Fatalf("seq %d: logged command differs from the one sent", r.Seq)
		}
		bySeq[r.Seq] = r.Command
	}

	// In-memory replay of the logged commands.
	mem, err := matching.New(crashMarket())
	if err != nil {
		t.Fatal(err)
	}
	var memStream []matching.Event
	memDigest := map[uint64]uint64{}
	for i := range recs {
		evs := mem.Apply(&recs[i].Command)
		memDigest[recs[i].Seq] = digest(evs)
		memStream = append(memStream, evs...)
	}
	for _, a := range acks {
		c, ok := bySeq[a.seq]
		if !ok || c.Ref != a.ref {
			t.Fatalf("acknowledged command ref %d at seq %d is not in the log", a.ref, a.seq)
		}
		if memDigest[a.seq] != a.digest {
			t.Fatalf("seq %d: acknowledged events differ from replay", a.seq)
		}
	}
	t.Logf("%d commands logged, %d acknowledged, %d events", len(recs), len(acks), len(memStream))

	// Recovery from the newest snapshot plus the log after it.
	var replayed []matching.Event
	opts := crashOptions(dir)
	opts.Replay = func(_ uint64, _ *matching.Command, evs []matching.Event) { replayed = append(replayed, evs...) }
	j, err := Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	if j.Seq() != uint64(len(recs)) {
		t.Fatalf("recovered to seq %d, log has %d", j.Seq(), len(recs))
	}
	if len(replayed) > 0 {
		tail := memStream[len(memStream)-len(replayed):]
		if diff := cmp.Diff(tail, replayed); diff != "" {
			t.Fatalf("replay after snapshot differs from in-memory stream:\n%s", diff)
		}
	}
	if string(j.Engine().AppendSnapshot(nil)) != string(mem.AppendSnapshot(nil)) {
		t.Fatal("recovered engine state differs from in-memory replay")
	}
	j.f.Close()

	// Recovery from the log alone must reproduce the whole stream.
	logOnly := t.TempDir()
	segs, _ := listFiles(dir, "wal-", ".log")
	for _, s := range segs {
		data, err := os.ReadFile(filepath.Join(dir, segmentName(s)))
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(logOnly, segmentName(s)), data, 0o600)
	}
	var full []matching.Event
	opts = crashOptions(logOnly)
	opts.Replay = func(_ uint64, _ *matching.Command, evs []matching.Event) { full = append(full, evs...) }
	j2, err := Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	j2.f.Close()
	if diff := cmp.Diff(memStream, full); diff != "" {
		t.Fatalf("full replay differs from in-memory stream:\n%s", diff)
	}
}
