package auth

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"net/netip"
	"strings"
)

// Secret is a credential that must never be logged.
type Secret string

// LogValue redacts the secret.
func (Secret) LogValue() slog.Value { return slog.StringValue("[REDACTED]") }

// String redacts the secret in %v formatting too.
func (Secret) String() string { return "[REDACTED]" }

// Reveal returns the secret's text.
func (s Secret) Reveal() string { return string(s) }

// Permission is a set of API key permissions.
type Permission uint8

// Permissions.
const (
	PermRead Permission = 1 << iota
	PermTrade
	PermWithdraw
)

// Has reports whether p includes all of q.
func (p Permission) Has(q Permission) bool { return p&q == q }

func (p Permission) String() string {
	var s []string
	for _, x := range []struct {
		p Permission
		n string
	}{{PermRead, "read"}, {PermTrade, "trade"}, {PermWithdraw, "withdraw"}} {
		if p.Has(x.p) {
			s = append(s, x.n)
		}
	}
	return strings.Join(s, ",")
}

// ParsePermissions parses a comma-separated list of read, trade, withdraw.
func ParsePermissions(s string) (Permission, error) {
	var p Permission
	for _, f := range strings.Split(s, ",") {
		switch strings.TrimSpace(f) {
		case "read":
			p |= PermRead
		case "trade":
			p |= PermTrade
		case "withdraw":
			p |= PermWithdraw
		case "":
		default:
			return 0, ruleError(ErrPermission, "unknown permission %q", f)
		}
	}
	return p, nil
}

// RandomToken returns n random bytes hex-encoded.
func RandomToken(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return hex.EncodeToString(b)
}

// NewAPIKey returns a new API key id (public) and secret (shown once).
func NewAPIKey() (key string, secret Secret) {
	return RandomToken(32), Secret(RandomToken(32))
}

// HashToken returns the SHA-256 of a bearer token (session tokens are
// stored only hashed).
func HashToken(t string) string {
	h := sha256.Sum256([]byte(t))
	return hex.EncodeToString(h[:])
}

// Sealer encrypts API secrets at rest with AES-256-GCM under the venue's
// master key: HMAC verification needs the secret itself, so it cannot be
// stored as a one-way hash.
type Sealer struct{ aead cipher.AEAD }

// NewSealer returns a Sealer for a 32-byte master key.
func NewSealer(masterKey []byte) (*Sealer, error) {
	if len(masterKey) != 32 {
		return nil, ruleError(ErrBadSecret, "master key must be 32 bytes")
	}
	b, err := aes.NewCipher(masterKey)
	if err != nil {
		return nil, err
	}
	g, err := cipher.NewGCM(b)
	if err != nil {
		return nil, err
	}
	return &Sealer{g}, nil
}

// Seal encrypts s, binding it to the key id (associated data).
func (x *Sealer) Seal(keyID string, s Secret) []byte {
	nonce := make([]byte, x.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		panic(err)
	}
	return x.aead.Seal(nonce, nonce, []byte(s), []byte(keyID))
}

// Open decrypts a sealed secret.
func (x *Sealer) Open(keyID string, sealed []byte) (Secret, error) {
	n := x.aead.NonceSize()
	if len(sealed) < n {
		return "", ruleError(ErrBadSecret, "sealed secret too short")
	}
	p, err := x.aead.Open(nil, sealed[:n], sealed[n:], []byte(keyID))
	if err != nil {
		return "", ruleError(ErrBadSecret, "sealed secret does not decrypt")
	}
	return Secret(p), nil
}

// Sign returns Binance's signature of payload: hex HMAC-SHA256 keyed by the
// API secret.
func Sign(secret Secret, payload []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(payload)
	return hex.EncodeToString(m.Sum(nil))
}

// VerifySignature checks sig (hex, any case) against payload.
func VerifySignature(secret Secret, payload []byte, sig string) error {
	got, err := hex.DecodeString(sig)
	if err != nil || len(got) != sha256.Size {
		return ruleError(ErrBadSignature, "signature is not 64 hex digits")
	}
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(payload)
	if !hmac.Equal(m.Sum(nil), got) {
		return ruleError(ErrBadSignature, "signature does not match")
	}
	return nil
}

// AllowList is a set of IP prefixes; empty allows every address.
type AllowList []netip.Prefix

// ParseAllowList parses a comma-separated list of addresses and prefixes.
func ParseAllowList(s string) (AllowList, error) {
	var out AllowList
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if p, err := netip.ParsePrefix(f); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(f)
		if err != nil {
			return nil, ruleError(ErrIPNotAllowed, "bad address %q", f)
		}
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

// Allows reports whether addr is allowed.
func (l AllowList) Allows(addr netip.Addr) bool {
	if len(l) == 0 {
		return true
	}
	addr = addr.Unmap()
	for _, p := range l {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}

// String formats the list as ParseAllowList reads it.
func (l AllowList) String() string {
	s := make([]string, len(l))
	for i, p := range l {
		s[i] = p.String()
	}
	return strings.Join(s, ",")
}
