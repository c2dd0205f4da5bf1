package journal

import "fmt"

// ErrorKind identifies a kind of journal error.
type ErrorKind string

// Error kinds.
const (
	// ErrCorrupt means the log or a snapshot is damaged somewhere other
	// than a torn final record, so recovery cannot know what was
	// acknowledged and refuses to guess.
	ErrCorrupt = ErrorKind("ErrCorrupt")
	// ErrClosed means the journal is not running (never started, stopped,
	// or failed after an I/O error).
	ErrClosed = ErrorKind("ErrClosed")
	// ErrIO wraps a failed write or fsync. After one, the journal stops:
	// the kernel may have dropped the dirty pages, so retrying the fsync
	// could falsely report durability.
	ErrIO = ErrorKind("ErrIO")
	// ErrInvalidOptions means Options failed validation.
	ErrInvalidOptions = ErrorKind("ErrInvalidOptions")
)

// Error satisfies the error interface.
func (k ErrorKind) Error() string { return string(k) }

// RuleError describes a journal failure; it unwraps to its ErrorKind and,
// when there is one, to the underlying error.
type RuleError struct {
	Kind        ErrorKind
	Description string
	Err         error
}

// Error satisfies the error interface.
func (e RuleError) Error() string {
	if e.Err != nil {
		return e.Description + ": " + e.Err.Error()
	}
	return e.Description
}

// Unwrap returns the kind and the underlying error.
func (e RuleError) Unwrap() []error {
	if e.Err != nil {
		return []error{e.Kind, e.Err}
	}
	return []error{e.Kind}
}

func ruleError(kind ErrorKind, err error, format string, args ...any) RuleError {
	return RuleError{Kind: kind, Description: fmt.Sprintf(format, args...), Err: err}
}
