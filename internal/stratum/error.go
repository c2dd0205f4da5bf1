package stratum

import (
	"encoding/json"
	"fmt"
)

// Error is a Stratum error, sent as [code, message, null].
type Error struct {
	Code    int
	Message string
}

// The conventional Stratum v1 error codes.
const (
	CodeOther         = 20
	CodeJobNotFound   = 21 // unknown or stale job
	CodeDuplicate     = 22
	CodeLowDifficulty = 23
	CodeUnauthorized  = 24
	CodeNotSubscribed = 25
)

// Errors the server sends.
var (
	errUnknownMethod = &Error{CodeOther, "Unknown method"}
	errBadParams     = &Error{CodeOther, "Invalid parameters"}
	errJobNotFound   = &Error{CodeJobNotFound, "Job not found"}
	errStale         = &Error{CodeJobNotFound, "Stale share"}
	errDuplicate     = &Error{CodeDuplicate, "Duplicate share"}
	errLowDiff       = &Error{CodeLowDifficulty, "Low difficulty share"}
	errUnauthorized  = &Error{CodeUnauthorized, "Unauthorized worker"}
	errNotSubscribed = &Error{CodeNotSubscribed, "Not subscribed"}
	errNTime         = &Error{CodeOther, "ntime out of range"}
	errVersionBits   = &Error{CodeOther, "Invalid version bits"}
	errExtranonce2   = &Error{CodeOther, "Invalid extranonce2"}
	errNonce         = &Error{CodeOther, "Invalid nonce"}
)

func (e *Error) Error() string { return fmt.Sprintf("stratum error %d: %s", e.Code, e.Message) }

// MarshalJSON encodes the error as Stratum's [code, message, null].
func (e *Error) MarshalJSON() ([]byte, error) {
	return json.Marshal([]any{e.Code, e.Message, nil})
}

// UnmarshalJSON reads [code, message, traceback].
func (e *Error) UnmarshalJSON(b []byte) error {
	var raw []json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil || len(raw) < 2 {
		return fmt.Errorf("stratum: bad error %s", b)
	}
	if err := json.Unmarshal(raw[0], &e.Code); err != nil {
		return err
	}
	return json.Unmarshal(raw[1], &e.Message)
}
