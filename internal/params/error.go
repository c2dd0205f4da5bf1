package params

import "fmt"

// ErrorKind identifies a class of invalid network parameters. It implements
// error so callers can test with errors.Is(err, params.ErrInvalidField).
type ErrorKind string

// Error returns the kind's name.
func (k ErrorKind) Error() string { return string(k) }

// Parameter failures.
const (
	// ErrUnknownNetwork: ByName was given a name that is not a built-in
	// network.
	ErrUnknownNetwork = ErrorKind("ErrUnknownNetwork")
	// ErrMalformedFile: a parameters file that is not one JSON object of
	// the documented shape: a syntax error, an unknown, duplicated or
	// missing field, a value of the wrong JSON type, trailing data, or more
	// than MaxFileSize bytes.
	ErrMalformedFile = ErrorKind("ErrMalformedFile")
	// ErrInvalidField: a field whose value is outside its allowed range or
	// format (a zero port, a prefix BIP173 forbids, bits that are no valid
	// compact target, ...).
	ErrInvalidField = ErrorKind("ErrInvalidField")
	// ErrInconsistent: fields that are each valid but contradict each other
	// (issuance above MaxMoney, equal P2P and RPC ports, genesis bits other
	// than the proof-of-work limit).
	ErrInconsistent = ErrorKind("ErrInconsistent")
	// ErrReserved: a parameters file that reuses a built-in network's name,
	// magic bytes or address prefix, so its nodes or addresses could be
	// mistaken for that network's.
	ErrReserved = ErrorKind("ErrReserved")
	// ErrGenesisMismatch: the genesis block built from the parameters does
	// not hash to the stated genesis hash.
	ErrGenesisMismatch = ErrorKind("ErrGenesisMismatch")
	// ErrGenesisPoW: the genesis block's hash is above its target.
	ErrGenesisPoW = ErrorKind("ErrGenesisPoW")
	// ErrNonceExhausted: no nonce gives the genesis block a hash at or
	// below its target; change the timestamp (or message) and mine again.
	ErrNonceExhausted = ErrorKind("ErrNonceExhausted")
)

// RuleError is one invalid parameter: which rule, and a description that
// starts with the field's name in the parameters file. It unwraps to its
// ErrorKind. Validate and ParseFile report every problem they find at once,
// joined with errors.Join.
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
