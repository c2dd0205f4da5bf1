package rpc

import (
	"encoding/json"

	"github.com/ballast-chain/ballast/internal/chainhash"
)

// Args reads a request's parameters for methods registered outside this
// package (wallet, mining, P2P), with the same conversions and Core error
// messages as the built-in methods. Read everything, then check Err once.
type Args struct{ a *args }

// NewArgs returns a reader over req's parameters (already mapped from named
// to positional by the dispatcher).
func NewArgs(req *Request) *Args { return &Args{a: newArgs(req)} }

// Has reports whether parameter i is present and not null.
func (x *Args) Has(i int) bool { return x.a.has(i) }

// Raw returns parameter i's JSON, or nil.
func (x *Args) Raw(i int) json.RawMessage { return x.a.raw(i) }

// String returns parameter i as a string ("" if absent).
func (x *Args) String(i int) string { return x.a.str(i) }

// Int64 returns parameter i as an integer, def if absent.
func (x *Args) Int64(i int, def int64) int64 { return x.a.int64(i, def) }

// Bool returns parameter i as a boolean, def if absent.
func (x *Args) Bool(i int, def bool) bool { return x.a.bool(i, def) }

// Hash returns parameter i as a hash in display (reversed hex) form; name
// appears in error messages.
func (x *Args) Hash(i int, name string) chainhash.Hash { return x.a.hash(i, name) }

// Hex returns parameter i decoded from hex; name appears in error messages.
func (x *Args) Hex(i int, name string) []byte { return x.a.hexBytes(i, name) }

// Fail records err unless an earlier error is recorded.
func (x *Args) Fail(err error) { x.a.fail(err) }

// Err returns the first error met while reading.
func (x *Args) Err() error { return x.a.err }
