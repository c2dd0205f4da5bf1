package sigcache

import (
	"crypto/sha256"
	"encoding/binary"
	"sync"
	"testing"
	"unsafe"
)

// triple returns a distinct (msg, pub, sig) for each i.
func triple(i int) (msg, pub [32]byte, sig [64]byte) {
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], uint64(i))
	msg = sha256.Sum256(append([]byte("msg"), b[:]...))
	pub = sha256.Sum256(append([]byte("pub"), b[:]...))
	s := sha256.Sum256(append([]byte("sig"), b[:]...))
	copy(sig[:], s[:])
	copy(sig[32:], msg[:])
	return
}

func key(c *Cache, i int) Key {
	msg, pub, sig := triple(i)
	return c.Key(&msg, &pub, &sig)
}

func TestSizes(t *testing.T) {
	if s := unsafe.Sizeof(shard{}); s != 64 {
		t.Errorf("shard is %d bytes, want one 64-byte cache line", s)
	}
	for _, tc := range []struct{ maxBytes, cap, shards int }{
		{-1, 4, 1},
		{0, 4, 1},
		{255, 4, 1},
		{256, 8, 2},
		{1000, 16, 4},
		{64 * bucketSize, 64 * ways, 64},
		{DefaultMaxBytes, DefaultMaxBytes / EntrySize, 64},
		{DefaultMaxBytes + DefaultMaxBytes/2, DefaultMaxBytes / EntrySize, 64},
	} {
		c := New([32]byte{}, tc.maxBytes)
		if c.Cap() != tc.cap || len(c.shards) != tc.shards {
			t.Errorf("New(%d): cap %d in %d shards, want %d in %d", tc.maxBytes, c.Cap(), len(c.shards), tc.cap, tc.shards)
		}
		if tc.maxBytes >= bucketSize && c.Cap()*EntrySize > tc.maxBytes {
			t.Errorf("New(%d): %d bytes of entries", tc.maxBytes, c.Cap()*EntrySize)
		}
	}
}

// TestKey checks that the key covers the salt and every byte of the triple.
func TestKey(t *testing.T) {
	msg, pub, sig := triple(1)
	c := New([32]byte{1}, 0)
	base := c.Key(&msg, &pub, &sig)
	if base != c.Key(&msg, &pub, &sig) {
		t.Fatal("key is not deterministic")
	}
	if other := New([32]byte{2}, 0); other.Key(&msg, &pub, &sig) == base {
		t.Error("key does not depend on the salt")
	}
	seen := map[Key]bool{base: true}
	for i := range 32 + 32 + 64 {
		m, p, s := msg, pub, sig
		switch {
		case i < 32:
			m[i] ^= 1
		case i < 64:
			p[i-32] ^= 1
		default:
			s[i-64] ^= 1
		}
		k := c.Key(&m, &p, &s)
		if seen[k] {
			t.Fatalf("flipping byte %d gives a key already seen", i)
		}
		seen[k] = true
	}
}

func TestAddContains(t *testing.T) {
	c := New([32]byte{7}, 1<<16)
	for i := range 100 {
		if c.Contains(key(c, i)) {
			t.Fatalf("empty cache contains entry %d", i)
		}
	}
	for i := range 100 {
		c.Add(key(c, i))
		c.Add(key(c, i)) // twice: counted once
	}
	if c.Len() != 100 {
		t.Errorf("Len = %d, want 100", c.Len())
	}
	for i := range 100 {
		if !c.Contains(key(c, i)) {
			t.Errorf("entry %d missing", i)
		}
	}
	if c.Contains(key(c, 100)) {
		t.Error("contains an entry never added")
	}
	c.Add(Key{})
	if c.Contains(Key{}) || c.Len() != 100 {
		t.Error("the zero key is stored or found")
	}
}

// TestEviction fills a small cache ten times over: it never holds more than
// its capacity, holds nearly that many, keeps the newest entry, and keeps a
// share of older entries rather than flushing them.
func TestEviction(t *testing.T) {
	c := New([32]byte{9}, 64*bucketSize)
	capacity := c.Cap()
	total := 10 * capacity
	for i := range total {
		k := key(c, i)
		c.Add(k)
		if !c.Contains(k) {
			t.Fatalf("entry %d missing right after Add", i)
		}
		if n := c.Len(); n > capacity {
			t.Fatalf("after %d adds Len = %d, over capacity %d", i+1, n, capacity)
		}
	}
	if n := c.Len(); n < capacity*95/100 {
		t.Errorf("Len = %d after %d adds, want nearly the capacity %d", n, total, capacity)
	}
	held, early := 0, 0
	for i := range total {
		if c.Contains(key(c, i)) {
			held++
			if i < total/2 {
				early++
			}
		}
	}
	if held != c.Len() {
		t.Errorf("%d entries found, Len = %d", held, c.Len())
	}
	// Random eviction keeps old entries with decaying probability; FIFO or
	// LRU would keep none from the first half.
	if early == 0 {
		t.Error("no entry from the first half survived: eviction is not random")
	}
}

// TestConcurrent runs adders and readers at once (meant for -race).
func TestConcurrent(t *testing.T) {
	c := New([32]byte{3}, 1<<14)
	const perG = 2000
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(2)
		go func() {
			defer wg.Done()
			for i := range perG {
				c.Add(key(c, g*perG+i))
			}
		}()
		go func() {
			defer wg.Done()
			for i := range perG {
				c.Contains(key(c, (g+1)%4*perG+i))
			}
			_ = c.Len()
		}()
	}
	wg.Wait()
	if n := c.Len(); n > c.Cap() || n == 0 {
		t.Errorf("Len = %d, cap %d", n, c.Cap())
	}
}

func BenchmarkKey(b *testing.B) {
	c := New([32]byte{1}, DefaultMaxBytes)
	msg, pub, sig := triple(1)
	b.ReportAllocs()
	for b.Loop() {
		_ = c.Key(&msg, &pub, &sig)
	}
}

func BenchmarkContainsHit(b *testing.B) {
	c := New([32]byte{1}, DefaultMaxBytes)
	k := key(c, 1)
	c.Add(k)
	b.ReportAllocs()
	for b.Loop() {
		if !c.Contains(k) {
			b.Fatal("miss")
		}
	}
}

func BenchmarkAdd(b *testing.B) {
	c := New([32]byte{1}, DefaultMaxBytes)
	keys := make([]Key, 1<<16)
	for i := range keys {
		keys[i] = key(c, i)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		c.Add(keys[i&(len(keys)-1)])
		i++
	}
}
