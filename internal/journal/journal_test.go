package journal

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/ballast-chain/ballast/internal/matching"
)

func limit(account uint64, side matching.Side, price, qty int64) matching.Command {
	return matching.Command{Kind: matching.CmdNew, Account: account, Side: side, Type: matching.Limit,
		TIF: matching.GTC, Price: price, Qty: qty}
}

// runJournal opens dir, runs the journal and returns a stop function that
// waits for Run to return.
func runJournal(t *testing.T, opts Options) (*Journal, func()) {
	t.Helper()
	j, err := Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- j.Run(ctx) }()
	return j, func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	}
}

func TestSubmitRecoverRoundTrip(t *testing.T) {
	dir := t.TempDir()
	opts := Options{Dir: dir, Market: crashMarket(), SnapshotEvery: 7}
	j, stop := runJournal(t, opts)
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 25 {
				c := limit(uint64(g+1), matching.Side(1+i%2), 1000+5*int64(i%3), 10)
				if _, _, err := j.Submit(context.Background(), &c, nil); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	batch := []matching.Command{limit(9, matching.Buy, 900, 20), limit(9, matching.Sell, 1900, 20)}
	evs, seq, err := j.SubmitBatch(context.Background(), batch, nil)
	if err != nil || seq != 101 || len(evs) < 4 {
		t.Fatalf("SubmitBatch: seq %d, %d events, %v", seq, len(evs), err)
	}
	stop()
	want := j.Engine().AppendSnapshot(nil)
	if _, _, err := j.Submit(context.Background(), &batch[0], nil); !errors.Is(err, ErrClosed) {
		t.Fatalf("Submit after Run returned: %v, want ErrClosed", err)
	}

	j2, err := Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	defer j2.f.Close()
	if j2.Seq() != 102 || !bytes.Equal(j2.Engine().AppendSnapshot(nil), want) {
		t.Fatalf("recovered seq %d; state equal %v", j2.Seq(), bytes.Equal(j2.Engine().AppendSnapshot(nil), want))
	}
	// Pruning keeps one previous snapshot and the log after it.
	snaps, _ := listFiles(dir, "snap-", ".snap")
	if len(snaps) != 2 {
		t.Fatalf("kept snapshots %v, want the last two", snaps)
	}
}

// writeLog journals n commands without snapshots and returns the path of
// the single segment.
func writeLog(t *testing.T, dir string, n int) string {
	t.Helper()
	j, stop := runJournal(t, Options{Dir: dir, Market: crashMarket(), NoSnapshots: true})
	var cmds []matching.Command
	for i := range n {
		cmds = append(cmds, limit(1, matching.Side(1+i%2), 1000+5*int64(i%4), 10))
		if len(cmds) == 512 || i == n-1 {
			if _, _, err := j.SubmitBatch(context.Background(), cmds, nil); err != nil {
				t.Fatal(err)
			}
			cmds = cmds[:0]
		}
	}
	stop()
	return filepath.Join(dir, segmentName(1))
}

func TestTornTailIsCut(t *testing.T) {
	for _, cut := range []int{1, headerSize, recordSize - 1} {
		dir := t.TempDir()
		path := writeLog(t, dir, 10)
		data, _ := os.ReadFile(path)
		// Keep 9 whole records plus a torn tenth.
		os.WriteFile(path, data[:9*recordSize+cut], 0o600)
		j, err := Open(Options{Dir: dir, Market: crashMarket()})
		if err != nil {
			t.Fatalf("cut %d: %v", cut, err)
		}
		j.f.Close()
		if j.Seq() != 9 {
			t.Fatalf("cut %d: recovered seq %d, want 9", cut, j.Seq())
		}
		if fi, _ := os.Stat(path); fi.Size() != 9*recordSize {
			t.Fatalf("cut %d: torn tail not truncated, size %d", cut, fi.Size())
		}
	}
}

func TestMidLogCorruptionRefused(t *testing.T) {
	dir := t.TempDir()
	n := maxUnsynced/recordSize + 50
	path := writeLog(t, dir, n)
	data, _ := os.ReadFile(path)
	data[3*recordSize+20] ^= 0xff // a record far from the tail
	os.WriteFile(path, data, 0o600)
	if _, err := Open(Options{Dir: dir, Market: crashMarket()}); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("Open with a corrupt middle record: %v, want ErrCorrupt", err)
	}
}

