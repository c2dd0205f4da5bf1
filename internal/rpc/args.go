package rpc

import (
	"encoding/hex"
	"encoding/json"
	"strconv"

	"github.com/ballast-chain/ballast/internal/chainhash"
)

// args reads a request's positional parameters with Core's conversions and
// error messages, keeping the first error so a handler can read everything
// and check once.
type args struct {
	req *Request
	err error
}

func newArgs(req *Request) *args { return &args{req: req} }

func (a *args) raw(i int) json.RawMessage {
	if i < len(a.req.Params) {
		return a.req.Params[i]
	}
	return nil
}

// has reports whether parameter i is given and not null.
func (a *args) has(i int) bool { return a.raw(i) != nil }

func (a *args) fail(err error) {
	if a.err == nil {
		a.err = err
	}
}

// str returns parameter i as a string ("" if absent); the dispatcher has
// checked its type.
func (a *args) str(i int) string {
	raw := a.raw(i)
	if raw == nil {
		return ""
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		a.fail(Errorf(CodeType, "JSON value is not a string as expected"))
	}
	return s
}

// int64 returns parameter i as an integer, or def if it is absent. Like
// UniValue's getInt, a number that is not an integer is "JSON integer out
// of range".
func (a *args) int64(i int, def int64) int64 {
	raw := a.raw(i)
	if raw == nil {
		return def
	}
	if jsonType(raw) != typeNumber {
		a.fail(Errorf(CodeType, "JSON value of type %s is not of expected type number", jsonType(raw)))
		return def
	}
	v, err := strconv.ParseInt(string(raw), 10, 64)
	if err != nil {
		a.fail(Errorf(CodeMisc, "JSON integer out of range"))
		return def
	}
	return v
}

// bool returns parameter i, or def if it is absent.
func (a *args) bool(i int, def bool) bool {
	raw := a.raw(i)
	if raw == nil {
		return def
	}
	switch string(raw) {
	case "true":
		return true
	case "false":
		return false
	}
	a.fail(Errorf(CodeType, "JSON value of type %s is not of expected type bool", jsonType(raw)))
	return def
}

// verbosity reads Core's verbosity parameters, which take a number or (for
// compatibility with the older "verbose") a boolean: false is 0, true 1.
func (a *args) verbosity(i int, def int64) int64 {
	raw := a.raw(i)
	switch jsonType(raw) {
	case typeNull:
		return def
	case typeBool:
		if a.bool(i, false) {
			return 1
		}
		return 0
	}
	return a.int64(i, def)
}

// hash reads a 64-digit hex hash in display (byte-reversed) order, with
// Core's ParseHashV messages naming the parameter.
func (a *args) hash(i int, name string) chainhash.Hash {
	s := a.str(i)
	h, err := parseHash(s, name)
	if err != nil {
		a.fail(err)
	}
	return h
}

func parseHash(s, name string) (chainhash.Hash, error) {
	if len(s) != 2*chainhash.Size {
		return chainhash.Hash{}, Errorf(CodeInvalidParameter, "%s must be of length %d (not %d, for '%s')", name, 2*chainhash.Size, len(s), s)
	}
	if !isHex(s) {
		return chainhash.Hash{}, Errorf(CodeInvalidParameter, "%s must be hexadecimal string (not '%s')", name, s)
	}
	h, err := chainhash.NewHashFromStr(s)
	if err != nil {
		return chainhash.Hash{}, Errorf(CodeInvalidParameter, "%s must be hexadecimal string (not '%s')", name, s)
	}
	return h, nil
}

// hexBytes reads a hex string (Core's ParseHexV).
func (a *args) hexBytes(i int, name string) []byte {
	s := a.str(i)
	b, err := parseHex(s, name)
	if err != nil {
		a.fail(err)
	}
	return b
}

func parseHex(s, name string) ([]byte, error) {
	if !isHex(s) {
		return nil, Errorf(CodeInvalidParameter, "%s must be hexadecimal string (not '%s')", name, s)
	}
	b, _ := hex.DecodeString(s)
	return b, nil
}

// isHex is Core's IsHex: an even number of hex digits, at least two.
func isHex(s string) bool {
	if len(s) == 0 || len(s)%2 != 0 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if _, ok := unhex(s[i]); !ok {
			return false
		}
	}
	return true
}
