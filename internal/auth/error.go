package auth

import "fmt"

// ErrorKind identifies a kind of authentication error; use errors.Is.
type ErrorKind string

// Error kinds.
const (
	ErrBadPassword  = ErrorKind("ErrBadPassword")
	ErrBadHash      = ErrorKind("ErrBadHash")
	ErrBadTOTP      = ErrorKind("ErrBadTOTP")
	ErrTOTPReused   = ErrorKind("ErrTOTPReused")
	ErrBadSignature = ErrorKind("ErrBadSignature")
	ErrBadSecret    = ErrorKind("ErrBadSecret")
	ErrIPNotAllowed = ErrorKind("ErrIPNotAllowed")
	ErrPermission   = ErrorKind("ErrPermission")
)

func (k ErrorKind) Error() string { return string(k) }

// RuleError is an authentication failure; it unwraps to its Kind.
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
