package auth

import (
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"strings"
	"testing"
	"time"
)

func TestPassword(t *testing.T) {
	p := Argon2Params{MemoryKiB: 1024, Time: 1, Threads: 1}
	h, err := HashPassword("hunter2", p)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=1024,t=1,p=1$") {
		t.Fatalf("hash %q", h)
	}
	if err := VerifyPassword(h, "hunter2"); err != nil {
		t.Fatal(err)
	}
	if err := VerifyPassword(h, "hunter3"); !errors.Is(err, ErrBadPassword) {
		t.Fatalf("wrong password: %v", err)
	}
	if err := VerifyPassword("$argon2i$x", "a"); !errors.Is(err, ErrBadHash) {
		t.Fatalf("bad hash: %v", err)
	}
}

func TestTOTPSkewAndReuse(t *testing.T) {
	sec, url, err := NewTOTP("Ballast", "a@example.com")
	if err != nil || !strings.HasPrefix(url, "otpauth://totp/") {
		t.Fatal(err, url)
	}
	now := time.Unix(1_700_000_010, 0)
	for _, c := range []struct {
		at   time.Duration
		want error
	}{{0, nil}, {-30 * time.Second, nil}, {30 * time.Second, nil}, {-60 * time.Second, ErrBadTOTP}, {90 * time.Second, ErrBadTOTP}} {
		code, _ := TOTPCode(sec, now.Add(c.at))
		_, err := VerifyTOTP(sec, code, now, 0)
		if !errors.Is(err, c.want) && !(c.want == nil && err == nil) {
			t.Errorf("offset %v: %v, want %v", c.at, err, c.want)
		}
	}
	code, _ := TOTPCode(sec, now)
	step, err := VerifyTOTP(sec, code, now, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := VerifyTOTP(sec, code, now, step); !errors.Is(err, ErrTOTPReused) {
		t.Fatalf("reuse: %v", err)
	}
}

func TestSignatureBinanceVector(t *testing.T) {
	// The example from Binance's SIGNED endpoint documentation.
	sec := Secret("NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j")
	payload := "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559"
	want := "c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71"
	if got := Sign(sec, []byte(payload)); got != want {
		t.Fatalf("got %s", got)
	}
	if err := VerifySignature(sec, []byte(payload), strings.ToUpper(want)); err != nil {
		t.Fatal(err)
	}
	if err := VerifySignature(sec, []byte(payload+"&x=1"), want); !errors.Is(err, ErrBadSignature) {
		t.Fatal(err)
	}
}

func TestSealer(t *testing.T) {
	s, err := NewSealer(make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	sealed := s.Seal("k1", "topsecret")
	if got, err := s.Open("k1", sealed); err != nil || got != "topsecret" {
		t.Fatal(got, err)
	}
	if _, err := s.Open("k2", sealed); !errors.Is(err, ErrBadSecret) {
		t.Fatal("opened under another key id")
	}
}

func TestSecretRedacted(t *testing.T) {
	var b strings.Builder
	slog.New(slog.NewTextHandler(&b, nil)).Info("x", "secret", Secret("abc"))
	if strings.Contains(b.String(), "abc") || strings.Contains(fmt.Sprint(Secret("abc")), "abc") {
		t.Fatalf("secret leaked: %s", b.String())
	}
}

func TestAllowList(t *testing.T) {
	l, err := ParseAllowList("127.0.0.1, 10.0.0.0/8")
	if err != nil {
		t.Fatal(err)
	}
	for a, want := range map[string]bool{"127.0.0.1": true, "10.1.2.3": true, "192.168.0.1": false, "::ffff:127.0.0.1": true} {
		if got := l.Allows(netip.MustParseAddr(a)); got != want {
			t.Errorf("%s: %v", a, got)
		}
	}
	if p, _ := ParsePermissions("read,trade"); p.Has(PermWithdraw) || !p.Has(PermTrade) {
		t.Fatal("permissions")
	}
}

func TestDummyHashCostsAVerification(t *testing.T) {
	p := Argon2Params{MemoryKiB: 1024, Time: 1, Threads: 1}
	h, _ := HashPassword("pw", p)
	d := DummyHash(p)
	if d != DummyHash(p) || d[:strings.LastIndex(d[:strings.LastIndex(d, "$")], "$")] != h[:strings.LastIndex(h[:strings.LastIndex(h, "$")], "$")] {
		t.Fatalf("dummy %q does not have the cost of %q", d, h)
	}
	// ErrBadPassword, not ErrBadHash: the hash was computed and compared.
	for _, pw := range []string{"", "pw", "password"} {
		if err := VerifyPassword(d, pw); !errors.Is(err, ErrBadPassword) {
			t.Fatalf("dummy hash with %q: %v", pw, err)
		}
	}
	if !strings.Contains(DummyHash(Argon2Params{}), "m=65536,t=3,p=2") {
		t.Fatalf("default-cost dummy %q", DummyHash(Argon2Params{}))
	}
}

func TestSealTOTP(t *testing.T) {
	x, _ := NewSealer(make([]byte, 32))
	sec, _, _ := NewTOTP("Ballast", "a@x")
	stored := x.SealTOTP(7, sec)
	if strings.Contains(stored, sec.Reveal()) || stored == x.SealTOTP(7, sec) {
		t.Fatalf("sealed %q: plaintext visible or nonce reused", stored)
	}
	if got, legacy, err := x.OpenTOTP(7, stored); err != nil || legacy || got != sec {
		t.Fatalf("open: %v %v %v", got == sec, legacy, err)
	}
	if got, legacy, err := x.OpenTOTP(7, sec.Reveal()); err != nil || !legacy || got != sec {
		t.Fatalf("legacy plaintext: %v %v %v", got == sec, legacy, err)
	}
	if _, _, err := x.OpenTOTP(8, stored); !errors.Is(err, ErrBadSecret) {
		t.Fatalf("another user's secret opened: %v", err)
	}
	// A sealed API secret (bound to its key id) is not a TOTP secret.
	api := x.Seal(strings.Repeat("0", 64), sec)
	if _, _, err := x.OpenTOTP(7, sealedTOTPPrefix+base64.RawStdEncoding.EncodeToString(api)); !errors.Is(err, ErrBadSecret) {
		t.Fatalf("sealed API secret opened as TOTP: %v", err)
	}
	for _, bad := range []string{"", "sealed1:", "sealed1:!!", "lower-case", sealedTOTPPrefix + "AAAA"} {
		if _, _, err := x.OpenTOTP(7, bad); !errors.Is(err, ErrBadSecret) {
			t.Fatalf("%q: %v", bad, err)
		}
	}
}
