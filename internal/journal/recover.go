package journal

import (
	"errors"
	"os"
	"path/filepath"
	"strings"

	"github.com/ballast-chain/ballast/internal/matching"
)

// recovered is the outcome of recovery: the engine state after the last
// journaled command and where the log continues.
type recovered struct {
	eng      *matching.Engine
	seq      uint64 // last command seq applied
	snapSeq  uint64 // seq of the snapshot recovery started from
	segments []uint64
}

// recoverDir rebuilds the engine from dir: the newest snapshot that
// verifies, then every logged command after it, in order, calling replay
// for each. A torn tail on the last segment (a crash mid-write) is cut off;
// any other damage, a gap in the sequence, or a log that does not reach
// back to the snapshot is ErrCorrupt, because then recovery cannot tell
// what was acknowledged.
func recoverDir(dir string, cfg matching.Config, replay func(uint64, *matching.Command, []matching.Event)) (*recovered, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, ruleError(ErrIO, err, "create journal directory")
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, ruleError(ErrIO, err, "read journal directory")
	}
	for _, e := range ents {
		if strings.HasSuffix(e.Name(), ".tmp") {
			// An interrupted snapshot write; the snapshot it would have
			// replaced is still in place.
			_ = os.Remove(filepath.Join(dir, e.Name()))
		}
	}
	rec := &recovered{}
	snaps, err := listFiles(dir, "snap-", ".snap")
	if err != nil {
		return nil, ruleError(ErrIO, err, "list snapshots")
	}
	var snapErr error
	for i := len(snaps) - 1; i >= 0 && rec.eng == nil; i-- {
		data, err := os.ReadFile(filepath.Join(dir, snapshotName(snaps[i])))
		if err != nil {
			return nil, ruleError(ErrIO, err, "read snapshot")
		}
		seq, payload, err := decodeSnapshotFile(data)
		if err == nil && seq != snaps[i] {
			err = ruleError(ErrCorrupt, nil, "snapshot %s claims seq %d", snapshotName(snaps[i]), seq)
		}
		var eng *matching.Engine
		if err == nil {
			eng, err = matching.Restore(cfg, payload)
		}
		if err != nil {
			if errors.Is(err, matching.ErrConfigMismatch) {
				return nil, ruleError(ErrCorrupt, err, "snapshot %s", snapshotName(snaps[i]))
			}
			// Fall back to an older snapshot; the log must then reach
			// back to it, which the gap check below enforces.
			snapErr = err
			continue
		}
		rec.eng, rec.seq, rec.snapSeq = eng, seq, seq
	}
	if rec.eng == nil {
		if rec.eng, err = matching.New(cfg); err != nil {
			return nil, err
		}
	}
	if rec.segments, err = listFiles(dir, "wal-", ".log"); err != nil {
		return nil, ruleError(ErrIO, err, "list log segments")
	}
	for i, first := range rec.segments {
		path := filepath.Join(dir, segmentName(first))
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, ruleError(ErrIO, err, "read %s", segmentName(first))
		}
		recs, good, mid := scanSegment(data)
		if good < len(data) {
			if i != len(rec.segments)-1 || mid {
				return nil, ruleError(ErrCorrupt, nil, "%s is damaged at byte %d, before its end", segmentName(first), good)
			}
			// Torn tail: nothing past the intact prefix was fsynced, so
			// nothing past it was acknowledged.
			if err := truncateFile(path, int64(good)); err != nil {
				return nil, ruleError(ErrIO, err, "truncate torn tail of %s", segmentName(first))
			}
		}
		for j, r := range recs {
			if r.Seq != first+uint64(j) {
				return nil, ruleError(ErrCorrupt, nil, "%s holds seq %d at position %d", segmentName(first), r.Seq, j)
			}
			if r.Seq <= rec.seq {
				continue // covered by the snapshot
			}
			if r.Seq != rec.seq+1 {
				return nil, ruleError(ErrCorrupt, snapErr, "log jumps from seq %d to %d", rec.seq, r.Seq)
			}
			evs := rec.eng.Apply(&r.Command)
			rec.seq = r.Seq
			if replay != nil {
				replay(r.Seq, &r.Command, evs)
			}
		}
	}
	if rec.snapSeq == 0 && snapErr != nil && rec.seq == 0 && len(snaps) > 0 {
		return nil, ruleError(ErrCorrupt, snapErr, "no usable snapshot and no log")
	}
	return rec, nil
}

func truncateFile(path string, size int64) error {
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	err = f.Truncate(size)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// ReadLog returns every intact record in dir's log segments, in order,
// without changing anything. A torn tail is ignored. It is for audits and
// tests; recovery uses Open.
func ReadLog(dir string) ([]Record, error) {
	segs, err := listFiles(dir, "wal-", ".log")
	if err != nil {
		return nil, ruleError(ErrIO, err, "list log segments")
	}
	var all []Record
	for _, first := range segs {
		data, err := os.ReadFile(filepath.Join(dir, segmentName(first)))
		if err != nil {
			return nil, ruleError(ErrIO, err, "read %s", segmentName(first))
		}
		recs, _, _ := scanSegment(data)
		all = append(all, recs...)
	}
	return all, nil
}
