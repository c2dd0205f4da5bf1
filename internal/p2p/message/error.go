package message

import "fmt"

// ErrorKind identifies a class of malformed traffic; it implements error so
// callers test with errors.Is(err, message.ErrBadChecksum).
type ErrorKind string

// Error returns the kind's name.
func (k ErrorKind) Error() string { return string(k) }

// Failure kinds.
const (
	// ErrBadMagic: the frame does not start with this network's magic.
	ErrBadMagic = ErrorKind("ErrBadMagic")
	// ErrBadChecksum: the payload does not match the frame's checksum.
	ErrBadChecksum = ErrorKind("ErrBadChecksum")
	// ErrUnknownCommand: the command is not one this protocol defines.
	ErrUnknownCommand = ErrorKind("ErrUnknownCommand")
	// ErrTooLarge: a payload, count or string exceeds its limit.
	ErrTooLarge = ErrorKind("ErrTooLarge")
	// ErrMalformed: a payload does not decode (truncated, trailing bytes,
	// non-canonical).
	ErrMalformed = ErrorKind("ErrMalformed")
)

// Error is a decoding failure with context; it unwraps to its kind.
type Error struct {
	Kind        ErrorKind
	Command     string
	Description string
}

func (e *Error) Error() string {
	return fmt.Sprintf("%s: %s: %s", e.Kind, e.Command, e.Description)
}

// Unwrap returns the kind.
func (e *Error) Unwrap() error { return e.Kind }

func msgErr(kind ErrorKind, cmd, format string, args ...any) error {
	return &Error{Kind: kind, Command: cmd, Description: fmt.Sprintf(format, args...)}
}
