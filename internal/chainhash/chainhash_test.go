package chainhash

import (
	"crypto/sha256"
	"encoding/hex"
	"testing"
)

func TestStringRoundTrip(t *testing.T) {
	// Bitcoin's genesis block hash: a well-known display string.
	const s = "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f"
	h, err := NewHashFromStr(s)
	if err != nil {
		t.Fatal(err)
	}
	if h[0] != 0x6f || h[31] != 0x00 {
		t.Fatalf("bytes not reversed: %x", h)
	}
	if got := h.String(); got != s {
		t.Fatalf("String() = %s, want %s", got, s)
	}
	if _, err := NewHashFromStr(s[:62]); err == nil {
		t.Fatal("short string accepted")
	}
	if _, err := NewHashFromStr("zz" + s[2:]); err == nil {
		t.Fatal("non-hex string accepted")
	}
}

func TestDoubleSHA256(t *testing.T) {
	// dSHA256("hello") from Bitcoin's test suites.
	got := DoubleSHA256([]byte("hello"))
	const want = "9595c9df90075148eb06860365df33584b75bff782a510c6cd4883a419833d50"
	if hex.EncodeToString(got[:]) != want {
		t.Fatalf("got %x want %s", got, want)
	}
}

func TestTaggedHash(t *testing.T) {
	tag := sha256.Sum256([]byte("BIP0340/challenge"))
	var buf []byte
	buf = append(buf, tag[:]...)
	buf = append(buf, tag[:]...)
	buf = append(buf, "abc"...)
	want := sha256.Sum256(buf)
	if got := TaggedHash("BIP0340/challenge", []byte("a"), []byte("bc")); got != Hash(want) {
		t.Fatalf("tagged hash mismatch")
	}
}
