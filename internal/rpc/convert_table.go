package rpc

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// clientSpecs is the client's view of the methods that packages other than
// this one register (wallet, mining, P2P): for each, its parameters in
// order, "name" for a string and "name:type" otherwise. It is Ballast's
// counterpart of bitcoin-cli's vRPCConvertParams: `ballast rpc` must know
// which arguments are JSON without asking the server (it works against an
// older node, a node with the wallet disabled answers "Method not found"
// either way, and no extra round trip is made), and the server's
// declarations live in packages this one cannot import. Server.CheckClientParams
// compares this table with a running server's methods; the node's tests
// call it on a fully wired node, so a method whose parameters change and
// whose line here does not fails a test that prints the line to write.
//
// Only methods with a parameter that is not a string need a line: an
// unknown method's arguments are all sent as strings.
var clientSpecs = []string{
	// Wallet (internal/wallet/walletrpc).
	"createwallet wallet_name disable_private_keys:bool blank:bool passphrase avoid_reuse:bool descriptors:bool load_on_startup:bool options:object",
	"loadwallet filename load_on_startup:bool",
	"unloadwallet wallet_name load_on_startup:bool",
	"walletpassphrase passphrase timeout:number",
	"rescanblockchain start_height:number stop_height:number",
	"deriveaddresses xpub chain:number start:number count:number",
	"getbalance dummy minconf:number include_watchonly:bool avoid_reuse:bool asset",
	"listunspent minconf:number maxconf:number addresses:array include_unsafe:bool query_options:object",
	"lockunspent unlock:bool transactions:array persistent:bool",
	"listtransactions label count:number skip:number include_watchonly:bool",
	"gettransaction txid include_watchonly:bool verbose:bool",
	"sendtoaddress address amount:amount comment comment_to subtractfeefromamount:bool replaceable:bool conf_target:number estimate_mode avoid_reuse:bool fee_rate:amount verbose:bool asset",
	"sendmany dummy amounts:object minconf:number comment subtractfeefrom:array replaceable:bool conf_target:number estimate_mode fee_rate:amount verbose:bool asset",
	"send outputs:array|object conf_target:number estimate_mode fee_rate:amount options:object",
	"bumpfee txid options:object",
	"walletcreatefundedpsbt inputs:array outputs:object locktime:number options:object",
	"walletprocesspsbt psbt sign:bool sighashtype bip32derivs:bool finalize:bool",
	"combinepsbt txs:array",
	"finalizepsbt psbt extract:bool",

	// Mining (internal/mining).
	"getblocktemplate template_request:object",

	// Assets (internal/node/assets.go).
	"burnasset asset_id amount:number",
	"createattestation asset_id time:number document_hash holdings:object",
	"getassethistory asset_id skip:number count:number",
	"issueasset contract:object amount:number address",
	"redeemasset asset_id amount:number reference",
	"reissueasset asset_id amount:number address",
	"signattestation packet privkeys:array",

	// Network (internal/node, P2P).
	"disconnectnode address nodeid:number",
	"setban subnet command bantime:number absolute:bool",
}

// typeNames are the spellings of parameter types in clientSpecs.
var typeNames = map[string]ParamType{
	"string": TypeString, "number": TypeNumber, "bool": TypeBool, "object": TypeObject, "array": TypeArray,
	"amount": TypeAmount, "number|bool": TypeNumber | TypeBool, "array|object": TypeArray | TypeObject,
}

// specOf writes the clientSpecs line of a method.
func specOf(m *Method) string {
	var b strings.Builder
	b.WriteString(m.Name)
	for _, p := range m.Params {
		b.WriteString(" " + p.Name)
		if p.Type == TypeString {
			continue
		}
		name := fmt.Sprintf("%d", p.Type)
		for n, t := range typeNames {
			if t == p.Type && n != "string" {
				name = n
			}
		}
		b.WriteString(":" + name)
	}
	return b.String()
}

// parseSpec reads one clientSpecs line.
func parseSpec(line string) (string, []Param, error) {
	fields := strings.Fields(line)
	if len(fields) == 0 {
		return "", nil, errors.New("empty line")
	}
	ps := make([]Param, 0, len(fields)-1)
	for _, f := range fields[1:] {
		name, typ, typed := strings.Cut(f, ":")
		t := TypeString
		if typed {
			var ok bool
			if t, ok = typeNames[typ]; !ok {
				return "", nil, fmt.Errorf("%s: parameter %s: unknown type %q", fields[0], name, typ)
			}
		}
		ps = append(ps, Param{Name: name, Type: t})
	}
	return fields[0], ps, nil
}

// externalParams returns clientSpecs as parameter lists by method name.
func externalParams() map[string][]Param {
	t := make(map[string][]Param, len(clientSpecs))
	for _, line := range clientSpecs {
		name, ps, err := parseSpec(line)
		if err != nil {
			panic("rpc: clientSpecs: " + err.Error()) // a typo in the table above; TestClientSpecs catches it
		}
		t[name] = ps
	}
	return t
}

// CheckClientParams reports where the client's conversion table (what
// ConvertArgs, and so `ballast rpc`, knows) disagrees with the methods
// registered on s: a method with a parameter that is not a string and no
// table line, or a line whose names or types differ from the declaration.
// Each problem names the line to write in clientSpecs. Methods the table
// lists that s does not serve are not an error (a node may run without its
// wallet).
func (s *Server) CheckClientParams() error {
	s.mu.RLock()
	ms := make([]*Method, 0, len(s.methods))
	for _, m := range s.methods {
		ms = append(ms, m)
	}
	s.mu.RUnlock()
	sort.Slice(ms, func(i, j int) bool { return ms[i].Name < ms[j].Name })
	table := paramTable()
	var errs []error
	for _, m := range ms {
		want := specOf(m)
		ps, listed := table[m.Name]
		if !listed {
			for _, p := range m.Params {
				if p.Type != TypeString {
					errs = append(errs, fmt.Errorf("rpc client table: %s has a %s parameter %s but no line; add %q",
						m.Name, p.Type.helpName(), p.Name, want))
					break
				}
			}
			continue
		}
		if got := specOf(&Method{Name: m.Name, Params: ps}); got != want {
			errs = append(errs, fmt.Errorf("rpc client table: %s is declared as %q but the table has %q", m.Name, want, got))
		}
	}
	return errors.Join(errs...)
}
