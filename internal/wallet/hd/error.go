package hd

import "fmt"

// ErrorKind identifies a class of key failure.
type ErrorKind string

func (k ErrorKind) Error() string { return string(k) }

// Error kinds.
const (
	ErrBadMnemonic   = ErrorKind("ErrBadMnemonic")   // not a valid BIP39 mnemonic (word or checksum)
	ErrBadSeed       = ErrorKind("ErrBadSeed")       // seed not 16..64 bytes, or an unusable master key
	ErrBadExtKey     = ErrorKind("ErrBadExtKey")     // an extended key string that does not decode
	ErrBadPath       = ErrorKind("ErrBadPath")       // a derivation path that does not parse
	ErrHardenedPub   = ErrorKind("ErrHardenedPub")   // hardened derivation asked of a public key
	ErrInvalidChild  = ErrorKind("ErrInvalidChild")  // BIP32's negligible invalid-child case
	ErrDepth         = ErrorKind("ErrDepth")         // deeper than 255 levels
	ErrWrongNetwork  = ErrorKind("ErrWrongNetwork")  // an extended key of another network
	ErrNotPrivateKey = ErrorKind("ErrNotPrivateKey") // a private operation on a public key
)

// Error is a key failure with context; it unwraps to its kind. It never
// holds secret material.
type Error struct {
	Kind ErrorKind
	Msg  string
}

func (e *Error) Error() string { return "hd: " + e.Msg }

// Unwrap returns the kind.
func (e *Error) Unwrap() error { return e.Kind }

func errf(k ErrorKind, format string, args ...any) error {
	return &Error{Kind: k, Msg: fmt.Sprintf(format, args...)}
}
