package addrmgr

import (
	"net/netip"
	"path/filepath"
	"testing"
	"time"
)

func TestBookAddPickPersist(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	path := filepath.Join(t.TempDir(), "peers.json")
	b, err := Open(path, func() time.Time { return now })
	if err != nil {
		t.Fatal(err)
	}
	a1 := netip.MustParseAddrPort("127.0.0.2:17733")
	a2 := netip.MustParseAddrPort("127.0.0.3:17733")
	bad := netip.MustParseAddrPort("0.0.0.0:17733")
	if n := b.Add([]netip.AddrPort{a1, a2, a1, bad}, 1, now); n != 2 {
		t.Fatalf("added %d, want 2", n)
	}
	got, ok := b.Pick(func(a netip.AddrPort) bool { return a == a1 }, time.Minute)
	if !ok || got != a2 {
		t.Fatalf("Pick = %v %v, want %v", got, ok, a2)
	}
	b.Attempt(a2)
	if _, ok := b.Pick(func(a netip.AddrPort) bool { return a == a1 }, time.Minute); ok {
		t.Fatal("picked an address tried just now")
	}
	b.Good(a1)
	if err := b.Save(); err != nil {
		t.Fatal(err)
	}
	b2, err := Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if b2.Len() != 2 {
		t.Fatalf("reloaded %d addresses", b2.Len())
	}
}

func TestBookBounded(t *testing.T) {
	b, _ := Open("", nil)
	base := time.Unix(1_700_000_000, 0)
	for i := range MaxAddresses + 10 {
		a := netip.AddrPortFrom(netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)}), 1)
		b.Add([]netip.AddrPort{a}, 0, base.Add(time.Duration(i)*time.Second))
	}
	if b.Len() != MaxAddresses {
		t.Fatalf("book holds %d, limit %d", b.Len(), MaxAddresses)
	}
}
