package matching

import "fmt"

// ErrorKind identifies a kind of error returned by this package's functions.
// Rejected orders are not errors: they are Rejected events in the output
// stream. Errors are for malformed input to the decoders and for invalid
// configuration, where there is no stream to report into.
type ErrorKind string

// Error kinds.
const (
	// ErrInvalidConfig means a market Config failed Validate.
	ErrInvalidConfig = ErrorKind("ErrInvalidConfig")
	// ErrMalformedCommand means a command encoding could not be decoded.
	ErrMalformedCommand = ErrorKind("ErrMalformedCommand")
	// ErrMalformedEvent means an event encoding could not be decoded.
	ErrMalformedEvent = ErrorKind("ErrMalformedEvent")
	// ErrMalformedSnapshot means an engine snapshot could not be decoded or
	// describes an impossible state.
	ErrMalformedSnapshot = ErrorKind("ErrMalformedSnapshot")
	// ErrConfigMismatch means a snapshot was taken under a different market
	// configuration than the engine restoring it.
	ErrConfigMismatch = ErrorKind("ErrConfigMismatch")
	// ErrInvariant means an internal consistency check failed; it indicates
	// a bug, never bad input.
	ErrInvariant = ErrorKind("ErrInvariant")
)

// Error satisfies the error interface.
func (k ErrorKind) Error() string { return string(k) }

// RuleError describes a failure with a human-readable description. It
// unwraps to its ErrorKind so callers can use errors.Is.
type RuleError struct {
	Kind        ErrorKind
	Description string
}

// Error satisfies the error interface.
func (e RuleError) Error() string { return e.Description }

// Unwrap returns the ErrorKind.
func (e RuleError) Unwrap() error { return e.Kind }

func ruleError(kind ErrorKind, format string, args ...any) RuleError {
	return RuleError{Kind: kind, Description: fmt.Sprintf(format, args...)}
}
