package p2p

import (
	"fmt"
	"net/netip"
	"testing"
	"time"
)

// TestPickEvictionProtects: the distinct network groups, the fastest pings
// and the most recently useful peers survive; the victim is the youngest of
// the most crowded group among the rest, or the worst-scored one.
func TestPickEvictionProtects(t *testing.T) {
	t0 := time.Unix(1_700_000_000, 0)
	var cands []evictCand
	add := func(ip string, since int, ping time.Duration, useful time.Time) *peer {
		p := &peer{addr: netip.MustParseAddrPort(ip + ":1")}
		cands = append(cands, evictCand{p: p, group: netGroup(p.addr.Addr()), minPing: ping,
			lastUseful: useful, since: t0.Add(time.Duration(since) * time.Second)})
		return p
	}
	// Twenty attackers from one /16, connected late, slow, never useful.
	var attackers []*peer
	for i := range 20 {
		attackers = append(attackers, add(fmt.Sprintf("10.9.0.%d", i+1), 100+i, time.Second, time.Time{}))
	}
	honest := []*peer{
		add("1.2.3.4", 1, 0, time.Time{}),                     // own netgroup
		add("10.9.200.1", 500, time.Millisecond, time.Time{}), // fast
		add("10.9.201.1", 501, 0, t0.Add(time.Hour)),          // recently useful
	}
	victim := pickEviction(cands)
	for _, h := range honest {
		if victim == h {
			t.Fatalf("evicted a protected peer %s", h.addr)
		}
	}
	if victim != attackers[19] {
		t.Fatalf("evicted %v, want the youngest attacker", victim.addr)
	}
	// A misbehaving peer goes first among the unprotected (attackers 0-7
	// hold the group and fastest-ping places).
	cands[15].score = 50
	if v := pickEviction(cands); v != attackers[15] {
		t.Fatalf("evicted %v, want the misbehaving one", v.addr)
	}
	if got := netGroup(netip.MustParseAddr("::ffff:10.9.3.4")); got != "10.9.0.0/16" {
		t.Errorf("netGroup = %s", got)
	}
}
