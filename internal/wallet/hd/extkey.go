package hd

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/binary"
	"log/slog"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcutil/base58"
	"golang.org/x/crypto/ripemd160" //lint:ignore SA1019 BIP32 fingerprints are defined with RIPEMD-160
)

// HardenedOffset is added to an index for hardened derivation (i').
const HardenedOffset uint32 = 1 << 31

// Version is the 4-byte prefix of a serialized extended key.
type Version [4]byte

// The BIP32 version bytes: mainnet xprv/xpub, other networks tprv/tpub.
var (
	MainnetPrivate = Version{0x04, 0x88, 0xad, 0xe4}
	MainnetPublic  = Version{0x04, 0x88, 0xb2, 0x1e}
	TestnetPrivate = Version{0x04, 0x35, 0x83, 0x94}
	TestnetPublic  = Version{0x04, 0x35, 0x87, 0xcf}
)

// Versions returns the private and public versions for a network name.
func Versions(network string) (priv, pub Version) {
	if network == "mainnet" {
		return MainnetPrivate, MainnetPublic
	}
	return TestnetPrivate, TestnetPublic
}

// ExtendedKey is a BIP32 node: a private or public key with its chain
// code. Values are immutable; Child returns a new key. A private key's
// String, GoString and LogValue are redacted; use Base58 to serialize.
type ExtendedKey struct {
	version   Version
	depth     uint8
	parentFP  [4]byte
	childNum  uint32
	chainCode [32]byte
	key       []byte // 32-byte private scalar or 33-byte compressed public key
	private   bool
}

// NewMaster returns the master key of seed (16..64 bytes) with the private
// version v.
func NewMaster(seed []byte, v Version) (*ExtendedKey, error) {
	if len(seed) < 16 || len(seed) > 64 {
		return nil, errf(ErrBadSeed, "seed of %d bytes: want 16..64", len(seed))
	}
	m := hmac.New(sha512.New, []byte("Bitcoin seed"))
	m.Write(seed)
	I := m.Sum(nil)
	var k btcec.ModNScalar
	if overflow := k.SetByteSlice(I[:32]); overflow || k.IsZero() {
		return nil, errf(ErrBadSeed, "unusable master key")
	}
	e := &ExtendedKey{version: v, key: append([]byte(nil), I[:32]...), private: true}
	copy(e.chainCode[:], I[32:])
	return e, nil
}

// IsPrivate reports whether the key holds a private key.
func (e *ExtendedKey) IsPrivate() bool { return e.private }

// Depth returns the key's depth (0 for a master key).
func (e *ExtendedKey) Depth() uint8 { return e.depth }

// ChildNumber returns the index this key was derived at.
func (e *ExtendedKey) ChildNumber() uint32 { return e.childNum }

// ParentFingerprint returns the parent's fingerprint.
func (e *ExtendedKey) ParentFingerprint() [4]byte { return e.parentFP }

// PubKeyBytes returns the 33-byte compressed public key.
func (e *ExtendedKey) PubKeyBytes() []byte {
	if !e.private {
		return append([]byte(nil), e.key...)
	}
	_, pub := btcec.PrivKeyFromBytes(e.key)
	return pub.SerializeCompressed()
}

// XOnly returns the BIP340 x-only public key (the x coordinate).
func (e *ExtendedKey) XOnly() [32]byte {
	var x [32]byte
	copy(x[:], e.PubKeyBytes()[1:])
	return x
}

// PrivKey returns the private key.
func (e *ExtendedKey) PrivKey() (*btcec.PrivateKey, error) {
	if !e.private {
		return nil, errf(ErrNotPrivateKey, "public extended key")
	}
	k, _ := btcec.PrivKeyFromBytes(e.key)
	return k, nil
}

// Fingerprint returns the first 4 bytes of HASH160 of the public key.
func (e *ExtendedKey) Fingerprint() [4]byte {
	s := sha256.Sum256(e.PubKeyBytes())
	r := ripemd160.New()
	r.Write(s[:])
	var fp [4]byte
	copy(fp[:], r.Sum(nil))
	return fp
}

// Zero overwrites the key material of e (private or public key and
// chain code); e must not be used afterwards. Callers holding a private key
// in memory zero it when they are done, as btcec.PrivateKey.Zero does.
func (e *ExtendedKey) Zero() {
	clear(e.key)
	clear(e.chainCode[:])
	e.key = nil
}

// Neuter returns the public key of e with the public version v.
func (e *ExtendedKey) Neuter(v Version) *ExtendedKey {
	n := *e
	n.version, n.key, n.private = v, e.PubKeyBytes(), false
	return &n
}

