// Package store is Ballast's embedded storage: one pebble database in the
// node's data directory. It knows nothing of blocks or outputs; the chain
// package owns the keyspace. Writes that must survive a crash together go in
// one Batch committed with Sync.
package store

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/cockroachdb/pebble/v2"
)

// ErrNotFound is returned by Get for a missing key.
var ErrNotFound = errors.New("store: not found")

// Config configures the database.
type Config struct {
	// Dir is the database directory; created if missing.
	Dir string
	// CacheBytes sizes pebble's block cache. Zero means 64 MiB.
	CacheBytes int64
	// Logger receives pebble's event log (at debug level). Nil discards.
	Logger *slog.Logger
}

// memTableBytes sizes pebble's memtables (two may exist at once).
const memTableBytes = 16 << 20

// blobMinBytes is the smallest value stored in a blob file rather than in
// the LSM tree.
const blobMinBytes = 4096

// DB is an open database.
type DB struct {
	pdb *pebble.DB
}

// Open opens (or creates) the database in cfg.Dir. Pebble replays its WAL,
// so everything committed with Sync before a crash is there after it.
func Open(cfg Config) (*DB, error) {
	if cfg.Dir == "" {
		return nil, errors.New("store: no directory")
	}
	cacheBytes := cfg.CacheBytes
	if cacheBytes <= 0 {
		cacheBytes = 64 << 20
	}
	cache := pebble.NewCache(cacheBytes)
	defer cache.Unref()
	opts := &pebble.Options{
		Cache:  cache,
		Logger: pebbleLogger{cfg.Logger},
		// Blocks, undo data and UTXO entries are hashes, keys and
		// signatures: compression costs CPU and saves almost nothing.
		// Larger memtables let outputs created and spent close together
		// meet before they are flushed.
		MemTableSize:       memTableBytes,
		FormatMajorVersion: pebble.FormatValueSeparation,
	}
	opts.ApplyCompressionSettings(func() pebble.DBCompressionSettings { return pebble.DBCompressionNone })
	// Large values (blocks, undo data) live in blob files that compactions
	// reference instead of rewriting, as Bitcoin Core keeps blocks out of
	// its key-value store.
	opts.Experimental.ValueSeparationPolicy = func() pebble.ValueSeparationPolicy {
		return pebble.ValueSeparationPolicy{
			Enabled:               true,
			MinimumSize:           blobMinBytes,
			MaxBlobReferenceDepth: 10,
			RewriteMinimumAge:     5 * time.Minute,
			TargetGarbageRatio:    0.2,
		}
	}
	pdb, err := pebble.Open(cfg.Dir, opts)
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", cfg.Dir, err)
	}
	return &DB{pdb: pdb}, nil
}

// Close closes the database.
func (db *DB) Close() error { return db.pdb.Close() }

// Get returns a copy of the value stored at key, or ErrNotFound.
func (db *DB) Get(key []byte) ([]byte, error) {
	v, closer, err := db.pdb.Get(key)
	if errors.Is(err, pebble.ErrNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("store: get: %w", err)
	}
	out := bytes.Clone(v)
	closer.Close()
	return out, nil
}

// Has reports whether key is present.
func (db *DB) Has(key []byte) (bool, error) {
	_, closer, err := db.pdb.Get(key)
	if errors.Is(err, pebble.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("store: get: %w", err)
	}
	closer.Close()
	return true, nil
}

// Iterate calls fn for every key with the given prefix, in key order, until
// fn returns false or an error. key and value are only valid during the call.
func (db *DB) Iterate(prefix []byte, fn func(key, value []byte) (bool, error)) error {
	it, err := db.pdb.NewIter(&pebble.IterOptions{LowerBound: prefix, UpperBound: prefixEnd(prefix)})
	if err != nil {
		return fmt.Errorf("store: iterate: %w", err)
	}
	for ok := it.First(); ok; ok = it.Next() {
		more, err := fn(it.Key(), it.Value())
		if err != nil {
			it.Close()
			return err
		}
		if !more {
			break
		}
	}
	if err := it.Close(); err != nil {
		return fmt.Errorf("store: iterate: %w", err)
	}
	return nil
}

// prefixEnd returns the smallest key greater than every key with prefix.
func prefixEnd(prefix []byte) []byte {
	end := bytes.Clone(prefix)
	for i := len(end) - 1; i >= 0; i-- {
		end[i]++
		if end[i] != 0 {
			return end[:i+1]
		}
	}
	return nil // prefix is all 0xff: no upper bound
}

// Batch collects writes that commit together, atomically.
type Batch struct {
	b *pebble.Batch
}

// NewBatch starts a batch.
func (db *DB) NewBatch() *Batch { return &Batch{b: db.pdb.NewBatch()} }

// Set stores value at key (both are copied).
func (b *Batch) Set(key, value []byte) { _ = b.b.Set(key, value, nil) }

// Delete removes key.
func (b *Batch) Delete(key []byte) { _ = b.b.Delete(key, nil) }

// Len returns the batch's size in bytes.
func (b *Batch) Len() int { return b.b.Len() }

// Commit applies the batch atomically and waits until it is durable.
func (b *Batch) Commit() error {
	if err := b.b.Commit(pebble.Sync); err != nil {
		return fmt.Errorf("store: commit: %w", err)
	}
	return b.b.Close()
}

// CommitNoSync applies the batch atomically without waiting for it to reach
// stable storage. It is durable once a later Commit or DB.Sync returns
// (pebble's log is written in order); a process that is killed loses
// nothing (the operating system holds the write), a power loss may lose it
// and every later unsynced batch, never a part of one.
func (b *Batch) CommitNoSync() error {
	if err := b.b.Commit(pebble.NoSync); err != nil {
		return fmt.Errorf("store: commit: %w", err)
	}
	return b.b.Close()
}

// Sync waits until every batch committed so far is durable.
func (db *DB) Sync() error {
	if err := db.pdb.LogData(nil, pebble.Sync); err != nil {
		return fmt.Errorf("store: sync: %w", err)
	}
	return nil
}

// Discard drops an uncommitted batch.
func (b *Batch) Discard() { _ = b.b.Close() }

// pebbleLogger routes pebble's log to slog at debug level (fatal stays fatal).
type pebbleLogger struct{ l *slog.Logger }

func (p pebbleLogger) Infof(format string, args ...any) {
	if p.l != nil {
		p.l.Debug("pebble", "msg", fmt.Sprintf(format, args...))
	}
}

func (p pebbleLogger) Errorf(format string, args ...any) {
	if p.l != nil {
		p.l.Warn("pebble", "msg", fmt.Sprintf(format, args...))
	}
}

func (p pebbleLogger) Fatalf(format string, args ...any) {
	panic(fmt.Sprintf("pebble: "+format, args...))
}
