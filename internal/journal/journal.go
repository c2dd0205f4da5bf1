package journal

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ballast-chain/ballast/internal/matching"
)

// maxBatchLimit caps Options.MaxBatch; it also sizes the torn-tail window
// recovery tolerates (maxUnsynced).
const maxBatchLimit = 4096

// inFlight is the number of batch buffers cycling between the sequencer
// and the syncer: one being synced while the next is filled.
const inFlight = 8

// Options configures a Journal. The zero value of each field means its
// default.
type Options struct {
	// Dir holds the log segments and snapshots. Required.
	Dir string
	// Market is the engine configuration; it must be the same on every
	// open of Dir (snapshots record its fingerprint).
	Market matching.Config
	// SnapshotEvery is the number of commands between snapshots; 0 means
	// 1,000,000. Snapshots bound recovery time: replay runs at millions of
	// commands per second.
	SnapshotEvery uint64
	// NoSnapshots disables periodic snapshots (recovery then replays the
	// whole log).
	NoSnapshots bool
	// MaxBatch bounds the commands covered by one write and fsync; 0 means
	// 1024. At most 4096.
	MaxBatch int
	// KeepHistory keeps every segment and snapshot instead of deleting
	// those older than the previous snapshot (audits, tests).
	KeepHistory bool
	// Replay, if set, is called during Open for every command replayed
	// from the log after the snapshot, with the events it produced (valid
	// only during the call).
	Replay func(seq uint64, cmd *matching.Command, evs []matching.Event)
	// Durable, if set, is called by Run for every submission once the
	// fsync covering it has returned, in seq order and before its Submit
	// returns, with the events it produced (valid only during the call).
	// One goroutine makes every call, so a caller can apply events to
	// derived state in order without a reorder buffer; it must not
	// block or call Submit.
	Durable func(evs []matching.Event)
}

func (o *Options) withDefaults() (Options, error) {
	v := *o
	if v.Dir == "" {
		return v, ruleError(ErrInvalidOptions, nil, "Dir is required")
	}
	if v.SnapshotEvery == 0 {
		v.SnapshotEvery = 1_000_000
	}
	if v.MaxBatch == 0 {
		v.MaxBatch = 1024
	}
	if v.MaxBatch < 0 || v.MaxBatch > maxBatchLimit {
		return v, ruleError(ErrInvalidOptions, nil, "MaxBatch must be in 1..%d", maxBatchLimit)
	}
	return v, nil
}

// Journal is a durable matching engine for one market. Commands go through
// Submit; Run sequences them, writes them to the log, applies them to the
// engine and releases each result only after an fsync has covered it.
type Journal struct {
	opts     Options
	eng      *matching.Engine
	seq      uint64 // last command seq, owned by the sequencer
	lastSnap uint64
	prevSnap uint64
	f        *os.File

	off       int64 // where the next batch goes in f
	allocEnd  int64 // f is preallocated (zeros, synced) up to here
	chunk     int64 // size of the last preallocation
	extending bool  // a preallocation runs; its result comes on ext
	ext       chan extension

	reqs  chan *request
	free  chan *batch
	syncq chan *batch

	carry *request // taken from reqs but too big for the last batch

	mu     sync.RWMutex // guards closed against senders
	closed bool
	runMu  sync.Mutex

	syncs, synced, syncNanos, maxSync atomic.Uint64 // Stats
}

// Stats counts the journal's fsyncs since Open.
type Stats struct {
	Syncs    uint64        // fsync calls on the log
	Commands uint64        // commands they covered
	SyncTime time.Duration // total time spent in them
	MaxSync  time.Duration // the longest
}

// Stats returns the fsync counters; safe to call while Run runs.
func (j *Journal) Stats() Stats {
	return Stats{Syncs: j.syncs.Load(), Commands: j.synced.Load(), SyncTime: time.Duration(j.syncNanos.Load()),
		MaxSync: time.Duration(j.maxSync.Load())}
}

