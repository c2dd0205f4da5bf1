package chain

import "fmt"

// ErrorKind classifies chain errors that are not consensus rule violations
// (those are consensus.RuleError).
type ErrorKind string

// Error returns the kind's name.
func (k ErrorKind) Error() string { return string(k) }

// Chain error kinds.
const (
	// ErrDuplicateBlock: the block is already known (stored or invalid).
	ErrDuplicateBlock = ErrorKind("ErrDuplicateBlock")
	// ErrKnownInvalid: the block, or an ancestor, failed validation before.
	ErrKnownInvalid = ErrorKind("ErrKnownInvalid")
	// ErrUnknownBlock: no block with that hash is known.
	ErrUnknownBlock = ErrorKind("ErrUnknownBlock")
	// ErrReorgTooDeep: switching to the better chain would disconnect more
	// than MaxReorgDepth blocks.
	ErrReorgTooDeep = ErrorKind("ErrReorgTooDeep")
	// ErrCorrupt: stored data does not decode or does not match.
	ErrCorrupt = ErrorKind("ErrCorrupt")
	// ErrNoIndex: a query needs an index that is not enabled.
	ErrNoIndex = ErrorKind("ErrNoIndex")
	// ErrGenesis: the genesis block cannot be invalidated or disconnected.
	ErrGenesis = ErrorKind("ErrGenesis")
)

// Error is a chain error with context; it unwraps to its kind.
type Error struct {
	Kind        ErrorKind
	Description string
}

func (e *Error) Error() string { return fmt.Sprintf("%s: %s", e.Kind, e.Description) }

// Unwrap returns the kind.
func (e *Error) Unwrap() error { return e.Kind }

func chainErr(kind ErrorKind, format string, args ...any) error {
	return &Error{Kind: kind, Description: fmt.Sprintf(format, args...)}
}
