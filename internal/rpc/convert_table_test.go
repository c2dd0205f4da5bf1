package rpc

import (
	"context"
	"strings"
	"testing"
)

// TestClientSpecs checks that every line of the client's table parses,
// names each method once, and writes back as itself.
func TestClientSpecs(t *testing.T) {
	seen := map[string]bool{}
	builtin := builtinParams()
	for _, line := range clientSpecs {
		name, ps, err := parseSpec(line)
		if err != nil {
			t.Errorf("%q: %v", line, err)
			continue
		}
		if seen[name] {
			t.Errorf("%s listed twice", name)
		}
		if _, ok := builtin[name]; ok {
			t.Errorf("%s is a built-in method: its declaration already serves the client", name)
		}
		seen[name] = true
		if got := specOf(&Method{Name: name, Params: ps}); got != strings.Join(strings.Fields(line), " ") {
			t.Errorf("%q writes back as %q", line, got)
		}
	}
	if _, _, err := parseSpec("m x:float"); err == nil {
		t.Error("unknown type accepted")
	}
}

// TestConvertExternalArgs converts arguments of methods other packages
// register, positionally and by name.
func TestConvertExternalArgs(t *testing.T) {
	for _, c := range []struct {
		method string
		args   []string
		named  bool
		want   string
	}{
		{"getbalance", []string{"*", "6", "true"}, false, `["*",6,true]`},
		{"walletpassphrase", []string{"secret 1", "60"}, false, `["secret 1",60]`},
		{"walletpassphrase", []string{"123"}, false, `["123"]`}, // a numeric passphrase stays a string
		{"sendtoaddress", []string{"rbal1x", "0.1", "", "", "false", "true", "6", "unset", "false", "25"}, false,
			`["rbal1x",0.1,"","",false,true,6,"unset",false,25]`},
		{"sendtoaddress", []string{"address=rbal1x", "amount=1.5", "fee_rate=2", "asset=ab"}, true,
			`{"address":"rbal1x","amount":1.5,"fee_rate":2,"asset":"ab"}`},
		{"createwallet", []string{"w", "false", "false", "pw", "false", "true", "true", `{"threshold":2}`}, false,
			`["w",false,false,"pw",false,true,true,{"threshold":2}]`},
		{"send", []string{`[{"rbal1x":1}]`}, false, `[[{"rbal1x":1}]]`},
		{"send", []string{`{"rbal1x":1}`}, false, `[{"rbal1x":1}]`},
		{"getnewaddress", []string{"42"}, false, `["42"]`}, // not in the table: all strings
		{"setban", []string{"10.0.0.1", "add", "3600", "false"}, false, `["10.0.0.1","add",3600,false]`},
	} {
		got, err := ConvertArgs(c.method, c.args, c.named)
		if err != nil || string(got) != c.want {
			t.Errorf("ConvertArgs(%s, %q, %v) = %s, %v; want %s", c.method, c.args, c.named, got, err, c.want)
		}
	}
	if _, err := ConvertArgs("getbalance", []string{"*", "six"}, false); err == nil {
		t.Error("getbalance minconf=six accepted")
	}
}

// TestCheckClientParams registers methods the table knows, does not know
// and knows wrongly, and expects exactly the last two reported.
func TestCheckClientParams(t *testing.T) {
	ts := startServer(t, Config{})
	h := func(context.Context, *Request) (any, error) { return nil, nil }
	for _, m := range []Method{
		{Name: "walletpassphrase", Category: "Wallet", Help: "x", Handler: h, Params: []Param{
			{Name: "passphrase", Type: TypeString, Help: "x"}, {Name: "timeout", Type: TypeNumber, Help: "x"}}},
		{Name: "getnewaddress", Category: "Wallet", Help: "x", Handler: h, Params: []Param{
			{Name: "label", Type: TypeString, Optional: true, Help: "x"}}},
		{Name: "newthing", Category: "Wallet", Help: "x", Handler: h, Params: []Param{
			{Name: "count", Type: TypeNumber, Help: "x"}}},
		{Name: "lockunspent", Category: "Wallet", Help: "x", Handler: h, Params: []Param{
			{Name: "unlock", Type: TypeBool, Help: "x"}, {Name: "transactions", Type: TypeObject, Help: "x"}}},
	} {
		if err := ts.srv.Register(m); err != nil {
			t.Fatal(err)
		}
	}
	err := ts.srv.CheckClientParams()
	if err == nil {
		t.Fatal("no disagreement found")
	}
	msg := err.Error()
	for _, want := range []string{`add "newthing count:number"`, `"lockunspent unlock:bool transactions:object"`} {
		if !strings.Contains(msg, want) {
			t.Errorf("report lacks %s:\n%s", want, msg)
		}
	}
	if strings.Contains(msg, "walletpassphrase") || strings.Contains(msg, "getnewaddress") || strings.Count(msg, "\n") != 1 {
		t.Errorf("report has more than the two problems:\n%s", msg)
	}
}
