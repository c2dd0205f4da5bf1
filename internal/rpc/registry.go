package rpc

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
)

// ParamType is the JSON type (or types) a parameter accepts.
type ParamType uint8

// Parameter types. A parameter of one type is type checked before its
// handler runs, as Core does; a parameter of several types (an amount,
// Core's "verbosity" that also takes a boolean) is checked by its handler.
const (
	TypeString ParamType = 1 << iota
	TypeNumber
	TypeBool
	TypeObject
	TypeArray

	// TypeAmount is a number of coins with at most eight decimals, as a JSON
	// number or a string holding one.
	TypeAmount = TypeNumber | TypeString
)

// jsonKind is the JSON type of a raw value.
type jsonKind uint8

const (
	typeNull jsonKind = iota
	typeString
	typeNumber
	typeBool
	typeObject
	typeArray
)

// jsonType returns the type of a raw JSON value (assumed valid); a nil
// value is null.
func jsonType(raw json.RawMessage) jsonKind {
	for _, c := range raw {
		switch c {
		case ' ', '\t', '\r', '\n':
			continue
		case '"':
			return typeString
		case '{':
			return typeObject
		case '[':
			return typeArray
		case 't', 'f':
			return typeBool
		case 'n':
			return typeNull
		}
		return typeNumber
	}
	return typeNull
}

// Core's names for JSON types (UniValue's uvTypeName).
func (k jsonKind) String() string {
	return [...]string{"null", "string", "number", "bool", "object", "array"}[k]
}

func (t ParamType) single() (jsonKind, bool) {
	switch t {
	case TypeString:
		return typeString, true
	case TypeNumber:
		return typeNumber, true
	case TypeBool:
		return typeBool, true
	case TypeObject:
		return typeObject, true
	case TypeArray:
		return typeArray, true
	}
	return typeNull, false
}

// helpName is how help describes the type, in Core's words.
func (t ParamType) helpName() string {
	switch t {
	case TypeString:
		return "string"
	case TypeNumber:
		return "numeric"
	case TypeBool:
		return "boolean"
	case TypeObject:
		return "json object"
	case TypeArray:
		return "json array"
	case TypeAmount:
		return "numeric or string"
	case TypeNumber | TypeBool:
		return "numeric or boolean"
	case TypeArray | TypeObject:
		return "json array or object"
	}
	return "any"
}

// Param declares one parameter of a method. Its position in Method.Params
// is its position in a positional call; Name (or an alias) is its key in a
// named call.
type Param struct {
	Name    string
	Aliases []string // older names Core still accepts, such as "verbose" for "verbosity"
	Type    ParamType
	// Optional parameters may be omitted or null; Default says in help
	// what that means ("1", "true", "\"economical\"").
	Optional bool
	Default  string
	Help     string
	// Sig is the parameter in the one-line signature when its name alone
	// would not do (objects and arrays show their shape).
	Sig string
}

func (p *Param) names() string {
	return strings.Join(append([]string{p.Name}, p.Aliases...), "|")
}

// Handler runs a method. Params are already mapped to positions and type
// checked; a handler returns a value that encodes to JSON (a
// json.RawMessage is sent as is) or an error (an *Error for a specific code,
// anything else becomes CodeMisc).
type Handler func(ctx context.Context, req *Request) (any, error)

// Method is one RPC method: its parameters, its help and its handler.
type Method struct {
	Name     string
	Category string // "Blockchain", "Control", "Rawtransactions", ...: help groups by it
	Help     string // what the method does, one or more paragraphs
	Params   []Param
	Result   string   // the Result section of help: the result's shape
	Examples []string // JSON parameter arrays, turned into ballast rpc and curl examples
	Handler  Handler
	// Hidden methods work but are left out of the help listing (Core's
	// "hidden" category).
	Hidden bool
}

// Request is a call as a handler sees it.
type Request struct {
	Method string
	// Params holds the parameters by position after named parameters are
	// mapped; a missing or null parameter is nil. It is never longer than
	// the method's parameter list.
	Params []json.RawMessage
	// URI is the request's path: "/" or "/wallet/<name>" (see WalletName).
	URI string
	// User is the authenticated user name ("__cookie__" for the cookie).
	User string

	after []func()
}

// WalletName returns the wallet an endpoint /wallet/<name> addresses (URL
// decoded, as Core does) and whether the request used such an endpoint.
func (r *Request) WalletName() (string, bool) {
	const base = "/wallet/"
	if !strings.HasPrefix(r.URI, base) {
		return "", false
	}
	name := strings.TrimSuffix(r.URI[len(base):], "/")
	return urlDecode(name), true
}

