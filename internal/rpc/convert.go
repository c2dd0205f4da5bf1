package rpc

import (
	"encoding/json"
	"fmt"
	"strings"
)

// paramTable maps method names to their parameters, for the client. The
// built-in methods' entries are the server's own declarations, so the two
// cannot disagree; methods registered by other packages come from
// clientSpecs (convert_table.go), which Server.CheckClientParams compares
// with a wired server, as Core's rpc tests compare client.cpp's table with
// the server's.
func paramTable() map[string][]Param {
	t := externalParams()
	for name, ps := range builtinParams() {
		t[name] = ps
	}
	return t
}

// builtinParams maps the methods of this package to their parameters.
func builtinParams() map[string][]Param {
	t := make(map[string][]Param)
	for _, m := range (&Server{}).controlMethods() {
		t[m.Name] = m.Params
	}
	for _, m := range standardMethods(&env{}, true) {
		t[m.Name] = m.Params
	}
	return t
}

// isStringParam reports whether a parameter is passed to the server as the
// command-line text unchanged (a string parameter) rather than parsed as
// JSON. Unknown methods and parameters are strings, as in bitcoin-cli.
func isStringParam(ps []Param, i int, name string) bool {
	for j := range ps {
		p := &ps[j]
		match := j == i
		if name != "" {
			match = p.Name == name
			for _, a := range p.Aliases {
				match = match || a == name
			}
		}
		if match {
			return p.Type == TypeString
		}
	}
	return true
}

// ConvertArgs turns command-line arguments into a JSON params value the way
// bitcoin-cli does: a parameter declared as a string is sent as the text,
// any other is parsed as JSON (numbers, booleans, objects, arrays). With
// named, arguments are name=value pairs (a later value for the same name
// wins) and arguments without '=' are positional, sent in "args".
func ConvertArgs(method string, args []string, named bool) (json.RawMessage, error) {
	ps := paramTable()[method]
	conv := func(s string, i int, name string) (json.RawMessage, error) {
		if name != "args" && isStringParam(ps, i, name) {
			b, err := json.Marshal(s)
			return b, err
		}
		if !json.Valid([]byte(s)) {
			return nil, fmt.Errorf("Error parsing JSON: %s", s)
		}
		return json.RawMessage(strings.TrimSpace(s)), nil
	}
	if !named {
		out := make([]json.RawMessage, len(args))
		for i, s := range args {
			v, err := conv(s, i, "")
			if err != nil {
				return nil, err
			}
			out[i] = v
		}
		return json.Marshal(out)
	}
	var keys []string
	values := make(map[string]json.RawMessage)
	var positional []json.RawMessage
	for _, s := range args {
		name, value, ok := strings.Cut(s, "=")
		if !ok {
			v, err := conv(s, len(positional), "")
			if err != nil {
				return nil, err
			}
			positional = append(positional, v)
			continue
		}
		v, err := conv(value, -1, name)
		if err != nil {
			return nil, err
		}
		if _, seen := values[name]; !seen {
			keys = append(keys, name)
		}
		values[name] = v
	}
	b := []byte{'{'}
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		kj, _ := json.Marshal(k)
		b = append(b, kj...)
		b = append(b, ':')
		b = append(b, values[k]...)
	}
	if len(positional) > 0 {
		if _, explicit := values["args"]; !explicit {
			if len(keys) > 0 {
				b = append(b, ',')
			}
			pj, _ := json.Marshal(positional)
			b = append(b, `"args":`...)
			b = append(b, pj...)
		}
	}
	return append(b, '}'), nil
}
