package sigcache

import (
	"crypto/sha256"
	"encoding/binary"
	"sync"
)

// Key identifies a (message, public key, signature) triple: the SHA-256 of
// the cache's salt and the three, in that order. Only the cache that made a
// Key can use it.
type Key [32]byte

const (
	// EntrySize is the memory one entry takes.
	EntrySize = len(Key{})
	// DefaultMaxBytes is Bitcoin Core's default signature cache size,
	// about a million entries.
	DefaultMaxBytes = 32 << 20

	ways       = 4 // entries per bucket
	bucketSize = ways * EntrySize
	maxShards  = 64 // enough that two to a few dozen cores rarely meet
)

// Cache is a bounded, concurrency-safe set of Keys. Its memory is allocated
// once, by New.
type Cache struct {
	salt       [32]byte
	shards     []shard
	shardMask  uint64
	shardBits  uint
	bucketMask uint64
}

// shard is a lock and its part of the table, padded to a cache line so
// neighbouring locks do not share one.
type shard struct {
	mu      sync.Mutex
	n       int
	buckets []Bucket
	_       [64 - 8 - 8 - 24]byte
}

// Bucket is one set of the table: ways entries.
type Bucket [ways]Key

// Buckets returns the number of buckets a cache of at most maxBytes holds:
// a power of two, at least one.
func Buckets(maxBytes int) int {
	buckets := 1
	for buckets*2*bucketSize <= maxBytes {
		buckets *= 2
	}
	return buckets
}

// New returns an empty cache salted with salt and holding as many entries as
// fit in maxBytes, rounded down to a power of two of 4-entry buckets (at
// least one bucket). The salt must be secret and should be fresh random
// bytes: entries are placed by their salted hash, and that is all that
// keeps an attacker from aiming evictions.
func New(salt [32]byte, maxBytes int) *Cache {
	return NewWithTable(salt, make([]Bucket, Buckets(maxBytes)))
}

// NewWithTable is New with the table supplied by the caller (for example
// allocated outside the Go heap): zeroed, its length a power of two, as
// Buckets returns. It panics otherwise.
func NewWithTable(salt [32]byte, table []Bucket) *Cache {
	buckets := len(table)
	if buckets == 0 || buckets&(buckets-1) != 0 {
		panic("sigcache: table length is not a power of two")
	}
	nShards := min(buckets, maxShards)
	perShard := buckets / nShards
	c := &Cache{
		salt:       salt,
		shards:     make([]shard, nShards),
		shardMask:  uint64(nShards - 1),
		bucketMask: uint64(perShard - 1),
	}
	for 1<<c.shardBits < nShards {
		c.shardBits++
	}
	for i := range c.shards {
		c.shards[i].buckets = table[i*perShard : (i+1)*perShard : (i+1)*perShard]
	}
	return c
}

// Key returns the cache's key for the signature sig of msg under pub.
func (c *Cache) Key(msg, pub *[32]byte, sig *[64]byte) Key {
	var buf [32 + 32 + 32 + 64]byte
	copy(buf[0:], c.salt[:])
	copy(buf[32:], msg[:])
	copy(buf[64:], pub[:])
	copy(buf[96:], sig[:])
	return sha256.Sum256(buf[:])
}

// locate returns k's shard and bucket index.
func (c *Cache) locate(k *Key) (*shard, uint64) {
	h := binary.LittleEndian.Uint64(k[:8])
	return &c.shards[h&c.shardMask], (h >> c.shardBits) & c.bucketMask
}

// Contains reports whether k was added and has not been evicted since.
func (c *Cache) Contains(k Key) bool {
	if k == (Key{}) { // the empty slot; no salted hash is all zero
		return false
	}
	s, b := c.locate(&k)
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, e := range &s.buckets[b] {
		if e == k {
			return true
		}
	}
	return false
}

// Add inserts k. When its bucket is full it replaces one of the bucket's
// entries, chosen by bits of k that the salt makes unpredictable.
func (c *Cache) Add(k Key) {
	if k == (Key{}) {
		return
	}
	s, b := c.locate(&k)
	s.mu.Lock()
	defer s.mu.Unlock()
	bucket := &s.buckets[b]
	free := -1
	for i, e := range bucket {
		switch e {
		case k:
			return
		case Key{}:
			if free < 0 {
				free = i
			}
		}
	}
	if free >= 0 {
		bucket[free] = k
		s.n++
		return
	}
	bucket[k[8]%ways] = k
}

// Len returns the number of entries held.
func (c *Cache) Len() int {
	n := 0
	for i := range c.shards {
		s := &c.shards[i]
		s.mu.Lock()
		n += s.n
		s.mu.Unlock()
	}
	return n
}

// Cap returns the most entries the cache can hold; it uses Cap()*EntrySize
// bytes for them.
func (c *Cache) Cap() int {
	return len(c.shards) * len(c.shards[0].buckets) * ways
}
