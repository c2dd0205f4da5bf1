package address

import "fmt"

// ErrorKind identifies why an address was rejected. It implements error so
// callers can test with errors.Is(err, address.ErrWrongHRP).
type ErrorKind string

// Error returns the kind's name.
func (k ErrorKind) Error() string { return string(k) }

// Address rejections.
const (
	// ErrTooLong: the string is longer than MaxLength characters.
	ErrTooLong = ErrorKind("ErrTooLong")
	// ErrMixedCase: the string mixes upper- and lowercase letters.
	ErrMixedCase = ErrorKind("ErrMixedCase")
	// ErrMalformed: the string is not bech32 at all (a character out of
	// range or outside the data charset, no separator, an empty prefix, a
	// checksum shorter than six characters).
	ErrMalformed = ErrorKind("ErrMalformed")
	// ErrBadChecksum: the checksum matches neither bech32 nor bech32m, so
	// the string was mistyped or damaged.
	ErrBadChecksum = ErrorKind("ErrBadChecksum")
	// ErrNotBech32m: the string carries a valid bech32 (BIP173) checksum;
	// Ballast addresses use bech32m (BIP350) only.
	ErrNotBech32m = ErrorKind("ErrNotBech32m")
	// ErrWrongHRP: the address belongs to another network (its
	// human-readable prefix is not the one expected).
	ErrWrongHRP = ErrorKind("ErrWrongHRP")
	// ErrBadHRP: a prefix given to Encode, Decode or ValidateHRP that
	// BIP173 does not allow, or that is too long for an address to fit
	// MaxLength.
	ErrBadHRP = ErrorKind("ErrBadHRP")
	// ErrUnknownKind: a lock kind that has no address (burn, or a kind not
	// defined).
	ErrUnknownKind = ErrorKind("ErrUnknownKind")
	// ErrBadProgram: the program is not exactly ProgramSize bytes or its
	// 5-bit padding is not canonical.
	ErrBadProgram = ErrorKind("ErrBadProgram")
)

// RuleError is a rejected address or an unencodable lock: which rule and
// the values that broke it. It unwraps to its ErrorKind.
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