type request struct {
	one  [1]matching.Command
	cmds []matching.Command
	evs  []matching.Event
	seq  uint64 // seq of the first command
	err  error
	done chan struct{}
}

type batch struct {
	buf  []byte
	reqs []*request
	f    *os.File
}

var reqPool = sync.Pool{New: func() any { return &request{done: make(chan struct{}, 1)} }}

// Open recovers the journal in opts.Dir (creating it if needed) and returns
// a Journal ready to Run. Recovery is the newest valid snapshot plus a
// replay of the log after it; see recoverDir.
func Open(opts Options) (*Journal, error) {
	o, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	rec, err := recoverDir(o.Dir, o.Market, o.Replay)
	if err != nil {
		return nil, err
	}
	j := &Journal{
		opts: o, eng: rec.eng, seq: rec.seq, lastSnap: rec.snapSeq, prevSnap: rec.snapSeq,
		reqs:  make(chan *request, o.MaxBatch),
		ext:   make(chan extension, 1),
		free:  make(chan *batch, inFlight),
		syncq: make(chan *batch, inFlight),
	}
	for range inFlight {
		j.free <- &batch{buf: make([]byte, 0, o.MaxBatch*recordSize)}
	}
	// Continue in a fresh segment so nothing is ever appended after a cut
	// tail; an existing empty segment of the same name is reused.
	if err := j.openSegment(rec.seq + 1); err != nil {
		return nil, err
	}
	return j, nil
}

func (j *Journal) openSegment(first uint64) error {
	f, err := os.OpenFile(filepath.Join(j.opts.Dir, segmentName(first)), os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return ruleError(ErrIO, err, "create log segment")
	}
	if err = zeroFill(f, 0, preallocFirst); err == nil {
		err = f.Sync()
	}
	if err != nil {
		f.Close()
		return ruleError(ErrIO, err, "preallocate log segment")
	}
	if err := syncDir(j.opts.Dir); err != nil {
		f.Close()
		return ruleError(ErrIO, err, "sync journal directory")
	}
	j.f, j.off, j.allocEnd, j.chunk = f, 0, preallocFirst, preallocFirst
	return nil
}

// closeSegment waits for a running preallocation and closes the segment,
// cut to its records first if cut is set.
func (j *Journal) closeSegment(cut bool) error {
	err := j.collect(true)
	if cut && err == nil {
		if err = j.f.Truncate(j.off); err == nil {
			err = j.f.Sync()
		}
	}
	if cerr := j.f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return ruleError(ErrIO, err, "close log segment")
	}
	return nil
}

// Seq returns the seq of the last journaled command. Call it only when Run
// is not running.
func (j *Journal) Seq() uint64 { return j.seq }

// Engine returns the engine. It must not be used while Run is running: the
// sequencer owns it then.
func (j *Journal) Engine() *matching.Engine { return j.eng }

// Submit journals one command and returns the events it produced (appended
// to dst[:0]) and its seq, once the command is durable. After a command has
// been handed to the sequencer, Submit waits for its outcome even if ctx is
// cancelled, so an error never hides a command that was in fact committed.
func (j *Journal) Submit(ctx context.Context, c *matching.Command, dst []matching.Event) ([]matching.Event, uint64, error) {
	r := reqPool.Get().(*request)
	r.one[0] = *c
	r.cmds = r.one[:]
	return j.do(ctx, r, dst)
}

// SubmitBatch journals cmds in order as consecutive seqs and returns all
// their events and the seq of the first, once all are durable.
func (j *Journal) SubmitBatch(ctx context.Context, cmds []matching.Command, dst []matching.Event) ([]matching.Event, uint64, error) {
	if len(cmds) > j.opts.MaxBatch {
		return dst, 0, ruleError(ErrInvalidOptions, nil, "batch of %d exceeds MaxBatch %d", len(cmds), j.opts.MaxBatch)
	}
	r := reqPool.Get().(*request)
	r.cmds = cmds
	return j.do(ctx, r, dst)
}

