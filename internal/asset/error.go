package asset

import "fmt"

// ErrorKind names one way an asset encoding or argument is invalid.
type ErrorKind string

// Error returns the kind's name.
func (k ErrorKind) Error() string { return string(k) }

// Error kinds.
const (
	// ErrEncoding: a contract or payload is truncated, has trailing bytes,
	// or is not in canonical form.
	ErrEncoding = ErrorKind("ErrEncoding")
	// ErrLimits: a field is out of its documented bounds.
	ErrLimits = ErrorKind("ErrLimits")
	// ErrPolicy: an issuer or auditor policy does not decode.
	ErrPolicy = ErrorKind("ErrPolicy")
	// ErrGood: an attestation names a good outside the basket, or twice,
	// or out of basket order.
	ErrGood = ErrorKind("ErrGood")
	// ErrContract: an issue record's contract is invalid (wraps the
	// contract's own error).
	ErrContract = ErrorKind("ErrContract")
	// ErrInvalidArgument: a caller passed something unusable.
	ErrInvalidArgument = ErrorKind("ErrInvalidArgument")
)

// Error is an asset error with its kind and a description.
type Error struct {
	Kind        ErrorKind
	Description string
	Cause       error
}

func (e *Error) Error() string {
	if e.Cause != nil {
		return fmt.Sprintf("%s: %s: %v", e.Kind, e.Description, e.Cause)
	}
	return fmt.Sprintf("%s: %s", e.Kind, e.Description)
}

// Unwrap returns the kind and, if present, the cause.
func (e *Error) Unwrap() []error {
	if e.Cause != nil {
		return []error{e.Kind, e.Cause}
	}
	return []error{e.Kind}
}

func errf(k ErrorKind, format string, args ...any) error {
	return &Error{Kind: k, Description: fmt.Sprintf(format, args...)}
}
