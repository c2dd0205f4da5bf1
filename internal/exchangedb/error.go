package exchangedb

import "fmt"

// ErrorKind identifies a kind of storage error; use errors.Is.
type ErrorKind string

// Error kinds.
const (
	ErrNotFound      = ErrorKind("ErrNotFound")
	ErrExists        = ErrorKind("ErrExists")
	ErrInvalidConfig = ErrorKind("ErrInvalidConfig")
	ErrAuditBroken   = ErrorKind("ErrAuditBroken")
)

func (k ErrorKind) Error() string { return string(k) }

// RuleError describes a storage error; it unwraps to its Kind and the
// underlying driver error, if any.
type RuleError struct {
	Kind        ErrorKind
	Description string
	Err         error
}

func (e RuleError) Error() string {
	if e.Err != nil {
		return e.Description + ": " + e.Err.Error()
	}
	return e.Description
}

// Unwrap returns the kind and the cause.
func (e RuleError) Unwrap() []error {
	if e.Err != nil {
		return []error{e.Kind, e.Err}
	}
	return []error{e.Kind}
}

func ruleError(kind ErrorKind, err error, format string, args ...any) RuleError {
	return RuleError{Kind: kind, Description: fmt.Sprintf(format, args...), Err: err}
}
