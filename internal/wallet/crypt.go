package wallet

import (
	"crypto/rand"
	"encoding/json"
	"log/slog"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/chacha20poly1305"
)

// Passphrase is a wallet passphrase: it prints and logs redacted.
type Passphrase string

func (Passphrase) String() string   { return "[redacted]" }
func (Passphrase) GoString() string { return "[redacted]" }

// LogValue implements slog.LogValuer.
func (Passphrase) LogValue() slog.Value { return slog.StringValue("[redacted]") }

// KDF holds argon2id's parameters. The zero value means the defaults.
type KDF struct {
	Time    uint32 `json:"t"`
	Memory  uint32 `json:"m"` // KiB
	Threads uint8  `json:"p"`
	Salt    []byte `json:"salt"`
}

// Argon2id defaults: RFC 9106's second recommended option (t=3, 64 MiB).
const (
	DefaultKDFTime    = 3
	DefaultKDFMemory  = 64 * 1024
	DefaultKDFThreads = 4
)

func (k KDF) withDefaults() KDF {
	if k.Time == 0 {
		k.Time = DefaultKDFTime
	}
	if k.Memory == 0 {
		k.Memory = DefaultKDFMemory
	}
	if k.Threads == 0 {
		k.Threads = DefaultKDFThreads
	}
	return k
}

// secrets is what the wallet encrypts.
type secrets struct {
	Mnemonic       string `json:"mnemonic"`
	SeedPassphrase string `json:"bip39_passphrase,omitempty"`
}

// sealed is the secret part of the wallet file: plain JSON for an
// unencrypted wallet, otherwise XChaCha20-Poly1305 under an argon2id key.
type sealed struct {
	Encrypted bool   `json:"encrypted"`
	KDF       *KDF   `json:"kdf,omitempty"`
	Nonce     []byte `json:"nonce,omitempty"`
	Data      []byte `json:"data"`
}

func (s secrets) LogValue() slog.Value { return slog.StringValue("[redacted]") }

func seal(s *secrets, pass Passphrase, kdf KDF) (*sealed, error) {
	plain, err := json.Marshal(s)
	if err != nil {
		return nil, err
	}
	if pass == "" {
		return &sealed{Data: plain}, nil
	}
	kdf = kdf.withDefaults()
	kdf.Salt = make([]byte, 16)
	if _, err := rand.Read(kdf.Salt); err != nil {
		return nil, err
	}
	aead, err := chacha20poly1305.NewX(deriveKey(pass, kdf))
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	clear(plain)
	plain, _ = json.Marshal(s)
	ct := aead.Seal(nil, nonce, plain, []byte("ballast-wallet-v1"))
	clear(plain)
	return &sealed{Encrypted: true, KDF: &kdf, Nonce: nonce, Data: ct}, nil
}

func deriveKey(pass Passphrase, k KDF) []byte {
	return argon2.IDKey([]byte(pass), k.Salt, k.Time, k.Memory, k.Threads, chacha20poly1305.KeySize)
}

func (s *sealed) open(pass Passphrase) (*secrets, error) {
	plain := s.Data
	if s.Encrypted {
		if s.KDF == nil {
			return nil, errf(ErrCorrupt, "encrypted wallet without KDF parameters")
		}
		aead, err := chacha20poly1305.NewX(deriveKey(pass, *s.KDF))
		if err != nil {
			return nil, err
		}
		if len(s.Nonce) != aead.NonceSize() {
			return nil, errf(ErrCorrupt, "bad nonce")
		}
		plain, err = aead.Open(nil, s.Nonce, s.Data, []byte("ballast-wallet-v1"))
		if err != nil {
			return nil, errf(ErrWrongPassphrase, "The wallet passphrase entered was incorrect.")
		}
		defer clear(plain)
	}
	var out secrets
	if err := json.Unmarshal(plain, &out); err != nil {
		return nil, errf(ErrCorrupt, "secret data does not decode")
	}
	return &out, nil
}
