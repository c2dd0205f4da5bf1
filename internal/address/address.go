// Package address encodes and decodes Ballast addresses: bech32m (BIP350)
// strings whose human-readable prefix names the network ("bal", "tbal",
// "rbal") and whose data part is a lock kind followed by a 32-byte program.
//
// The layout is that of a segwit v1+ address with the lock kind in place of
// the witness version:
//
//	hrp ‖ "1" ‖ kind (one 5-bit group) ‖ program (32 bytes as 52 groups) ‖ checksum (6 groups)
//
// Kind 1 is a key lock (a BIP340 x-only public key, "bal1p..."), kind 2 a
// policy lock (the policy tree hash, "bal1z..."). A burn lock is never an
// address. Only the bech32m checksum is accepted. docs/protocol.md §9 describes the
// format; the package is pure (no I/O).
package address

import (
	"errors"

	"github.com/btcsuite/btcd/btcutil/bech32"

	"github.com/ballast-chain/ballast/internal/wire"
)

const (
	// MaxLength is the longest string accepted, as BIP173 and BIP350 limit.
	MaxLength = 90
	// ProgramSize is the size of the program: an x-only key or a policy hash.
	ProgramSize = 32
	// dataGroups is the data part before the checksum: the kind and the
	// program's 256 bits in 5-bit groups (51 full groups and 1 padded).
	dataGroups = 1 + (ProgramSize*8+4)/5
	// checksumGroups is the length of the bech32m checksum.
	checksumGroups = 6
	// MaxHRPLen is the longest prefix whose addresses still fit MaxLength:
	// 90 - separator - 53 data groups - 6 checksum groups = 30. BIP173
	// allows prefixes of up to 83 characters, but an address with a longer
	// prefix than 30 could never be decoded.
	MaxHRPLen = MaxLength - 1 - dataGroups - checksumGroups
)

// ValidateHRP checks that hrp can prefix addresses: 1 to MaxHRPLen
// characters of US-ASCII 33-126 (BIP173), none of them uppercase, since
// addresses are written in lowercase and a prefix's case is not significant.
func ValidateHRP(hrp string) error {
	if len(hrp) == 0 {
		return ruleErr(ErrBadHRP, "empty prefix")
	}
	if len(hrp) > MaxHRPLen {
		return ruleErr(ErrBadHRP, "prefix %q is %d characters; at most %d fit a %d-character address",
			hrp, len(hrp), MaxHRPLen, MaxLength)
	}
	for i := 0; i < len(hrp); i++ {
		c := hrp[i]
		if c < 33 || c > 126 {
			return ruleErr(ErrBadHRP, "prefix %q: character %#02x at %d is outside US-ASCII 33-126", hrp, c, i)
		}
		if c >= 'A' && c <= 'Z' {
			return ruleErr(ErrBadHRP, "prefix %q: uppercase %q at %d; prefixes are lowercase", hrp, c, i)
		}
	}
	return nil
}

// Encode returns the address of a key or policy lock on the network whose
// prefix is hrp. The result is lowercase.
func Encode(hrp string, lock wire.Lock) (string, error) {
	if err := ValidateHRP(hrp); err != nil {
		return "", err
	}
	if err := checkKind(lock.Kind); err != nil {
		return "", err
	}
	if len(lock.Data) != ProgramSize {
		return "", ruleErr(ErrBadProgram, "%s lock program is %d bytes, want %d", lock.Kind, len(lock.Data), ProgramSize)
	}
	groups, err := bech32.ConvertBits(lock.Data, 8, 5, true)
	if err != nil { // cannot happen for 8-to-5 with padding
		return "", ruleErr(ErrBadProgram, "converting program: %v", err)
	}
	data := make([]byte, 0, dataGroups)
	data = append(data, byte(lock.Kind))
	data = append(data, groups...)
	s, err := bech32.EncodeM(hrp, data)
	if err != nil { // cannot happen: every group is below 32
		return "", ruleErr(ErrMalformed, "encoding: %v", err)
	}
	return s, nil
}

// Decode parses an address of the network whose (lowercase) prefix is hrp
// and returns its lock; hrp itself must pass ValidateHRP. An all-uppercase address is accepted, as BIP173
// requires for QR codes; the error of a rejected string names the problem.
func Decode(s, hrp string) (wire.Lock, error) {
	if err := ValidateHRP(hrp); err != nil {
		return wire.Lock{}, err
	}
	gotHRP, data, err := decodeBech32m(s)
	if err != nil {
		return wire.Lock{}, err
	}
	if gotHRP != hrp {
		return wire.Lock{}, ruleErr(ErrWrongHRP, "address prefix %q, want %q (an address of another network?)", gotHRP, hrp)
	}
	if len(data) == 0 {
		return wire.Lock{}, ruleErr(ErrBadProgram, "empty data part")
	}
	kind := wire.LockKind(data[0])
	if err := checkKind(kind); err != nil {
		return wire.Lock{}, err
	}
	prog, err := bech32.ConvertBits(data[1:], 5, 8, false)
	if err != nil {
		return wire.Lock{}, ruleErr(ErrBadProgram, "program padding: %v", err)
	}
	if len(prog) != ProgramSize {
		return wire.Lock{}, ruleErr(ErrBadProgram, "%s lock program is %d bytes, want %d", kind, len(prog), ProgramSize)
	}
	return wire.Lock{Kind: kind, Data: prog}, nil
}

func checkKind(k wire.LockKind) error {
	switch k {
	case wire.LockKey, wire.LockPolicy:
		return nil
	case wire.LockBurn:
		return ruleErr(ErrUnknownKind, "burn locks are unspendable and have no address")
	}
	return ruleErr(ErrUnknownKind, "lock kind %d has no address (1 = key, 2 = policy)", k)
}

// decodeBech32m checks s as a bech32m string of at most MaxLength characters
// and returns its lowercase prefix and its data groups without the checksum.
// It is the whole string-level path of Decode, tested against BIP350's
// generic vectors.
func decodeBech32m(s string) (hrp string, data []byte, err error) {
	if len(s) > MaxLength {
		return "", nil, ruleErr(ErrTooLong, "%d characters, at most %d", len(s), MaxLength)
	}
	hrp, data, version, err := bech32.DecodeGeneric(s)
	if err != nil {
		var mixed bech32.ErrMixedCase
		var sum bech32.ErrInvalidChecksum
		switch {
		case errors.As(err, &mixed):
			return "", nil, ruleErr(ErrMixedCase, "%v", err)
		case errors.As(err, &sum):
			return "", nil, ruleErr(ErrBadChecksum, "checksum %q is wrong (mistyped or damaged?)", sum.Actual)
		}
		return "", nil, ruleErr(ErrMalformed, "%v", err)
	}
	if version != bech32.VersionM {
		return "", nil, ruleErr(ErrNotBech32m, "bech32 (BIP173) checksum; addresses use bech32m (BIP350)")
	}
	return hrp, data, nil
}
