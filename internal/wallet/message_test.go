package wallet

import (
	"encoding/base64"
	"errors"
	"testing"
	"time"

	"github.com/btcsuite/btcd/btcec/v2"

	"github.com/ballast-chain/ballast/internal/address"
	"github.com/ballast-chain/ballast/internal/params"
	"github.com/ballast-chain/ballast/internal/wallet/hd"
	"github.com/ballast-chain/ballast/internal/wire"
)

// testManager is a manager over a one-block fake chain with cheap argon2id
// and a settable clock.
func testManager(t *testing.T, now *time.Time) *Manager {
	t.Helper()
	c := &fakeChain{}
	c.add(coinbase(0, wire.KeyLock([32]byte{1})))
	m, err := NewManager(Config{Dir: t.TempDir(), Params: params.Regtest(), Chain: c, Mempool: fakePool{},
		KDF: KDF{Time: 1, Memory: 1024, Threads: 1}, Now: func() time.Time { return *now }})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// Known answer: private key 1 (x-only key = G.x), its regtest address, and a
// signature of "Ballast" made with it. Other implementations check their
// verifier against this.
const (
	vectorKey       = "0000000000000000000000000000000000000000000000000000000000000001"
	vectorMessage   = "Ballast"
	vectorAddress   = "rbal1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqrh6f55"
	vectorSignature = "o85YvgTDNJnL3Jmrg/J6QgA6RNHrZlocE6RBxv1RzCRkxeQOMiXWJbAB1YQxOioXUOHUCfop3NYfdw5SwoMHXg=="
)

func TestSignVerifyMessage(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	m := testManager(t, &now)
	hrp := m.cfg.Params.Bech32HRP
	w, _, err := m.Create("w", CreateOptions{Passphrase: "pw"})
	if err != nil {
		t.Fatal(err)
	}
	addr, _ := w.NewAddress("")
	other, _ := w.NewAddress("")
	if _, err := w.SignMessage(addr, "hello"); !errors.Is(err, ErrLocked) {
		t.Fatalf("locked wallet signed: %v", err)
	}
	if err := w.Unlock("pw", time.Minute); err != nil {
		t.Fatal(err)
	}
	sig, err := w.SignMessage(addr, "hello")
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := base64.StdEncoding.DecodeString(sig)
	if len(raw) != 64 {
		t.Fatalf("signature %q is not 64 bytes in base64", sig)
	}
	// Flip a bit of the signature, not of its text: a flipped character
	// may not be base64 at all ('+' becomes '*').
	raw[7] ^= 1
	flipped := base64.StdEncoding.EncodeToString(raw)
	for _, c := range []struct {
		addr, sig, msg string
		want           bool
	}{
		{addr, sig, "hello", true},
		{addr, sig, "hello ", false},
		{other, sig, "hello", false},
		{addr, flipped, "hello", false},
		{addr, base64.StdEncoding.EncodeToString([]byte("short")), "hello", false},
	} {
		if ok, err := VerifyMessage(c.addr, hrp, c.sig, c.msg); err != nil || ok != c.want {
			t.Errorf("VerifyMessage(%s, %q) = %v, %v; want %v", c.addr, c.msg, ok, err, c.want)
		}
	}
	// The signature is over the tagged hash, not the message or its SHA-256.
	h := MessageHash("hello")
	if ok, _ := VerifyMessage(addr, hrp, sig, string(h[:])); ok {
		t.Error("signature verifies for the hash as a message")
	}
	for _, c := range []struct {
		addr, sig string
		kind      ErrorKind
	}{
		{"rbal1notanaddress", sig, ErrInvalidAddress},
		{addr, "not base64!", ErrMalformed},
		{policyAddress(t, hrp), sig, ErrNotKeyAddress},
	} {
		if _, err := VerifyMessage(c.addr, hrp, c.sig, "hello"); !errors.Is(err, c.kind) {
			t.Errorf("VerifyMessage(%s, %q): %v, want %v", c.addr, c.sig, err, c.kind)
		}
	}
	foreign, _ := address.Encode(hrp, wire.KeyLock([32]byte{7}))
	if _, err := w.SignMessage(foreign, "hello"); !errors.Is(err, ErrWallet) {
		t.Errorf("signed for a foreign address: %v", err)
	}
	now = now.Add(2 * time.Minute) // past the unlock time
	if _, err := w.SignMessage(addr, "hello"); !errors.Is(err, ErrLocked) {
		t.Errorf("signed after the unlock ran out: %v", err)
	}
}

func TestSignMessageWithKey(t *testing.T) {
	hrp := params.Regtest().Bech32HRP
	sig, err := SignMessageWithKey(vectorKey, vectorMessage)
	if err != nil {
		t.Fatal(err)
	}
	gx := [32]byte{0x79, 0xbe, 0x66, 0x7e, 0xf9, 0xdc, 0xbb, 0xac, 0x55, 0xa0, 0x62, 0x95, 0xce, 0x87, 0x0b, 0x07,
		0x02, 0x9b, 0xfc, 0xdb, 0x2d, 0xce, 0x28, 0xd9, 0x59, 0xf2, 0x81, 0x5b, 0x16, 0xf8, 0x17, 0x98}
	addr, _ := address.Encode(hrp, wire.KeyLock(gx))
	if addr != vectorAddress {
		t.Fatalf("key 1's address is %s, want %s", addr, vectorAddress)
	}
	for _, s := range []string{sig, vectorSignature} {
		if ok, err := VerifyMessage(addr, hrp, s, vectorMessage); !ok || err != nil {
			t.Fatalf("%s does not verify: %v %v", s, ok, err)
		}
	}
	for _, k := range []string{"", "01", vectorKey + "00", "zz" + vectorKey[2:],
		"0000000000000000000000000000000000000000000000000000000000000000",
		"fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141"} { // n: out of range
		if _, err := SignMessageWithKey(k, "x"); !errors.Is(err, ErrInvalidKey) {
			t.Errorf("key %q: %v", k, err)
		}
	}
}

// policyAddress is a policy-lock address (not a key).
func policyAddress(t *testing.T, hrp string) string {
	t.Helper()
	a, err := address.Encode(hrp, wire.PolicyLock([32]byte{9}))
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// TestKeyCacheZeroedOnLock checks that locking overwrites the cached
// private keys, not just drops the references.
func TestKeyCacheZeroedOnLock(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	m := testManager(t, &now)
	w, _, err := m.Create("w", CreateOptions{Passphrase: "pw"})
	if err != nil {
		t.Fatal(err)
	}
	addr, _ := w.NewAddress("")
	if err := w.Unlock("pw", time.Minute); err != nil {
		t.Fatal(err)
	}
	if _, err := w.SignMessage(addr, "x"); err != nil {
		t.Fatal(err)
	}
	w.mu.Lock()
	c := w.keys
	var scalars []*btcec.ModNScalar
	for _, k := range c.keys {
		scalars = append(scalars, &k.Key)
	}
	w.mu.Unlock()
	if len(scalars) != 1 || scalars[0].IsZero() || c.chains[0] == nil {
		t.Fatalf("cache after one signature: %d keys, chain key %v", len(scalars), c.chains[0])
	}
	if err := w.Lock(); err != nil {
		t.Fatal(err)
	}
	if !scalars[0].IsZero() {
		t.Error("a cached private key survived walletlock")
	}
	if w.keys != nil || c.acct != nil || c.chains != [2]*hd.ExtendedKey{} || len(c.keys) != 0 {
		t.Error("key cache not emptied by walletlock")
	}
}
