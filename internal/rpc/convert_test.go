package rpc

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/ballast-chain/ballast/internal/address"
)

func TestConvertArgs(t *testing.T) {
	for _, c := range []struct {
		method string
		args   []string
		named  bool
		want   string
	}{
		{"getblockhash", []string{"5"}, false, `[5]`},
		{"getblock", []string{"00ff", "2"}, false, `["00ff",2]`},
		{"getblock", []string{"00ff", "true"}, false, `["00ff",true]`},
		{"help", []string{"getblock"}, false, `["getblock"]`},
		{"validateaddress", []string{"123"}, false, `["123"]`},
		{"createrawtransaction", []string{`[{"txid":"ab","vout":0}]`, `{"rbal1x":0.1}`, "0", "true"}, false,
			`[[{"txid":"ab","vout":0}],{"rbal1x":0.1},0,true]`},
		{"sendrawtransaction", []string{"00", "0.5"}, false, `["00",0.5]`},
		{"estimatesmartfee", []string{"6", "conservative"}, false, `[6,"conservative"]`},
		{"nosuchmethod", []string{"1", "x"}, false, `["1","x"]`},
		{"getblockcount", nil, false, `[]`},
		{"getblock", []string{"blockhash=00ff", "verbosity=2"}, true, `{"blockhash":"00ff","verbosity":2}`},
		{"getblock", []string{"00ff", "verbose=true"}, true, `{"verbose":true,"args":["00ff"]}`},
		{"getblock", []string{"verbosity=1", "blockhash=aa", "verbosity=2"}, true, `{"verbosity":2,"blockhash":"aa"}`},
		{"getblock", []string{"args=[\"aa\"]", "bb"}, true, `{"args":["aa"]}`},
		{"help", []string{"command=a=b"}, true, `{"command":"a=b"}`},
		{"nosuchmethod", []string{"x=1"}, true, `{"x":"1"}`},
	} {
		got, err := ConvertArgs(c.method, c.args, c.named)
		if err != nil || string(got) != c.want {
			t.Errorf("ConvertArgs(%s, %q, %v) = %s, %v; want %s", c.method, c.args, c.named, got, err, c.want)
		}
	}
	for _, c := range []struct {
		method string
		args   []string
		named  bool
	}{
		{"getblockhash", []string{"abc"}, false},
		{"createrawtransaction", []string{"[", "{}"}, false},
		{"getblock", []string{"verbosity=high"}, true},
	} {
		if _, err := ConvertArgs(c.method, c.args, c.named); err == nil {
			t.Errorf("ConvertArgs(%s, %q) accepted", c.method, c.args)
		}
	}
}

// TestExamplesRun calls every example of the methods a server without a
// chain offers: the help text's examples work.
func TestExamplesRun(t *testing.T) {
	ts := startServer(t, Config{})
	ts.srv.mu.RLock()
	var ms []*Method
	for _, m := range ts.srv.methods {
		if m.Name != "stop" {
			ms = append(ms, m)
		}
	}
	ts.srv.mu.RUnlock()
	for _, m := range ms {
		for _, ex := range m.Examples {
			if _, e := ts.call(t, m.Name, json.RawMessage(ex)); e != nil {
				t.Errorf("%s %s: %v", m.Name, ex, e)
			}
		}
	}
}

// TestDocsCoverEveryMethod checks that docs/rpc.md has a section for
// every method.
func TestDocsCoverEveryMethod(t *testing.T) {
	doc, err := os.ReadFile("../../docs/rpc.md")
	if err != nil {
		t.Fatal(err)
	}
	for name := range builtinParams() {
		if !strings.Contains(string(doc), "\n### "+name+"\n") {
			t.Errorf("docs/rpc.md has no section for %s", name)
		}
	}
}

// TestMethodTable checks the declarations every server and client rely
// on: unique names, declared types, required parameters first, help text,
// and that the client's table lists exactly the methods a full server
// registers.
func TestMethodTable(t *testing.T) {
	n := newTestNode(t)
	ts := startServer(t, Config{Backends: n.backends()})
	table := builtinParams()
	ts.srv.mu.RLock()
	defer ts.srv.mu.RUnlock()
	if len(ts.srv.methods) != len(table) {
		t.Errorf("server has %d methods, client table %d", len(ts.srv.methods), len(table))
	}
	for name, m := range ts.srv.methods {
		if _, ok := table[name]; !ok {
			t.Errorf("%s missing from the client table", name)
		}
		if m.Category == "" || m.Help == "" || m.Result == "" && len(m.Params) > 0 {
			t.Errorf("%s: incomplete help", name)
		}
		seen := map[string]bool{}
		optional := false
		for _, p := range m.Params {
			if p.Type == 0 || p.Help == "" || seen[p.Name] {
				t.Errorf("%s: parameter %q badly declared", name, p.Name)
			}
			seen[p.Name] = true
			if optional && !p.Optional {
				t.Errorf("%s: required %s after an optional parameter", name, p.Name)
			}
			optional = optional || p.Optional
		}
		for _, ex := range m.Examples {
			var ps []json.RawMessage
			if err := json.Unmarshal([]byte(ex), &ps); err != nil {
				t.Errorf("%s: example %q is not a JSON array", name, ex)
			}
			for _, p := range ps {
				var s string
				if json.Unmarshal(p, &s) == nil && strings.HasPrefix(s, "rbal1") {
					if _, err := address.Decode(s, "rbal"); err != nil {
						t.Errorf("%s: example address %s: %v", name, s, err)
					}
				}
			}
		}
	}
}