// mapParams turns a request's params (an array, an object of named
// parameters, or absent) into positional parameters, as Core's
// transformNamedArguments does: named parameters go to their positions,
// holes before the last given parameter become null, and an "args" array
// supplies leading positional values.
func mapParams(m *Method, raw json.RawMessage) ([]json.RawMessage, *Error) {
	switch jsonType(raw) {
	case typeNull:
		return nil, nil
	case typeArray:
		var ps []json.RawMessage
		if err := json.Unmarshal(raw, &ps); err != nil {
			return nil, Errorf(CodeParseError, "%v", err)
		}
		for i, p := range ps {
			if jsonType(p) == typeNull {
				ps[i] = nil
			}
		}
		return ps, nil
	case typeObject:
	default:
		return nil, Errorf(CodeInvalidRequest, "Params must be an array or object")
	}
	keys, values, err := objectEntries(raw)
	if err != nil {
		return nil, Errorf(CodeParseError, "%v", err)
	}
	named := make(map[string]json.RawMessage, len(keys))
	for i, k := range keys {
		if _, dup := named[k]; dup {
			return nil, Errorf(CodeInvalidParameter, "Parameter %s specified multiple times", k)
		}
		named[k] = values[i]
	}
	var out []json.RawMessage
	hole, initialHole := 0, 0
	initialParam := ""
	for i := range m.Params {
		p := &m.Params[i]
		v, ok := named[p.Name]
		key := p.Name
		for _, a := range p.Aliases {
			if ok {
				break
			}
			v, ok = named[a]
			key = a
		}
		if !ok {
			hole++
			if len(out) == 0 {
				initialHole = hole
			}
			continue
		}
		for ; hole > 0; hole-- {
			out = append(out, nil)
		}
		if initialParam == "" {
			initialParam = p.names()
		}
		if jsonType(v) == typeNull {
			v = nil
		}
		out = append(out, v)
		delete(named, key)
	}
	if args, ok := named["args"]; ok && jsonType(args) == typeArray {
		delete(named, "args")
		var pos []json.RawMessage
		if err := json.Unmarshal(args, &pos); err != nil {
			return nil, Errorf(CodeParseError, "%v", err)
		}
		if initialHole < len(pos) && initialParam != "" {
			return nil, Errorf(CodeInvalidParameter, "Parameter %s specified twice both as positional and named argument", initialParam)
		}
		for i, p := range pos {
			if jsonType(p) == typeNull {
				pos[i] = nil
			}
		}
		for i := len(pos); i < len(out); i++ {
			pos = append(pos, out[i])
		}
		out = pos
	}
	for _, k := range keys { // report the first unknown name in request order
		if _, left := named[k]; left {
			return nil, Errorf(CodeInvalidParameter, "Unknown named parameter %s", k)
		}
	}
	return out, nil
}

// objectEntries returns an object's keys and values in order, keeping
// duplicates (which encoding/json would merge).
func objectEntries(raw json.RawMessage) ([]string, []json.RawMessage, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if _, err := dec.Token(); err != nil { // {
		return nil, nil, err
	}
	var keys []string
	var values []json.RawMessage
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, nil, err
		}
		k, _ := t.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, nil, err
		}
		keys = append(keys, k)
		values = append(values, v)
	}
	return keys, values, nil
}

// checkParams applies Core's checks to positional parameters: their number
// (too few or too many is CodeMisc with the method's help as the message)
// and the JSON type of each single-typed one (CodeType, naming every
// mismatch).
func checkParams(m *Method, ps []json.RawMessage, help func() string) *Error {
	required := 0
	for i := len(m.Params); i > 0; i-- {
		if !m.Params[i-1].Optional {
			required = i
			break
		}
	}
	if len(ps) < required || len(ps) > len(m.Params) {
		return &Error{Code: CodeMisc, Message: help()}
	}
	var mismatches []string
	for i := range m.Params {
		p := &m.Params[i]
		var v json.RawMessage
		if i < len(ps) {
			v = ps[i]
		}
		got := jsonType(v)
		if p.Optional && got == typeNull {
			continue
		}
		want, ok := p.Type.single()
		if !ok || got == want {
			continue
		}
		mismatches = append(mismatches, fmt.Sprintf("    %q: %q", fmt.Sprintf("Position %d (%s)", i+1, p.names()),
			fmt.Sprintf("JSON value of type %s is not of expected type %s", got, want)))
	}
	if len(mismatches) > 0 {
		return Errorf(CodeType, "Wrong type passed:\n{\n%s\n}", strings.Join(mismatches, ",\n"))
	}
	return nil
}

// urlDecode decodes %XX escapes (Core's UrlDecode), leaving '+' alone.
func urlDecode(s string) string {
	if !strings.Contains(s, "%") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) {
			if v, ok := unhex2(s[i+1], s[i+2]); ok {
				b.WriteByte(v)
				i += 2
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func unhex2(a, b byte) (byte, bool) {
	h, ok1 := unhex(a)
	l, ok2 := unhex(b)
	return h<<4 | l, ok1 && ok2
}

func unhex(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}
