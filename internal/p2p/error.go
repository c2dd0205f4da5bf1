package p2p

import "fmt"

// ErrorKind classifies p2p errors.
type ErrorKind string

// Error returns the kind's name.
func (k ErrorKind) Error() string { return string(k) }

// Error kinds.
const (
	// ErrConfig: the configuration is invalid.
	ErrConfig = ErrorKind("ErrConfig")
	// ErrWrongNetwork: the peer's genesis hash is not ours.
	ErrWrongNetwork = ErrorKind("ErrWrongNetwork")
	// ErrProtocol: the peer broke the protocol (message before handshake,
	// duplicate version, connection to self).
	ErrProtocol = ErrorKind("ErrProtocol")
	// ErrBanned: the address is banned.
	ErrBanned = ErrorKind("ErrBanned")
	// ErrPeerNotFound: no connected peer matches.
	ErrPeerNotFound = ErrorKind("ErrPeerNotFound")
	// ErrAlreadyAdded / ErrNotAdded: addnode bookkeeping.
	ErrAlreadyAdded = ErrorKind("ErrAlreadyAdded")
	ErrNotAdded     = ErrorKind("ErrNotAdded")
	// ErrFull: no connection slot is free.
	ErrFull = ErrorKind("ErrFull")
)

// Error is a p2p error with context; it unwraps to its kind.
type Error struct {
	Kind        ErrorKind
	Description string
}

func (e *Error) Error() string { return fmt.Sprintf("%s: %s", e.Kind, e.Description) }

// Unwrap returns the kind.
func (e *Error) Unwrap() error { return e.Kind }

func p2pErr(kind ErrorKind, format string, args ...any) error {
	return &Error{Kind: kind, Description: fmt.Sprintf(format, args...)}
}