func TestCorruptSnapshotFallsBack(t *testing.T) {
	dir := t.TempDir()
	opts := Options{Dir: dir, Market: crashMarket(), SnapshotEvery: 5, KeepHistory: true}
	j, stop := runJournal(t, opts)
	for i := range 12 {
		c := limit(1, matching.Side(1+i%2), 1000+5*int64(i%4), 10)
		if _, _, err := j.Submit(context.Background(), &c, nil); err != nil {
			t.Fatal(err)
		}
	}
	stop()
	want := j.Engine().AppendSnapshot(nil)
	snaps, _ := listFiles(dir, "snap-", ".snap")
	if len(snaps) != 2 {
		t.Fatalf("snapshots %v", snaps)
	}
	last := filepath.Join(dir, snapshotName(snaps[1]))
	data, _ := os.ReadFile(last)
	data[len(data)-1] ^= 1
	os.WriteFile(last, data, 0o600)
	j2, err := Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	j2.f.Close()
	if j2.Seq() != 12 || !bytes.Equal(j2.Engine().AppendSnapshot(nil), want) {
		t.Fatal("fallback to the older snapshot did not reproduce the state")
	}
	// A different market configuration must not silently replay.
	other := opts
	other.Market.TakerFeePPM++
	if _, err := Open(other); !errors.Is(err, ErrCorrupt) || !errors.Is(err, matching.ErrConfigMismatch) {
		t.Fatalf("Open under another config: %v", err)
	}
}

// FuzzDecodeRecord checks that the record decoder never panics and that
// whatever it accepts re-encodes to the same bytes.
func FuzzDecodeRecord(f *testing.F) {
	c := limit(7, matching.Buy, 1000, 10)
	f.Add(appendRecord(nil, 1, &c))
	f.Add(appendRecord(nil, 99, &matching.Command{Kind: matching.CmdCancel, OrderID: 3}))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		r, n, ok := decodeRecord(b)
		if !ok {
			return
		}
		if again := appendRecord(nil, r.Seq, &r.Command); !bytes.Equal(again, b[:n]) {
			t.Fatalf("re-encoding differs")
		}
		scanSegment(b)
	})
}

// FuzzDecodeSnapshotFile checks the snapshot framing decoder and the engine
// snapshot decoder behind it never panic on arbitrary input.
func FuzzDecodeSnapshotFile(f *testing.F) {
	e, _ := matching.New(crashMarket())
	c := limit(1, matching.Buy, 1000, 10)
	e.Apply(&c)
	f.Add(encodeSnapshotFile(1, e.AppendSnapshot(nil)))
	f.Fuzz(func(t *testing.T, b []byte) {
		_, payload, err := decodeSnapshotFile(b)
		if err != nil {
			return
		}
		if e, err := matching.Restore(crashMarket(), payload); err == nil {
			if !bytes.Equal(e.AppendSnapshot(nil), payload) {
				t.Fatal("restored snapshot re-encodes differently")
			}
		}
	})
}

// TestPreallocatedSegments: the log grows through several preallocated
// chunks; a reopened journal finds every record and cuts the zero tail;
// segments closed at a snapshot hold exactly their records.
func TestPreallocatedSegments(t *testing.T) {
	dir := t.TempDir()
	const n = 12_000 // about 1 MB of records: chunks of 64 KiB, 128 KiB, ... 1 MiB
	path := writeLog(t, dir, n)
	if fi, _ := os.Stat(path); fi.Size() <= n*recordSize {
		t.Fatalf("segment of %d bytes for %d bytes of records: not preallocated", fi.Size(), n*recordSize)
	}
	j, err := Open(Options{Dir: dir, Market: crashMarket(), NoSnapshots: true})
	if err != nil {
		t.Fatal(err)
	}
	j.f.Close()
	if j.Seq() != n {
		t.Fatalf("recovered seq %d, want %d", j.Seq(), n)
	}
	if fi, _ := os.Stat(path); fi.Size() != n*recordSize {
		t.Fatalf("zero tail not cut: size %d, want %d", fi.Size(), n*recordSize)
	}

	dir = t.TempDir()
	j, stop := runJournal(t, Options{Dir: dir, Market: crashMarket(), SnapshotEvery: 3000, KeepHistory: true})
	cmds := make([]matching.Command, 0, 500)
	for i := range n {
		cmds = append(cmds, limit(1, matching.Side(1+i%2), 1000+5*int64(i%4), 10))
		if len(cmds) == cap(cmds) {
			if _, _, err := j.SubmitBatch(context.Background(), cmds, nil); err != nil {
				t.Fatal(err)
			}
			cmds = cmds[:0]
		}
	}
	stop()
	segs, _ := listFiles(dir, "wal-", ".log")
	if len(segs) < 4 {
		t.Fatalf("segments %v", segs)
	}
	for i, s := range segs[:len(segs)-1] {
		fi, _ := os.Stat(filepath.Join(dir, segmentName(s)))
		if want := int64(segs[i+1]-s) * recordSize; fi.Size() != want {
			t.Fatalf("closed segment %d: %d bytes, want %d", s, fi.Size(), want)
		}
	}
	recs, err := ReadLog(dir)
	if err != nil || len(recs) != n || recs[n-1].Seq != n {
		t.Fatalf("ReadLog: %d records, %v", len(recs), err)
	}
}
