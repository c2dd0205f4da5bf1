package wire

import "fmt"

// ErrorKind identifies a class of decoding failure. It implements error so
// callers can test with errors.Is(err, wire.ErrTruncated).
type ErrorKind string

// Error returns the kind's name.
func (k ErrorKind) Error() string { return string(k) }

// Decoding failures.
const (
	// ErrTruncated: the input ends before the structure does.
	ErrTruncated = ErrorKind("ErrTruncated")
	// ErrTrailingBytes: bytes remain after a complete structure.
	ErrTrailingBytes = ErrorKind("ErrTrailingBytes")
	// ErrNonCanonical: a value has more than one encoding and this is not the
	// canonical one (non-minimal CompactSize, witness flag without witness,
	// reserved flag bits, native asset written with the explicit tag).
	ErrNonCanonical = ErrorKind("ErrNonCanonical")
	// ErrTooMany: a count exceeds its limit.
	ErrTooMany = ErrorKind("ErrTooMany")
	// ErrTooLarge: a length exceeds its limit.
	ErrTooLarge = ErrorKind("ErrTooLarge")
	// ErrUnknownLock: an output lock kind that is not defined.
	ErrUnknownLock = ErrorKind("ErrUnknownLock")
	// ErrUnknownAssetTag: an asset tag byte that is not defined.
	ErrUnknownAssetTag = ErrorKind("ErrUnknownAssetTag")
)

// MessageError is a decoding failure: which structure and field, and why. It
// unwraps to its ErrorKind.
type MessageError struct {
	Kind        ErrorKind
	Description string
}

func (e *MessageError) Error() string { return fmt.Sprintf("%s: %s", e.Kind, e.Description) }

// Unwrap returns the kind, so errors.Is works on kinds.
func (e *MessageError) Unwrap() error { return e.Kind }

func msgErr(kind ErrorKind, format string, args ...any) error {
	return &MessageError{Kind: kind, Description: fmt.Sprintf(format, args...)}
}
