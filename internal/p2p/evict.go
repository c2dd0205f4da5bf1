package p2p

import (
	"net/netip"
	"sort"
	"time"
)

// Core-style eviction protection: before the worst inbound peer is chosen,
// peers that are hard for an attacker to imitate are set aside — a few from
// distinct network groups, the lowest-latency ones, and those that most
// recently gave us a new block or transaction.
const (
	protectNetgroup = 4
	protectPing     = 8
	protectUseful   = 4
)

// evictCand is what eviction looks at for one inbound peer.
type evictCand struct {
	p          *peer
	group      string
	minPing    time.Duration // 0: not measured
	lastUseful time.Time
	score      int
	useful     int
	since      time.Time
}

// netGroup is the /16 of an IPv4 address or the /32 of an IPv6 one.
func netGroup(a netip.Addr) string {
	a = a.Unmap()
	bits := 32
	if a.Is4() {
		bits = 16
	}
	pfx, _ := a.Prefix(bits)
	return pfx.String()
}

// pickEviction returns the peer to evict, or nil when every candidate is
// protected. From the unprotected ones it takes the highest misbehaviour
// score, then the fewest useful deliveries, then a peer of the most
// crowded network group, then the youngest.
func pickEviction(cands []evictCand) *peer {
	protected := make(map[*peer]bool)
	protect := func(n int, less func(a, b evictCand) bool, ok func(evictCand) bool) {
		var rest []evictCand
		for _, c := range cands {
			if !protected[c.p] && ok(c) {
				rest = append(rest, c)
			}
		}
		sort.SliceStable(rest, func(i, j int) bool { return less(rest[i], rest[j]) })
		for _, c := range rest[:min(n, len(rest))] {
			protected[c.p] = true
		}
	}
	// Distinct network groups, the longest connected of each first.
	seen := make(map[string]bool)
	protect(protectNetgroup, func(a, b evictCand) bool { return a.since.Before(b.since) }, func(c evictCand) bool {
		if seen[c.group] {
			return false
		}
		seen[c.group] = true
		return true
	})
	protect(protectPing, func(a, b evictCand) bool { return a.minPing < b.minPing },
		func(c evictCand) bool { return c.minPing > 0 })
	protect(protectUseful, func(a, b evictCand) bool { return a.lastUseful.After(b.lastUseful) },
		func(c evictCand) bool { return !c.lastUseful.IsZero() })
	groupSize := make(map[string]int)
	var rest []evictCand
	for _, c := range cands {
		groupSize[c.group]++
		if !protected[c.p] {
			rest = append(rest, c)
		}
	}
	if len(rest) == 0 {
		return nil
	}
	sort.SliceStable(rest, func(i, j int) bool {
		a, b := rest[i], rest[j]
		if a.score != b.score {
			return a.score > b.score
		}
		if a.useful != b.useful {
			return a.useful < b.useful
		}
		if ga, gb := groupSize[a.group], groupSize[b.group]; ga != gb {
			return ga > gb
		}
		return a.since.After(b.since)
	})
	return rest[0].p
}
