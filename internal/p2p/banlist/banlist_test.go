package banlist

import (
	"errors"
	"net/netip"
	"path/filepath"
	"testing"
	"time"
)

func TestBanExpiryAndPersistence(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	clock := func() time.Time { return now }
	path := filepath.Join(t.TempDir(), "banlist.json")
	l, err := Open(path, clock)
	if err != nil {
		t.Fatal(err)
	}
	one, _ := ParseSubnet("127.0.0.9")
	net24, _ := ParseSubnet("10.1.2.77/24")
	if err := l.Ban(one, now.Add(time.Hour), "misbehaving"); err != nil {
		t.Fatal(err)
	}
	if err := l.Ban(net24, now.Add(2*time.Hour), "manual"); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		ip   string
		want bool
	}{{"127.0.0.9", true}, {"127.0.0.8", false}, {"10.1.2.3", true}, {"10.1.3.3", false}, {"::ffff:127.0.0.9", true}} {
		if got := l.Banned(netip.MustParseAddr(c.ip)); got != c.want {
			t.Errorf("Banned(%s) = %v, want %v", c.ip, got, c.want)
		}
	}
	l2, err := Open(path, clock)
	if err != nil {
		t.Fatal(err)
	}
	if len(l2.Entries()) != 2 || !l2.Banned(netip.MustParseAddr("127.0.0.9")) {
		t.Fatalf("reloaded list: %+v", l2.Entries())
	}
	now = now.Add(90 * time.Minute)
	if l2.Banned(netip.MustParseAddr("127.0.0.9")) || len(l2.Entries()) != 1 {
		t.Fatal("expired ban still in force")
	}
	if ok, _ := l2.Unban(net24); !ok || l2.Banned(netip.MustParseAddr("10.1.2.3")) {
		t.Fatal("unban failed")
	}
	if _, err := ParseSubnet("nonsense"); !errors.Is(err, ErrInvalidSubnet) {
		t.Fatalf("ParseSubnet: %v", err)
	}
}