func (j *Journal) do(ctx context.Context, r *request, dst []matching.Event) ([]matching.Event, uint64, error) {
	r.evs, r.err, r.seq = dst[:0], nil, 0
	j.mu.RLock()
	if j.closed {
		j.mu.RUnlock()
		reqPool.Put(r)
		return dst, 0, ruleError(ErrClosed, nil, "journal is not running")
	}
	select {
	case j.reqs <- r:
	case <-ctx.Done():
		j.mu.RUnlock()
		reqPool.Put(r)
		return dst, 0, ctx.Err()
	}
	j.mu.RUnlock()
	<-r.done
	evs, seq, err := r.evs, r.seq, r.err
	r.evs, r.cmds = nil, nil
	reqPool.Put(r)
	return evs, seq, err
}

// Run sequences submitted commands until ctx is done or an I/O error
// occurs, then answers every pending submission with ErrClosed (or the I/O
// error) and closes the log. It may be called once.
func (j *Journal) Run(ctx context.Context) error {
	if !j.runMu.TryLock() {
		return ruleError(ErrClosed, nil, "Run called twice")
	}
	syncDone := make(chan error, 1)
	go func() { syncDone <- j.syncer() }()

	err := j.sequence(ctx)
	if j.carry != nil {
		j.carry.err = ruleError(ErrClosed, nil, "journal stopped")
		if err != nil {
			j.carry.err = err
		}
		j.carry.done <- struct{}{}
		j.carry = nil
	}
	close(j.syncq)
	if serr := <-syncDone; err == nil {
		err = serr
	}
	// Refuse new senders, answering those already waiting to send, then
	// answer whatever is buffered.
	closing := make(chan struct{})
	go func() {
		j.mu.Lock()
		j.closed = true
		j.mu.Unlock()
		close(closing)
	}()
	final := err
	if final == nil {
		final = ruleError(ErrClosed, nil, "journal stopped")
	}
	for waiting := true; waiting; {
		select {
		case r := <-j.reqs:
			r.err = final
			r.done <- struct{}{}
		case <-closing:
			waiting = false
		}
	}
	for len(j.reqs) > 0 {
		r := <-j.reqs
		r.err = final
		r.done <- struct{}{}
	}
	if cerr := j.closeSegment(false); err == nil {
		err = cerr
	}
	if ctx.Err() != nil && err == nil {
		return nil
	}
	return err
}

// sequence is the single writer: it gathers pending requests into a batch,
// assigns seqs, encodes records, applies the commands, writes the batch
// with one write call and hands it to the syncer. While the syncer fsyncs
// one batch the sequencer fills the next.
func (j *Journal) sequence(ctx context.Context) error {
	for {
		r := j.carry
		j.carry = nil
		if r == nil {
			select {
			case r = <-j.reqs:
			case <-ctx.Done():
				return nil
			}
		}
		b := <-j.free
		b.buf, b.reqs, b.f = b.buf[:0], append(b.reqs[:0], r), j.f
		n := len(r.cmds)
	gather:
		for n < j.opts.MaxBatch {
			select {
			case r2 := <-j.reqs:
				if n+len(r2.cmds) > j.opts.MaxBatch {
					// Keep batches within the torn-tail window; the
					// request goes first in the next batch.
					j.carry = r2
					break gather
				}
				b.reqs = append(b.reqs, r2)
				n += len(r2.cmds)
			default:
				break gather
			}
		}
		for _, r := range b.reqs {
			r.seq = j.seq + 1
			for i := range r.cmds {
				j.seq++
				b.buf = appendRecord(b.buf, j.seq, &r.cmds[i])
				r.evs = append(r.evs, j.eng.Apply(&r.cmds[i])...)
			}
		}
		if err := j.write(b.buf); err != nil {
			err = ruleError(ErrIO, err, "write log")
			j.answer(b, err)
			return err
		}
		j.syncq <- b
		if !j.opts.NoSnapshots && j.seq-j.lastSnap >= j.opts.SnapshotEvery {
			if err := j.snapshot(); err != nil {
				return err
			}
		}
	}
}

