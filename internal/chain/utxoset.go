package chain

import (
	"errors"
	"sync"

	"github.com/ballast-chain/ballast/internal/consensus"
	"github.com/ballast-chain/ballast/internal/store"
	"github.com/ballast-chain/ballast/internal/wire"
)

// utxoEntryCost approximates the memory one cached entry takes (map slot
// with the outpoint and a string header, and the entry's encoding, about 45
// bytes for a key lock), used to turn the cache's byte budget into a count.
const utxoEntryCost = 110

// utxoSet is the UTXO set: the database, fronted by a bounded cache of
// entries. The database is always current (every block writes through in its
// atomic batch), so the cache never holds anything that is not already
// durable and a crash loses nothing. Entries are cached in their database
// encoding: a third of the memory of decoded ones, and nothing for the
// garbage collector to scan.
type utxoSet struct {
	db *store.DB

	mu      sync.Mutex
	cache   map[wire.OutPoint]string // encodeUtxo
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
	return &utxoSet{db: db, cache: make(map[wire.OutPoint]string, min(max, 1<<16)), max: max}
}

// FetchUtxo implements consensus.UtxoSource: the unspent entry at op, or nil.
func (u *utxoSet) FetchUtxo(op wire.OutPoint) (*consensus.UtxoEntry, error) {
	u.mu.Lock()
	if enc, ok := u.cache[op]; ok {
		u.hits++
		u.mu.Unlock()
		return decodeCached(op, enc)
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
	u.put(op, string(v))
	return &e, nil
}

// decodeCached decodes a cached entry into a new one the caller owns.
func decodeCached(op wire.OutPoint, enc string) (*consensus.UtxoEntry, error) {
	e, n, err := decodeUtxo([]byte(enc))
	if err != nil || n != len(enc) {
		return nil, chainErr(ErrCorrupt, "cached UTXO entry for %s:%d is malformed", op.Hash, op.Index)
	}
	return &e, nil
}

// peek returns the unspent entry at op as the cache or the database hold it
// now, without caching it: for guesses made outside the chain's lock, which
// may race with a block's connection and must never reach the cache.
func (u *utxoSet) peek(op wire.OutPoint) *consensus.UtxoEntry {
	u.mu.Lock()
	enc, ok := u.cache[op]
	u.mu.Unlock()
	if ok {
		e, _ := decodeCached(op, enc)
		return e
	}
	v, err := u.db.Get(utxoKey(op))
	if err != nil {
		return nil
	}
	e, n, err := decodeUtxo(v)
	if err != nil || n != len(v) {
		return nil
	}
	return &e
}

// put caches an entry, evicting arbitrary entries (Go's map order is
// randomised) when full.
func (u *utxoSet) put(op wire.OutPoint, enc string) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.putLocked(op, enc)
}

func (u *utxoSet) putLocked(op wire.OutPoint, enc string) {
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
	u.cache[op] = enc
}

// stage writes a view's changes into batch, returning the encodings of the
// entries it wrote (nil for spends) for apply, once the batch has committed.
func (u *utxoSet) stage(b *store.Batch, changes []consensus.Change) []string {
	encs := make([]string, len(changes))
	var buf []byte
	for i, c := range changes {
		if c.Entry == nil {
			b.Delete(utxoKey(c.OutPoint))
		} else {
			buf = appendUtxo(buf[:0], c.Entry)
			b.Set(utxoKey(c.OutPoint), buf)
			encs[i] = string(buf)
		}
	}
	return encs
}

// apply updates the cache with committed changes and their encodings from
// stage.
func (u *utxoSet) apply(changes []consensus.Change, encs []string) {
	u.mu.Lock()
	defer u.mu.Unlock()
	for i, c := range changes {
		if c.Entry == nil {
			delete(u.cache, c.OutPoint)
		} else {
			u.putLocked(c.OutPoint, encs[i])
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
