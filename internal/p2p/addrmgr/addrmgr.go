// Package addrmgr is the node's address book: peer addresses learnt from
// seeds, gossip and connections, with when each was last seen, tried and
// connected, persisted in the data directory (peers.json).
package addrmgr

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"os"
	"sync"
	"time"
)

// MaxAddresses bounds the book; when full, the stalest address goes.
const MaxAddresses = 5_000

// KnownAddress is one entry.
type KnownAddress struct {
	Addr        netip.AddrPort `json:"addr"`
	Services    uint64         `json:"services"`
	LastSeen    time.Time      `json:"last_seen"`
	LastAttempt time.Time      `json:"last_attempt"`
	LastSuccess time.Time      `json:"last_success"`
	Attempts    int            `json:"attempts"`
}

// Book is the address book; its methods are safe for concurrent use.
type Book struct {
	path string
	now  func() time.Time

	mu    sync.Mutex
	addrs map[netip.AddrPort]*KnownAddress
}

// Open loads the book from path (missing: empty; "" keeps it in memory).
func Open(path string, now func() time.Time) (*Book, error) {
	if now == nil {
		now = time.Now
	}
	b := &Book{path: path, now: now, addrs: make(map[netip.AddrPort]*KnownAddress)}
	if path == "" {
		return b, nil
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return b, nil
	}
	if err != nil {
		return nil, err
	}
	var list []KnownAddress
	if err := json.Unmarshal(data, &list); err != nil {
		return nil, fmt.Errorf("addrmgr: %s: %w", path, err)
	}
	for i := range list {
		if len(b.addrs) >= MaxAddresses {
			break
		}
		b.addrs[list[i].Addr] = &list[i]
	}
	return b, nil
}

// Add records addresses heard of (seen at the given time); it returns how
// many were new.
func (b *Book) Add(addrs []netip.AddrPort, services uint64, seen time.Time) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	added := 0
	for _, a := range addrs {
		a = netip.AddrPortFrom(a.Addr().Unmap(), a.Port())
		if !a.IsValid() || a.Port() == 0 || a.Addr().IsUnspecified() {
			continue
		}
		if ka, ok := b.addrs[a]; ok {
			if seen.After(ka.LastSeen) {
				ka.LastSeen = seen
			}
			continue
		}
		if len(b.addrs) >= MaxAddresses {
			b.evictLocked()
		}
		b.addrs[a] = &KnownAddress{Addr: a, Services: services, LastSeen: seen}
		added++
	}
	return added
}

func (b *Book) evictLocked() {
	var worst *KnownAddress
	for _, ka := range b.addrs {
		if worst == nil || ka.LastSeen.Before(worst.LastSeen) {
			worst = ka
		}
	}
	if worst != nil {
		delete(b.addrs, worst.Addr)
	}
}

// Attempt records a connection attempt.
func (b *Book) Attempt(a netip.AddrPort) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if ka, ok := b.addrs[a]; ok {
		ka.LastAttempt = b.now()
		ka.Attempts++
	}
}

// Good records a successful handshake.
func (b *Book) Good(a netip.AddrPort) {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.now()
	ka, ok := b.addrs[a]
	if !ok {
		ka = &KnownAddress{Addr: a}
		b.addrs[a] = ka
	}
	ka.LastSeen, ka.LastSuccess, ka.Attempts = now, now, 0
}

// Pick returns a random address that skip does not exclude and that was not
// tried within retry (backing off with failed attempts).
func (b *Book) Pick(skip func(netip.AddrPort) bool, retry time.Duration) (netip.AddrPort, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.now()
	var choices []netip.AddrPort
	for a, ka := range b.addrs {
		wait := retry * time.Duration(1<<min(ka.Attempts, 6))
		if skip(a) || now.Sub(ka.LastAttempt) < wait {
			continue
		}
		choices = append(choices, a)
	}
	if len(choices) == 0 {
		return netip.AddrPort{}, false
	}
	return choices[rand.IntN(len(choices))], true
}

// Sample returns up to n random addresses (for getaddr).
func (b *Book) Sample(n int) []KnownAddress {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := make([]KnownAddress, 0, min(n, len(b.addrs)))
	for _, ka := range b.addrs { // map order is random enough for gossip
		if len(out) == n {
			break
		}
		out = append(out, *ka)
	}
	return out
}

// Len returns the number of addresses.
func (b *Book) Len() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.addrs)
}

// Save writes the book atomically.
func (b *Book) Save() error {
	if b.path == "" {
		return nil
	}
	b.mu.Lock()
	list := make([]KnownAddress, 0, len(b.addrs))
	for _, ka := range b.addrs {
		list = append(list, *ka)
	}
	b.mu.Unlock()
	data, err := json.MarshalIndent(list, "", "  ")
	if err != nil {
		return err
	}
	tmp := b.path + ".new"
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, b.path)
}