// syncer fsyncs written batches and hands them to release. Batches that
// queue up while an fsync runs are covered by the next single fsync: that
// is the group commit. Releasing (Durable and answering the submitters)
// runs in its own goroutine, so the next fsync starts as soon as the
// previous one returns.
func (j *Journal) syncer() error {
	type synced struct {
		b   *batch
		err error
	}
	relq := make(chan synced, inFlight) // at most inFlight batches exist
	released := make(chan struct{})
	go func() {
		defer close(released)
		for s := range relq {
			if s.err == nil && j.opts.Durable != nil {
				for _, r := range s.b.reqs {
					j.opts.Durable(r.evs)
				}
			}
			j.answer(s.b, s.err)
			j.free <- s.b
		}
	}()
	var failed error
	var group []*batch
	for b := range j.syncq {
		group = append(group[:0], b)
	more:
		for {
			select {
			case b2, ok := <-j.syncq:
				if !ok {
					break more
				}
				group = append(group, b2)
			default:
				break more
			}
		}
		if failed == nil {
			start := time.Now()
			if err := syncData(group[len(group)-1].f); err != nil {
				failed = ruleError(ErrIO, err, "fsync log")
			}
			d := uint64(time.Since(start))
			j.syncNanos.Add(d)
			if d > j.maxSync.Load() {
				j.maxSync.Store(d) // one writer: this goroutine
			}
			j.syncs.Add(1)
			n := 0
			for _, g := range group {
				for _, r := range g.reqs {
					n += len(r.cmds)
				}
			}
			j.synced.Add(uint64(n))
		}
		for _, g := range group {
			relq <- synced{g, failed}
		}
		clear(group)
	}
	close(relq)
	<-released
	return failed
}

func (j *Journal) answer(b *batch, err error) {
	for _, r := range b.reqs {
		r.err = err
		r.done <- struct{}{}
	}
	clear(b.reqs)
	b.reqs = b.reqs[:0]
}

// snapshot waits until every written batch is synced, writes the engine
// state atomically, starts a new segment and prunes old files.
func (j *Journal) snapshot() error {
	var held [inFlight]*batch
	for i := range held {
		held[i] = <-j.free // all batches back: everything written is synced
	}
	defer func() {
		for _, b := range held {
			j.free <- b
		}
	}()
	data := encodeSnapshotFile(j.seq, j.eng.AppendSnapshot(nil))
	if err := writeFileAtomic(j.opts.Dir, snapshotName(j.seq), data); err != nil {
		return ruleError(ErrIO, err, "write snapshot")
	}
	if err := j.closeSegment(true); err != nil {
		return err
	}
	if err := j.openSegment(j.seq + 1); err != nil {
		return err
	}
	j.prevSnap, j.lastSnap = j.lastSnap, j.seq
	if !j.opts.KeepHistory {
		j.prune()
	}
	return nil
}

// prune deletes snapshots older than the previous one and segments whose
// every record precedes it, keeping one older snapshot to fall back on.
func (j *Journal) prune() {
	keep := j.prevSnap
	if snaps, err := listFiles(j.opts.Dir, "snap-", ".snap"); err == nil {
		for _, s := range snaps {
			if s < keep {
				_ = os.Remove(filepath.Join(j.opts.Dir, snapshotName(s)))
			}
		}
	}
	if segs, err := listFiles(j.opts.Dir, "wal-", ".log"); err == nil {
		for i := 0; i+1 < len(segs); i++ {
			if segs[i+1] <= keep+1 {
				_ = os.Remove(filepath.Join(j.opts.Dir, segmentName(segs[i])))
			}
		}
	}
}
