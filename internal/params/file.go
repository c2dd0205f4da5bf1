package params

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"reflect"
	"strings"

	"github.com/ballast-chain/ballast/internal/chainhash"
)

// MaxFileSize bounds a parameters file; a real one is about 1 KiB.
const MaxFileSize = 64 << 10

// fileJSON is the parameters file. Pointers tell a missing field from a
// zero one; docs/protocol.md §8.3 documents every field.
type fileJSON struct {
	Name                   *string      `json:"name"`
	HRP                    *string      `json:"hrp"`
	Magic                  *string      `json:"magic"`
	P2PPort                *int64       `json:"p2p_port"`
	RPCPort                *int64       `json:"rpc_port"`
	SeedAddrs              []string     `json:"seed_addrs"`
	PowLimitBits           *string      `json:"pow_limit_bits"`
	PowNoRetargeting       *bool        `json:"pow_no_retargeting"`
	TargetSpacing          *int64       `json:"target_spacing"`
	ASERTHalfLife          *int64       `json:"asert_half_life"`
	InitialSubsidy         *int64       `json:"initial_subsidy"`
	SubsidyHalvingInterval *int64       `json:"subsidy_halving_interval"`
	MaxMoney               *int64       `json:"max_money"`
	CoinbaseMaturity       *int64       `json:"coinbase_maturity"`
	Genesis                *genesisJSON `json:"genesis"`
}

type genesisJSON struct {
	Version   *int64  `json:"version"`
	Timestamp *int64  `json:"timestamp"`
	Message   *string `json:"message"`
	Nonce     *int64  `json:"nonce"`
	Hash      *string `json:"hash"`
}