// Child derives child i (hardened when i >= HardenedOffset).
func (e *ExtendedKey) Child(i uint32) (*ExtendedKey, error) {
	if e.depth == 255 {
		return nil, errf(ErrDepth, "depth 255 reached")
	}
	hardened := i >= HardenedOffset
	if hardened && !e.private {
		return nil, errf(ErrHardenedPub, "hardened child %d of a public key", i-HardenedOffset)
	}
	data := make([]byte, 0, 37)
	if hardened {
		data = append(append(data, 0), e.key...)
	} else {
		data = append(data, e.PubKeyBytes()...)
	}
	data = binary.BigEndian.AppendUint32(data, i)
	m := hmac.New(sha512.New, e.chainCode[:])
	m.Write(data)
	I := m.Sum(nil)
	var il btcec.ModNScalar
	if overflow := il.SetByteSlice(I[:32]); overflow {
		return nil, errf(ErrInvalidChild, "child %d: I_L >= n", i)
	}
	c := &ExtendedKey{version: e.version, depth: e.depth + 1, parentFP: e.Fingerprint(), childNum: i, private: e.private}
	copy(c.chainCode[:], I[32:])
	if e.private {
		var k btcec.ModNScalar
		k.SetByteSlice(e.key)
		k.Add(&il)
		if k.IsZero() {
			return nil, errf(ErrInvalidChild, "child %d: zero key", i)
		}
		b := k.Bytes()
		c.key = b[:]
		return c, nil
	}
	parent, err := btcec.ParsePubKey(e.key)
	if err != nil {
		return nil, errf(ErrBadExtKey, "public key does not parse")
	}
	var pp, ilG, sum btcec.JacobianPoint
	parent.AsJacobian(&pp)
	btcec.ScalarBaseMultNonConst(&il, &ilG)
	btcec.AddNonConst(&ilG, &pp, &sum)
	if (sum.X.IsZero() && sum.Y.IsZero()) || sum.Z.IsZero() {
		return nil, errf(ErrInvalidChild, "child %d: point at infinity", i)
	}
	sum.ToAffine()
	c.key = btcec.NewPublicKey(&sum.X, &sum.Y).SerializeCompressed()
	return c, nil
}

// Derive follows path from e.
func (e *ExtendedKey) Derive(path Path) (*ExtendedKey, error) {
	k := e
	for _, i := range path {
		var err error
		if k, err = k.Child(i); err != nil {
			return nil, err
		}
	}
	return k, nil
}

// Base58 returns the 111-character base58check serialization (xprv...,
// xpub..., tprv..., tpub...).
func (e *ExtendedKey) Base58() string {
	b := make([]byte, 0, 82)
	b = append(b, e.version[:]...)
	b = append(b, e.depth)
	b = append(b, e.parentFP[:]...)
	b = binary.BigEndian.AppendUint32(b, e.childNum)
	b = append(b, e.chainCode[:]...)
	if e.private {
		b = append(b, 0)
	}
	b = append(b, e.key...)
	sum := doubleSHA(b)
	return base58.Encode(append(b, sum[:4]...))
}

// String returns the serialization of a public key and "[redacted]" for a
// private one.
func (e *ExtendedKey) String() string {
	if e.private {
		return "[redacted]"
	}
	return e.Base58()
}

// GoString is String, so %#v cannot leak a private key.
func (e *ExtendedKey) GoString() string { return e.String() }

// LogValue implements slog.LogValuer.
func (e *ExtendedKey) LogValue() slog.Value { return slog.StringValue(e.String()) }

// ParseExtendedKey decodes a base58check extended key. It checks the
// checksum, the length, the private/public marker against the version's
// kind when the version is one of this package's, and the key itself.
func ParseExtendedKey(s string) (*ExtendedKey, error) {
	if len(s) > 120 {
		return nil, errf(ErrBadExtKey, "too long")
	}
	b := base58.Decode(s)
	if len(b) != 82 {
		return nil, errf(ErrBadExtKey, "wrong length")
	}
	sum := doubleSHA(b[:78])
	if !hmac.Equal(sum[:4], b[78:]) {
		return nil, errf(ErrBadExtKey, "bad checksum")
	}
	e := &ExtendedKey{depth: b[4], childNum: binary.BigEndian.Uint32(b[9:13])}
	copy(e.version[:], b[:4])
	copy(e.parentFP[:], b[5:9])
	copy(e.chainCode[:], b[13:45])
	keyData := b[45:78]
	switch e.version {
	case MainnetPrivate, TestnetPrivate:
		e.private = true
	case MainnetPublic, TestnetPublic:
	default:
		return nil, errf(ErrBadExtKey, "unknown version %x", e.version)
	}
	if e.depth == 0 && (e.parentFP != [4]byte{} || e.childNum != 0) {
		return nil, errf(ErrBadExtKey, "master key with a parent")
	}
	if e.private {
		if keyData[0] != 0 {
			return nil, errf(ErrBadExtKey, "private key marker")
		}
		var k btcec.ModNScalar
		if overflow := k.SetByteSlice(keyData[1:]); overflow || k.IsZero() {
			return nil, errf(ErrBadExtKey, "private key out of range")
		}
		e.key = append([]byte(nil), keyData[1:]...)
		return e, nil
	}
	if _, err := btcec.ParsePubKey(keyData); err != nil || (keyData[0] != 2 && keyData[0] != 3) {
		return nil, errf(ErrBadExtKey, "invalid public key")
	}
	e.key = append([]byte(nil), keyData...)
	return e, nil
}

// Version returns the key's version bytes.
func (e *ExtendedKey) Version() Version { return e.version }

func doubleSHA(b []byte) [32]byte {
	h := sha256.Sum256(b)
	return sha256.Sum256(h[:])
}
