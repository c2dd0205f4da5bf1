package pow

import "fmt"

// ErrorKind identifies a class of proof-of-work rule violation. It implements
// error so callers can test with errors.Is(err, pow.ErrHighHash).
type ErrorKind string

// Error returns the kind's name.
func (k ErrorKind) Error() string { return string(k) }

// Rule violations.
const (
	// ErrHighHash: the block hash, read as a number, is above the target its
	// compact bits encode.
	ErrHighHash = ErrorKind("ErrHighHash")
	// ErrBadTarget: the compact bits encode no usable target: negative, zero,
	// too large for 256 bits, or above the network's proof-of-work limit.
	ErrBadTarget = ErrorKind("ErrBadTarget")
	// ErrBadParams: network parameters the difficulty algorithm cannot use
	// (non-positive spacing or half-life, a limit outside [1, 2^256-1]).
	ErrBadParams = ErrorKind("ErrBadParams")
)

// RuleError is a proof-of-work rule violation: which rule and the values that
// broke it. It unwraps to its ErrorKind.
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
