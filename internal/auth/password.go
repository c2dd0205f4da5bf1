package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Argon2Params are the argon2id cost parameters. The zero value means
// the defaults (RFC 9106's second recommended option: 64 MiB, 3 passes).
type Argon2Params struct {
	MemoryKiB uint32
	Time      uint32
	Threads   uint8
}

func (p Argon2Params) withDefaults() Argon2Params {
	if p.MemoryKiB == 0 {
		p.MemoryKiB = 64 * 1024
	}
	if p.Time == 0 {
		p.Time = 3
	}
	if p.Threads == 0 {
		p.Threads = 2
	}
	return p
}

// HashPassword returns the PHC-format argon2id hash of password.
func HashPassword(password string, p Argon2Params) (string, error) {
	p = p.withDefaults()
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	h := argon2.IDKey([]byte(password), salt, p.Time, p.MemoryKiB, p.Threads, 32)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.MemoryKiB, p.Time, p.Threads,
		b64.EncodeToString(salt), b64.EncodeToString(h)), nil
}

// VerifyPassword checks password against a hash from HashPassword.
func VerifyPassword(encoded, password string) error {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return ruleError(ErrBadHash, "not an argon2id hash")
	}
	var v int
	var m, t uint32
	var th uint8
	if _, err := fmt.Sscanf(parts[2], "v=%d", &v); err != nil || v != argon2.Version {
		return ruleError(ErrBadHash, "unsupported argon2 version")
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &th); err != nil || m > 1<<22 || t > 64 || th == 0 {
		return ruleError(ErrBadHash, "bad argon2 parameters")
	}
	b64 := base64.RawStdEncoding
	salt, err1 := b64.DecodeString(parts[4])
	want, err2 := b64.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(want) == 0 || len(want) > 64 {
		return ruleError(ErrBadHash, "bad argon2 salt or hash")
	}
	got := argon2.IDKey([]byte(password), salt, t, m, th, uint32(len(want)))
	if subtle.ConstantTimeCompare(got, want) != 1 {
		return ruleError(ErrBadPassword, "wrong password")
	}
	return nil
}

// noUserSalt is DummyHash's salt: the hash is fixed, so nothing is stored
// or derived at start; its digest is all zeros, which no password reaches
// (that would take a 256-bit argon2id preimage).
var noUserSalt = []byte("ballast-no-user.")

// DummyHash is an argon2id hash with cost p that no password matches. A
// login for an unknown account verifies against it, so it costs what a
// wrong password costs and its timing does not tell whether the account
// exists.
func DummyHash(p Argon2Params) string {
	p = p.withDefaults()
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.MemoryKiB, p.Time, p.Threads,
		b64.EncodeToString(noUserSalt), b64.EncodeToString(make([]byte, 32)))
}
