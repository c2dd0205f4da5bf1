package hd

import (
	"crypto/rand"
	"log/slog"
	"strings"

	"github.com/tyler-smith/go-bip39"
)

// Mnemonic is a BIP39 sentence. It prints and logs redacted; Reveal returns
// the words for the one place that must show them (wallet creation).
type Mnemonic string

func (Mnemonic) String() string   { return "[redacted]" }
func (Mnemonic) GoString() string { return "[redacted]" }

// LogValue implements slog.LogValuer.
func (Mnemonic) LogValue() slog.Value { return slog.StringValue("[redacted]") }

// Reveal returns the words.
func (m Mnemonic) Reveal() string { return string(m) }

// NewMnemonic returns a fresh mnemonic of words words (12, 15, 18, 21 or 24)
// from crypto/rand.
func NewMnemonic(words int) (Mnemonic, error) {
	if words%3 != 0 || words < 12 || words > 24 {
		return "", errf(ErrBadMnemonic, "%d words: want 12, 15, 18, 21 or 24", words)
	}
	ent := make([]byte, words*4/3)
	if _, err := rand.Read(ent); err != nil {
		return "", err
	}
	return MnemonicFromEntropy(ent)
}

// MnemonicFromEntropy encodes 16..32 bytes of entropy (a multiple of 4).
func MnemonicFromEntropy(ent []byte) (Mnemonic, error) {
	s, err := bip39.NewMnemonic(ent)
	if err != nil {
		return "", errf(ErrBadMnemonic, "entropy of %d bytes", len(ent))
	}
	return Mnemonic(s), nil
}

// ParseMnemonic normalises white space and case and checks the words and
// the checksum. The error never repeats the words.
func ParseMnemonic(s string) (Mnemonic, error) {
	norm := strings.Join(strings.Fields(strings.ToLower(s)), " ")
	n := len(strings.Fields(norm))
	if n%3 != 0 || n < 12 || n > 24 {
		return "", errf(ErrBadMnemonic, "%d words: want 12, 15, 18, 21 or 24", n)
	}
	if _, err := bip39.EntropyFromMnemonic(norm); err != nil {
		return "", errf(ErrBadMnemonic, "unknown word or bad checksum")
	}
	return Mnemonic(norm), nil
}

// Seed returns the BIP39 seed (PBKDF2-HMAC-SHA512, 2048 rounds) of m with
// the optional passphrase.
func (m Mnemonic) Seed(passphrase string) []byte {
	return bip39.NewSeed(string(m), passphrase)
}
