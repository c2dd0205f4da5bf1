package rpc

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
)

// Secret is a password or cookie value. It prints and logs as
// "[redacted]", so it cannot leak through fmt or slog by accident; string(s)
// gives the value to the code that needs it.
type Secret string

func (Secret) String() string   { return "[redacted]" }
func (Secret) GoString() string { return "[redacted]" }

// LogValue implements slog.LogValuer.
func (Secret) LogValue() slog.Value { return slog.StringValue("[redacted]") }

// CookieUser is the user name of cookie authentication, as in Core.
const CookieUser = "__cookie__"

// CookieFileName is the cookie file's name inside a network's data
// directory.
const CookieFileName = ".cookie"

// credential is one accepted user and password, kept as Core keeps them:
// an HMAC-SHA256 of the password under a salt, compared in constant time,
// so plaintext passwords need not stay in memory.
type credential struct {
	user string
	salt string
	hash []byte
}

func (c *credential) matches(user, pass string) bool {
	userOK := subtle.ConstantTimeCompare([]byte(user), []byte(c.user)) == 1
	m := hmac.New(sha256.New, []byte(c.salt))
	m.Write([]byte(pass))
	passOK := hmac.Equal(m.Sum(nil), c.hash)
	return userOK && passOK
}

// newCredential salts and hashes a plaintext user and password.
func newCredential(user string, pass Secret) (credential, error) {
	var salt [16]byte
	if _, err := rand.Read(salt[:]); err != nil {
		return credential{}, err
	}
	c := credential{user: user, salt: hex.EncodeToString(salt[:])}
	m := hmac.New(sha256.New, []byte(c.salt))
	m.Write([]byte(pass))
	c.hash = m.Sum(nil)
	return c, nil
}

// parseRPCAuth reads Core's rpcauth form "user:salt$hash", where hash is
// the hex HMAC-SHA256 of the password keyed with the salt's text (Core's
// share/rpcauth/rpcauth.py makes such lines).
func parseRPCAuth(line string) (credential, error) {
	user, rest, ok := strings.Cut(line, ":")
	salt, hash, ok2 := strings.Cut(rest, "$")
	if !ok || !ok2 || user == "" || salt == "" || strings.ContainsAny(salt, ":$") || strings.ContainsAny(hash, ":$") {
		return credential{}, fmt.Errorf("rpcauth %q: want user:salt$hash", redactAuth(line))
	}
	h, err := hex.DecodeString(hash)
	if err != nil || len(h) != sha256.Size {
		return credential{}, fmt.Errorf("rpcauth for user %q: hash must be %d hex digits", user, 2*sha256.Size)
	}
	return credential{user: user, salt: salt, hash: h}, nil
}

// redactAuth keeps the user name of an rpcauth line for error messages.
func redactAuth(line string) string {
	user, _, _ := strings.Cut(line, ":")
	return user + ":[redacted]"
}

// RPCAuthLine returns the rpcauth line for user and password with a fresh
// random salt, the Go equivalent of Core's rpcauth.py.
func RPCAuthLine(user string, pass Secret) (string, error) {
	c, err := newCredential(user, pass)
	if err != nil {
		return "", err
	}
	return user + ":" + c.salt + "$" + hex.EncodeToString(c.hash), nil
}

// newCookie returns a fresh cookie password: 32 random bytes in hex.
func newCookie() (Secret, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("generating the RPC cookie: %w", err)
	}
	return Secret(hex.EncodeToString(b[:])), nil
}

// writeCookie writes "__cookie__:<password>" to dir/.cookie with mode
// 0600, through a temporary file renamed into place (as Core does), so a
// client never reads half a cookie.
func writeCookie(dir string, pass Secret) (string, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("RPC cookie: %w", err)
	}
	path := filepath.Join(dir, CookieFileName)
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(CookieUser+":"+string(pass)), 0o600); err != nil {
		return "", fmt.Errorf("RPC cookie: %w", err)
	}
	if err := os.Chmod(tmp, 0o600); err != nil { // WriteFile keeps an existing file's mode
		os.Remove(tmp)
		return "", fmt.Errorf("RPC cookie: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return "", fmt.Errorf("RPC cookie: %w", err)
	}
	return path, nil
}

// ReadCookie reads a cookie file and returns its user and password.
func ReadCookie(path string) (user string, pass Secret, err error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return "", "", err
	}
	line := strings.TrimRight(string(data), "\r\n")
	u, p, ok := strings.Cut(line, ":")
	if !ok || u == "" {
		return "", "", errors.New("malformed cookie file " + path)
	}
	return u, Secret(p), nil
}
