package policy

import (
	"errors"
	"fmt"
)

// ErrorKind identifies a class of policy or spend failure. It implements
// error so callers can test with errors.Is(err, policy.ErrBadSignature).
type ErrorKind string

// Error returns the kind's name.
func (k ErrorKind) Error() string { return string(k) }

// Failure kinds. Consensus only distinguishes valid from invalid; the kind
// says why, for RPC errors, mempool rejections and tests.
const (
	// ErrPolicyEncoding: policy bytes or text that are malformed or
	// non-canonical: unknown node kind, truncated, trailing bytes,
	// non-minimal CompactSize, a field out of range, a public key that is
	// not a valid BIP340 x-only key.
	ErrPolicyEncoding = ErrorKind("ErrPolicyEncoding")
	// ErrPolicyLimits: a policy over MaxPolicySize bytes, MaxPolicyDepth
	// levels, MaxPolicyNodes nodes or MaxPolicyKeys keys.
	ErrPolicyLimits = ErrorKind("ErrPolicyLimits")
	// ErrPolicyHashMismatch: the revealed policy does not hash to the lock.
	ErrPolicyHashMismatch = ErrorKind("ErrPolicyHashMismatch")
	// ErrSatisfactionEncoding: malformed or non-canonical satisfaction
	// bytes: truncated, trailing bytes, a threshold bitmap with unused bits
	// or more than k bits set, an or-branch index out of range.
	ErrSatisfactionEncoding = ErrorKind("ErrSatisfactionEncoding")
	// ErrBadSignature: a signature that is not 64 bytes or fails BIP340
	// verification (including a key that is not a valid x-only key).
	ErrBadSignature = ErrorKind("ErrBadSignature")
	// ErrTimelockUnsatisfied: an after or older node that the spending
	// transaction's version, lock time or input sequence does not meet.
	ErrTimelockUnsatisfied = ErrorKind("ErrTimelockUnsatisfied")
	// ErrHashPreimage: a preimage whose SHA-256 is not the hash lock's.
	ErrHashPreimage = ErrorKind("ErrHashPreimage")
	// ErrThresholdNotMet: a threshold bitmap selecting fewer than k children.
	ErrThresholdNotMet = ErrorKind("ErrThresholdNotMet")
	// ErrWitnessShape: the wrong number of witness items for the lock kind.
	ErrWitnessShape = ErrorKind("ErrWitnessShape")
	// ErrSigChecksExceeded: more signature checks than a caller's budget
	// allows. Defined here so the consensus package's per-block limit and
	// this package share one kind.
	ErrSigChecksExceeded = ErrorKind("ErrSigChecksExceeded")
	// ErrUnspendable: a burn lock, a lock of unknown kind, or lock data of
	// the wrong length.
	ErrUnspendable = ErrorKind("ErrUnspendable")
	// ErrUnsatisfiable: Satisfy found no satisfaction the signer can
	// produce under the given spend environment.
	ErrUnsatisfiable = ErrorKind("ErrUnsatisfiable")
	// ErrInvalidArgument: a programming error by the caller, such as a nil
	// spend environment or a nil policy.
	ErrInvalidArgument = ErrorKind("ErrInvalidArgument")
)

// RuleError is a policy or spend failure: which rule and the values that
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

// annotate prefixes the description of a *RuleError with where it happened.
func annotate(err error, format string, args ...any) error {
	var re *RuleError
	if errors.As(err, &re) {
		return &RuleError{Kind: re.Kind, Description: fmt.Sprintf(format, args...) + ": " + re.Description}
	}
	return err
}
