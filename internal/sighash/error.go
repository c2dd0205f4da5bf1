package sighash

import "fmt"

// ErrorKind identifies a class of bad argument. It implements error so
// callers can test with errors.Is(err, sighash.ErrInputIndex).
type ErrorKind string

// Error returns the kind's name.
func (k ErrorKind) Error() string { return string(k) }

// Failures. Each is a caller's mistake, never a property of a valid chain:
// the consensus package checks that every input has its spent output before
// it asks for a signature hash.
const (
	// ErrNilTx: no transaction.
	ErrNilTx = ErrorKind("ErrNilTx")
	// ErrInputIndex: the input index is not an input of the transaction.
	ErrInputIndex = ErrorKind("ErrInputIndex")
	// ErrPrevOuts: the number of spent outputs differs from the number of
	// inputs.
	ErrPrevOuts = ErrorKind("ErrPrevOuts")
	// ErrCacheMismatch: the cache was built for another transaction (or the
	// transaction's inputs changed since).
	ErrCacheMismatch = ErrorKind("ErrCacheMismatch")
)

// RuleError is a failure to compute a signature hash: which rule and the
// values that broke it. It unwraps to its ErrorKind.
type RuleError struct {
	Kind        ErrorKind
	Description string
}

func (e *RuleError) Error() string { return fmt.Sprintf("%s: %s", e.Kind, e.Description) }

// Unwrap returns the kind, so errors.Is works on kinds.
func (e *RuleError) Unwrap() error { return e.Kind }

func ruleErr(kind ErrorKind, format string, args ...any) error {
	return &RuleError{Kind: kind, Description: fmt.Sprintf(format, args...)}
}
