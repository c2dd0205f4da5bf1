package ledger

import "fmt"

// ErrorKind identifies a kind of ledger error; use errors.Is.
type ErrorKind string

// Error kinds.
const (
	// ErrInsufficientBalance: the movement would make a free or locked
	// balance negative.
	ErrInsufficientBalance = ErrorKind("ErrInsufficientBalance")
	// ErrUnbalanced: the entries of an asset do not sum to zero.
	ErrUnbalanced = ErrorKind("ErrUnbalanced")
	// ErrInvalidAmount: a negative or zero amount where a positive one is
	// required.
	ErrInvalidAmount = ErrorKind("ErrInvalidAmount")
	// ErrOverflow: a balance would leave the int64 range.
	ErrOverflow = ErrorKind("ErrOverflow")
	// ErrInvariant: a ledger-wide invariant does not hold (a bug).
	ErrInvariant = ErrorKind("ErrInvariant")
)

func (k ErrorKind) Error() string { return string(k) }

// RuleError describes a refused movement; it unwraps to its Kind.
type RuleError struct {
	Kind        ErrorKind
	Description string
}

func (e RuleError) Error() string { return e.Description }

// Unwrap returns the kind, for errors.Is.
func (e RuleError) Unwrap() error { return e.Kind }

func ruleError(kind ErrorKind, format string, args ...any) RuleError {
	return RuleError{Kind: kind, Description: fmt.Sprintf(format, args...)}
}
