package api

import (
	"net/http"
	"net/netip"
	"testing"
	"time"
)

func TestLimiterWindowsAndBan(t *testing.T) {
	now := time.Unix(1_700_000_020, 0) // 40 s into a minute
	l := newLimiter()
	l.nowFn = func() time.Time { return now }
	ip := netip.MustParseAddr("10.0.0.1")
	if used, st := l.weigh(ip, 60, 100); used != 60 || st != http.StatusOK {
		t.Fatal(used, st)
	}
	if used, st := l.weigh(ip, 60, 100); used != 120 || st != http.StatusTooManyRequests {
		t.Fatal(used, st)
	}
	now = now.Add(30 * time.Second) // next minute: counts start afresh
	if used, st := l.weigh(ip, 1, 100); used != 1 || st != http.StatusOK {
		t.Fatal(used, st)
	}
	var st int
	for range 12 {
		_, st = l.weigh(ip, 100, 100)
	}
	if st != http.StatusTeapot {
		t.Fatalf("repeated 429s: %d, want a ban", st)
	}
	now = now.Add(60 * time.Second)
	if _, st := l.weigh(ip, 1, 100); st != http.StatusTeapot {
		t.Fatalf("ban lifted early: %d", st)
	}
	now = now.Add(70 * time.Second)
	if _, st := l.weigh(ip, 1, 100); st != http.StatusOK {
		t.Fatalf("ban not lifted: %d", st)
	}
	for i := 1; i <= 3; i++ {
		if n, ok := l.order(7, 2); n != i || ok != (i <= 2) {
			t.Fatal(n, ok)
		}
	}
}
