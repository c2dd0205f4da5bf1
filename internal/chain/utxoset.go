package chain

import (
	"errors"
	"sync"

	"github.com/ballast-chain/ballast/internal/consensus"
	"github.com/ballast-chain/ballast/internal/store"
	"github.com/ballast-chain/ballast/internal/wire"
)

// utxoEntryCost approximates the memory one cached entry takes (map slot,
// outpoint, entry, lock data), used to turn the cache's byte budget into a
// count.
const utxoEntryCost = 200

// utxoSet is the UTXO set: the database, fronted by a bounded cache of
// entries. The database is always current (every block writes through in its
// atomic batch), so the cache never holds anything that is not already
// durable and a crash loses nothing.
type utxoSet struct {
	db *store.DB

	mu      sync.Mutex
	cache   map[wire.OutPoint]*consensus.UtxoEntry
	max     int
	hits    uint64
	misses  uint64
	flushed uint64
}

func newUtxoSet(db *store.DB, cacheBytes int64) *utxoSet {
	max := int(cacheBytes / utxoEntryCost)
	if max < 1024 {
		max = 1024
	}
	return &utxoSet{db: db, cache: make(map[wire.OutPoint]*consensus.UtxoEntry, min(max, 1<<16)), max: max}
}

// FetchUtxo implements consensus.UtxoSource: the unspent entry at op, or nil.
func (u *utxoSet) FetchUtxo(op wire.OutPoint) (*consensus.UtxoEntry, error) {
	u.mu.Lock()
	if e, ok := u.cache[op]; ok {
		u.hits++
		u.mu.Unlock()
		cp := *e
		return &cp, nil
	}
	u.misses++
	u.mu.Unlock()
	v, err := u.db.Get(utxoKey(op))
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	e, n, err := decodeUtxo(v)
	if err != nil {
		return nil, err
	}
	if n != len(v) {
		return nil, chainErr(ErrCorrupt, "UTXO entry for %s:%d has trailing bytes", op.Hash, op.Index)
	}
	u.put(op, &e)
	cp := e
	return &cp, nil
}

// put caches an entry, evicting arbitrary entries (Go's map order is
// randomised) when full.
func (u *utxoSet) put(op wire.OutPoint, e *consensus.UtxoEntry) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if len(u.cache) >= u.max {
		n := len(u.cache) / 16
		for k := range u.cache {
			delete(u.cache, k)
			n--
			if n <= 0 {
				break
			}
		}
		u.flushed++
	}
	u.cache[op] = e
}

// stage writes a view's changes into batch; apply updates the cache once the
// batch has committed.
func (u *utxoSet) stage(b *store.Batch, changes []consensus.Change) {
	for _, c := range changes {
		if c.Entry == nil {
			b.Delete(utxoKey(c.OutPoint))
		} else {
			b.Set(utxoKey(c.OutPoint), encodeUtxo(c.Entry))
		}
	}
}

func (u *utxoSet) apply(changes []consensus.Change) {
	for _, c := range changes {
		if c.Entry == nil {
			u.mu.Lock()
			delete(u.cache, c.OutPoint)
			u.mu.Unlock()
		} else {
			// Own the lock bytes: the entry may alias a block the caller
			// still holds and could change.
			e := *c.Entry
			e.Out.Lock.Data = append([]byte(nil), e.Out.Lock.Data...)
			u.put(c.OutPoint, &e)
		}
	}
}

// forget drops the whole cache (after a failed commit, when the database is
// the only truth).
func (u *utxoSet) forget() {
	u.mu.Lock()
	clear(u.cache)
	u.mu.Unlock()
}

// CacheStats reports UTXO cache behaviour.
type CacheStats struct {
	Entries, Max          int
	Hits, Misses, Flushes uint64
}

func (u *utxoSet) stats() CacheStats {
	u.mu.Lock()
	defer u.mu.Unlock()
	return CacheStats{Entries: len(u.cache), Max: u.max, Hits: u.hits, Misses: u.misses, Flushes: u.flushed}
}
