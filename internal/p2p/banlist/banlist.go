// Package banlist keeps the node's banned addresses and subnets with their
// expiry, persisted in the data directory (banlist.json) so bans survive a
// restart.
package banlist

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"sort"
	"sync"
	"time"
)

// ErrInvalidSubnet: a ban target that is neither an IP nor a CIDR subnet.
var ErrInvalidSubnet = errors.New("banlist: invalid IP or subnet")

// Entry is one ban.
type Entry struct {
	Subnet  netip.Prefix `json:"subnet"`
	Created time.Time    `json:"created"`
	Until   time.Time    `json:"until"`
	Reason  string       `json:"reason"`
}

// List is the set of bans. Its methods are safe for concurrent use.
type List struct {
	path string
	now  func() time.Time

	mu      sync.Mutex
	entries map[netip.Prefix]Entry
}

// ParseSubnet parses "1.2.3.4" (a single address) or "1.2.3.0/24".
func ParseSubnet(s string) (netip.Prefix, error) {
	if a, err := netip.ParseAddr(s); err == nil {
		a = a.Unmap()
		return netip.PrefixFrom(a, a.BitLen()), nil
	}
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("%w: %q", ErrInvalidSubnet, s)
	}
	return p.Masked(), nil
}

// Open loads the list from path (a missing file is an empty list); path ""
// keeps the list in memory only. now nil means time.Now.
func Open(path string, now func() time.Time) (*List, error) {
	if now == nil {
		now = time.Now
	}
	l := &List{path: path, now: now, entries: make(map[netip.Prefix]Entry)}
	if path == "" {
		return l, nil
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return l, nil
	}
	if err != nil {
		return nil, err
	}
	var es []Entry
	if err := json.Unmarshal(data, &es); err != nil {
		return nil, fmt.Errorf("banlist: %s: %w", path, err)
	}
	for _, e := range es {
		l.entries[e.Subnet] = e
	}
	return l, nil
}

// Ban bans subnet until the given time and persists the list.
func (l *List) Ban(subnet netip.Prefix, until time.Time, reason string) error {
	l.mu.Lock()
	l.entries[subnet.Masked()] = Entry{Subnet: subnet.Masked(), Created: l.now(), Until: until, Reason: reason}
	l.mu.Unlock()
	return l.save()
}

// Unban lifts a ban; it reports whether there was one.
func (l *List) Unban(subnet netip.Prefix) (bool, error) {
	l.mu.Lock()
	_, ok := l.entries[subnet.Masked()]
	delete(l.entries, subnet.Masked())
	l.mu.Unlock()
	return ok, l.save()
}

// Clear lifts every ban.
func (l *List) Clear() error {
	l.mu.Lock()
	clear(l.entries)
	l.mu.Unlock()
	return l.save()
}

// Banned reports whether addr is in a subnet banned now.
func (l *List) Banned(addr netip.Addr) bool {
	addr = addr.Unmap()
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	for p, e := range l.entries {
		if e.Until.After(now) && p.Contains(addr) {
			return true
		}
	}
	return false
}

// Entries returns the bans in force, sorted by subnet; expired ones are
// dropped.
func (l *List) Entries() []Entry {
	now := l.now()
	l.mu.Lock()
	var out []Entry
	for p, e := range l.entries {
		if !e.Until.After(now) {
			delete(l.entries, p)
			continue
		}
		out = append(out, e)
	}
	l.mu.Unlock()
	sort.Slice(out, func(i, j int) bool { return out[i].Subnet.String() < out[j].Subnet.String() })
	return out
}

func (l *List) save() error {
	if l.path == "" {
		return nil
	}
	data, err := json.MarshalIndent(l.Entries(), "", "  ")
	if err != nil {
		return err
	}
	tmp := l.path + ".new"
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, l.path)
}
