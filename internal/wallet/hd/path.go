package hd

import (
	"strconv"
	"strings"
)

// Path is a list of child indexes from a master key.
type Path []uint32

// Coin types (the second level of every Ballast path).
const (
	CoinTypeMainnet uint32 = 7771
	CoinTypeTest    uint32 = 1 // testnet, regtest and generated networks
)

// Purposes (the first level).
const (
	PurposeKey      uint32 = 86 // single-key locks: x-only keys, as BIP86
	PurposeMultisig uint32 = 48 // multisig cosigners, as BIP48 ...
	ScriptPolicy    uint32 = 4  // ... with script type 4': Ballast policy locks
)

// CoinType returns the coin type of a network name.
func CoinType(network string) uint32 {
	if network == "mainnet" {
		return CoinTypeMainnet
	}
	return CoinTypeTest
}

// KeyAccountPath is m/86'/coin'/account'.
func KeyAccountPath(coin, account uint32) Path {
	return Path{PurposeKey + HardenedOffset, coin + HardenedOffset, account + HardenedOffset}
}

// MultisigAccountPath is m/48'/coin'/account'/4'.
func MultisigAccountPath(coin, account uint32) Path {
	return Path{PurposeMultisig + HardenedOffset, coin + HardenedOffset, account + HardenedOffset, ScriptPolicy + HardenedOffset}
}

// ParsePath reads "m/86'/1'/0'/0/5" ("h" or "H" also mark hardened).
func ParsePath(s string) (Path, error) {
	parts := strings.Split(s, "/")
	if len(parts) == 0 || parts[0] != "m" {
		return nil, errf(ErrBadPath, "path must start with m")
	}
	if len(parts) > 256 {
		return nil, errf(ErrBadPath, "path too deep")
	}
	p := make(Path, 0, len(parts)-1)
	for _, c := range parts[1:] {
		h := uint32(0)
		if n := len(c); n > 0 && (c[n-1] == '\'' || c[n-1] == 'h' || c[n-1] == 'H') {
			h, c = HardenedOffset, c[:n-1]
		}
		v, err := strconv.ParseUint(c, 10, 31)
		if err != nil || (len(c) > 1 && c[0] == '0') {
			return nil, errf(ErrBadPath, "bad index %q", c)
		}
		p = append(p, uint32(v)+h)
	}
	return p, nil
}

// String prints the path with ' for hardened levels.
func (p Path) String() string {
	var b strings.Builder
	b.WriteString("m")
	for _, i := range p {
		b.WriteByte('/')
		if i >= HardenedOffset {
			b.WriteString(strconv.FormatUint(uint64(i-HardenedOffset), 10))
			b.WriteByte('\'')
		} else {
			b.WriteString(strconv.FormatUint(uint64(i), 10))
		}
	}
	return b.String()
}