// ParseFile parses a complete network parameters file (JSON, with optional
// whole-line // comments; docs/protocol.md §8.3 documents the format) and returns its
// network. It checks every field, rejects a file that reuses a built-in
// network's name, magic or address prefix, rebuilds the genesis block from
// the file's genesis fields and rejects the file unless that block hashes to
// the stated genesis.hash and meets pow_limit_bits. Every problem found is
// reported, joined; each is a *RuleError.
func ParseFile(data []byte) (*Params, error) {
	p, f, err := parse(data)
	if err != nil {
		return nil, err
	}
	g := f.Genesis
	var errs []error
	if g.Nonce == nil {
		errs = append(errs, ruleErr(ErrMalformedFile, "genesis.nonce: missing (mine it with 'ballast genesis')"))
	}
	if g.Hash == nil {
		errs = append(errs, ruleErr(ErrMalformedFile, "genesis.hash: missing (mine it with 'ballast genesis')"))
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	stated, err := chainhash.NewHashFromStr(*g.Hash)
	if err != nil {
		return nil, ruleErr(ErrInvalidField, "genesis.hash %q: want 64 hex digits", *g.Hash)
	}
	if stated != p.GenesisHash {
		return nil, ruleErr(ErrGenesisMismatch,
			"genesis.hash: the file states %s, but the genesis block built from the file hashes to %s "+
				"(a genesis field was changed after mining; mine again with 'ballast genesis')", stated, p.GenesisHash)
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	return p, nil
}

// ParseSpec parses a network spec: a parameters file whose genesis block is
// not mined yet. It is ParseFile without the genesis checks: genesis.nonce
// and genesis.hash may be absent and are ignored when present (a complete
// file is also a valid spec). The result has every field set except the
// genesis block: Genesis.Nonce is 0, GenesisBlock nil and GenesisHash zero
// until the caller mines a nonce (MineGenesis) and calls SetGenesis.
func ParseSpec(data []byte) (*Params, error) {
	p, _, err := parse(data)
	if err != nil {
		return nil, err
	}
	p.Genesis.Nonce = 0
	p.GenesisBlock = nil
	p.GenesisHash = chainhash.Hash{}
	return p, nil
}

// parse decodes and checks everything but the genesis block's hash and
// proof of work, and returns the network with the genesis block the file's
// fields (including the nonce, 0 if absent) build.
func parse(data []byte) (*Params, *fileJSON, error) {
	f, err := decodeFile(data)
	if err != nil {
		return nil, nil, err
	}
	p, errs := f.params()
	if len(errs) == 0 {
		errs = append(p.checkFields(), p.checkReserved()...)
	}
	if len(errs) > 0 {
		return nil, nil, errors.Join(errs...)
	}
	return p, f, nil
}

// MarshalFile returns p as a complete parameters file (indented JSON) that
// ParseFile reads back to the same network, provided p is not one of the
// built-in networks, whose identity ParseFile reserves. It fails if p does
// not Validate.
func (p *Params) MarshalFile() ([]byte, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	i64 := func(v int64) *int64 { return &v }
	str := func(v string) *string { return &v }
	f := fileJSON{
		Name:                   str(p.Name),
		HRP:                    str(p.Bech32HRP),
		Magic:                  str(hex.EncodeToString(p.Magic[:])),
		P2PPort:                i64(int64(p.DefaultPort)),
		RPCPort:                i64(int64(p.RPCPort)),
		SeedAddrs:              append([]string{}, p.SeedAddrs...),
		PowLimitBits:           str(fmt.Sprintf("%08x", p.PowLimitBits)),
		PowNoRetargeting:       &p.PowNoRetargeting,
		TargetSpacing:          i64(p.TargetSpacing),
		ASERTHalfLife:          i64(p.ASERTHalfLife),
		InitialSubsidy:         i64(p.InitialSubsidy),
		SubsidyHalvingInterval: i64(int64(p.SubsidyHalvingInterval)),
		MaxMoney:               i64(p.MaxMoney),
		CoinbaseMaturity:       i64(int64(p.CoinbaseMaturity)),
		Genesis: &genesisJSON{
			Version:   i64(int64(p.Genesis.Version)),
			Timestamp: i64(int64(p.Genesis.Timestamp)),
			Message:   str(p.Genesis.Message),
			Nonce:     i64(int64(p.Genesis.Nonce)),
			Hash:      str(p.GenesisHash.String()),
		},
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(&f); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// checkReserved rejects a file network that takes a built-in network's
// name, magic or address prefix.
func (p *Params) checkReserved() []error {
	var errs []error
	for _, b := range builtins() {
		if p.Name == b.Name {
			errs = append(errs, ruleErr(ErrReserved, "name %q is a built-in network's", p.Name))
		}
		if p.Magic == b.Magic {
			errs = append(errs, ruleErr(ErrReserved, "magic %x is %s's; pick 4 other bytes", p.Magic, b.Name))
		}
		if p.Bech32HRP == b.Bech32HRP {
			errs = append(errs, ruleErr(ErrReserved, "hrp %q is %s's; its addresses would be mistaken for %s addresses",
				p.Bech32HRP, b.Name, b.Name))
		}
	}
	return errs
}

// decodeFile strips comments and decodes data strictly: one JSON object,
// no unknown or duplicated fields, nothing after it.
func decodeFile(data []byte) (*fileJSON, error) {
	if len(data) > MaxFileSize {
		return nil, ruleErr(ErrMalformedFile, "%d bytes, at most %d", len(data), MaxFileSize)
	}
	data = stripComments(data)
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var f fileJSON
	if err := dec.Decode(&f); err != nil {
		return nil, jsonError(data, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		line, col := position(data, dec.InputOffset())
		return nil, ruleErr(ErrMalformedFile, "line %d, column %d: data after the JSON object", line, col)
	}
	if err := checkDuplicates(data); err != nil {
		return nil, err
	}
	return &f, nil
}

// stripComments blanks every line whose first non-blank characters are
// "//", keeping the line breaks so error positions stay right. Comments
// after values are not supported: "//" may occur inside strings.
func stripComments(data []byte) []byte {
	if !bytes.Contains(data, []byte("//")) {
		return data
	}
	lines := bytes.SplitAfter(data, []byte("\n"))
	out := make([]byte, 0, len(data))
	for _, l := range lines {
		if bytes.HasPrefix(bytes.TrimLeft(l, " \t\r"), []byte("//")) {
			if bytes.HasSuffix(l, []byte("\n")) {
				out = append(out, '\n')
			}
			continue
		}
		out = append(out, l...)
	}
	return out
}

// jsonError turns an encoding/json error into a RuleError naming the
// position or field.
func jsonError(data []byte, err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		line, col := position(data, syn.Offset)
		return ruleErr(ErrMalformedFile, "line %d, column %d: %v", line, col, syn)
	case errors.As(err, &typ):
		line, _ := position(data, typ.Offset)
		field := typ.Field
		if field == "" {
			field = "file"
		}
		return ruleErr(ErrMalformedFile, "line %d: %s: got JSON %s, want %s", line, field, typ.Value, jsonKind(typ.Type))
	case errors.Is(err, io.EOF):
		return ruleErr(ErrMalformedFile, "empty file")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return ruleErr(ErrMalformedFile, "unexpected end of file")
	}
	msg := strings.TrimPrefix(err.Error(), "json: ")
	// encoding/json names an unknown field but not where it is.
	if name, ok := strings.CutPrefix(msg, "unknown field "); ok {
		if i := bytes.Index(data, []byte(name)); i >= 0 {
			line, _ := position(data, int64(i))
			return ruleErr(ErrMalformedFile, "line %d: %s", line, msg)
		}
	}
	return ruleErr(ErrMalformedFile, "%s", msg)
}

func jsonKind(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Int64:
		return "an integer"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Slice:
		return "a list of strings"
	case reflect.Struct:
		return "an object"
	}
	return t.String()
}

// position converts a byte offset to a 1-based line and column.
func position(data []byte, off int64) (line, col int) {
	off = min(max(off, 0), int64(len(data)))
	before := data[:off]
	line = 1 + bytes.Count(before, []byte("\n"))
	col = 1 + len(before) - (bytes.LastIndexByte(before, '\n') + 1)
	return line, col
}

// checkDuplicates walks data's tokens and rejects an object with a repeated
// key, which encoding/json would silently resolve to the last value.
func checkDuplicates(data []byte) error {
	type frame struct {
		keys    map[string]bool // nil for an array
		wantKey bool
	}
	var stack []*frame
	dec := json.NewDecoder(bytes.NewReader(data))
	for {
		tok, err := dec.Token()
		if err != nil {
			return nil // io.EOF; syntax errors were reported by the decoder
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if top != nil && top.keys != nil && top.wantKey {
			if k, ok := tok.(string); ok {
				if top.keys[k] {
					line, _ := position(data, dec.InputOffset())
					return ruleErr(ErrMalformedFile, "line %d: field %q appears twice", line, k)
				}
				top.keys[k] = true
				top.wantKey = false
				continue
			}
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, &frame{keys: map[string]bool{}, wantKey: true})
			continue
		case json.Delim('['):
			stack = append(stack, &frame{})
			continue
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
		}
		// A value (scalar or closed container) is complete.
		if len(stack) > 0 && stack[len(stack)-1].keys != nil {
			stack[len(stack)-1].wantKey = true
		}
	}
}

// params converts the decoded file to Params, reporting missing fields and
// values that do not fit their Go types; checkFields does the rest.
func (f *fileJSON) params() (*Params, []error) {
	var errs []error
	missing := func(name string) {
		errs = append(errs, ruleErr(ErrMalformedFile, "%s: missing", name))
	}
	str := func(name string, v *string) string {
		if v == nil {
			missing(name)
			return ""
		}
		return *v
	}
	integer := func(name string, v *int64, lo, hi int64) int64 {
		if v == nil {
			missing(name)
			return 0
		}
		if *v < lo || *v > hi {
			errs = append(errs, ruleErr(ErrInvalidField, "%s: %d is outside %d to %d", name, *v, lo, hi))
			return 0
		}
		return *v
	}
	hex32 := func(name string, v *string) uint32 {
		s := str(name, v)
		if v == nil {
			return 0
		}
		b, err := hex.DecodeString(s)
		if err != nil || len(b) != 4 {
			errs = append(errs, ruleErr(ErrInvalidField, "%s %q: want 8 hex digits", name, s))
			return 0
		}
		return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
	}

	p := &Params{
		Name:                   str("name", f.Name),
		Bech32HRP:              str("hrp", f.HRP),
		DefaultPort:            uint16(integer("p2p_port", f.P2PPort, 0, math.MaxUint16)),
		RPCPort:                uint16(integer("rpc_port", f.RPCPort, 0, math.MaxUint16)),
		SeedAddrs:              f.SeedAddrs,
		PowLimitBits:           hex32("pow_limit_bits", f.PowLimitBits),
		PowNoRetargeting:       f.PowNoRetargeting != nil && *f.PowNoRetargeting,
		TargetSpacing:          integer("target_spacing", f.TargetSpacing, math.MinInt64, math.MaxInt64),
		ASERTHalfLife:          integer("asert_half_life", f.ASERTHalfLife, math.MinInt64, math.MaxInt64),
		InitialSubsidy:         integer("initial_subsidy", f.InitialSubsidy, math.MinInt64, math.MaxInt64),
		SubsidyHalvingInterval: int32(integer("subsidy_halving_interval", f.SubsidyHalvingInterval, math.MinInt32, math.MaxInt32)),
		MaxMoney:               integer("max_money", f.MaxMoney, math.MinInt64, math.MaxInt64),
		CoinbaseMaturity:       int32(integer("coinbase_maturity", f.CoinbaseMaturity, math.MinInt32, math.MaxInt32)),
	}
	m := hex32("magic", f.Magic)
	p.Magic = [4]byte{byte(m >> 24), byte(m >> 16), byte(m >> 8), byte(m)}
	p.PowLimit, _ = compactToTarget(p.PowLimitBits)

	g := GenesisSpec{Version: 1, Bits: p.PowLimitBits}
	if f.Genesis == nil {
		missing("genesis")
	} else {
		if f.Genesis.Version != nil {
			g.Version = int32(integer("genesis.version", f.Genesis.Version, math.MinInt32, math.MaxInt32))
		}
		g.Timestamp = uint32(integer("genesis.timestamp", f.Genesis.Timestamp, 0, math.MaxUint32))
		g.Message = str("genesis.message", f.Genesis.Message)
		if f.Genesis.Nonce != nil {
			g.Nonce = uint32(integer("genesis.nonce", f.Genesis.Nonce, 0, math.MaxUint32))
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	p.SetGenesis(g)
	return p, nil
}
