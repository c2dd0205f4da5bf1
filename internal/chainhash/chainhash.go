// Package chainhash provides the 32-byte hash type used for block hashes,
// transaction ids, merkle nodes and asset ids, and the hash functions the
// consensus rules are written in: double SHA-256 and BIP340-style tagged
// SHA-256.
package chainhash

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
)

// Size is the length of a Hash in bytes.
const Size = 32

// Hash is a 32-byte hash in internal (little-endian) byte order, as it is
// serialized in headers and transactions. Its String form reverses the bytes,
// as Bitcoin displays block hashes and txids.
type Hash [Size]byte

// ErrHashStrSize is returned by NewHashFromStr for a string that is not 64 hex digits.
var ErrHashStrSize = errors.New("chainhash: hash string must be 64 hex digits")

// String returns the hash as byte-reversed hex, the form block explorers and
// RPC show.
func (h Hash) String() string {
	var r Hash
	for i := range Size {
		r[i] = h[Size-1-i]
	}
	return hex.EncodeToString(r[:])
}

// IsZero reports whether every byte of h is zero.
func (h Hash) IsZero() bool { return h == Hash{} }

// MarshalText implements encoding.TextMarshaler with the display form.
func (h Hash) MarshalText() ([]byte, error) { return []byte(h.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler with the display form.
func (h *Hash) UnmarshalText(b []byte) error {
	v, err := NewHashFromStr(string(b))
	if err != nil {
		return err
	}
	*h = v
	return nil
}

// NewHashFromStr parses the byte-reversed hex display form of a hash.
func NewHashFromStr(s string) (Hash, error) {
	var h Hash
	if len(s) != 2*Size {
		return h, ErrHashStrSize
	}
	var b Hash
	if _, err := hex.Decode(b[:], []byte(s)); err != nil {
		return h, fmt.Errorf("chainhash: %w", err)
	}
	for i := range Size {
		h[i] = b[Size-1-i]
	}
	return h, nil
}

// DoubleSHA256 returns SHA-256(SHA-256(b)).
func DoubleSHA256(b []byte) Hash {
	first := sha256.Sum256(b)
	return sha256.Sum256(first[:])
}

// TaggedHash returns SHA-256(SHA-256(tag) || SHA-256(tag) || parts...), the
// domain-separated hash of BIP340. Tags used by Ballast are listed in
// docs/protocol.md.
func TaggedHash(tag string, parts ...[]byte) Hash {
	t := sha256.Sum256([]byte(tag))
	h := sha256.New()
	h.Write(t[:])
	h.Write(t[:])
	for _, p := range parts {
		h.Write(p)
	}
	var out Hash
	h.Sum(out[:0])
	return out
}
