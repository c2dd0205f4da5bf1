package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ballast-chain/ballast/internal/params"
	"github.com/ballast-chain/ballast/internal/rpc"
)

// rpcTestServer serves a node-less RPC server with cookie authentication
// in <base>/<network>/, plus test methods standing in for chain methods.
type rpcTestServer struct {
	base, url string
	srv       *rpc.Server
}

func startRPCServer(t *testing.T, p *params.Params) *rpcTestServer {
	t.Helper()
	base := t.TempDir()
	srv, err := rpc.New(rpc.Config{Params: p, DataDir: rpc.DataDir(base, p.Name), AuthFailureDelay: -1})
	if err != nil {
		t.Fatal(err)
	}
	echo := func(_ context.Context, r *rpc.Request) (any, error) { return r.Params, nil }
	for _, m := range []rpc.Method{
		// Chain methods are not registered without a chain; these echo
		// what the CLI sent, with the real methods' parameter names.
		{Name: "getblockhash", Handler: echo, Params: []rpc.Param{{Name: "height", Type: rpc.TypeNumber}}},
		{Name: "getblock", Handler: echo, Params: []rpc.Param{{Name: "blockhash", Type: rpc.TypeString},
			{Name: "verbosity", Aliases: []string{"verbose"}, Type: rpc.TypeNumber | rpc.TypeBool, Optional: true}}},
		{Name: "gettxout", Params: []rpc.Param{{Name: "txid", Type: rpc.TypeString}, {Name: "n", Type: rpc.TypeNumber}},
			Handler: func(context.Context, *rpc.Request) (any, error) {
				return json.RawMessage(`{"value":50.00000000,"coinbase":true}`), nil
			}},
		{Name: "getbestblockhash", Handler: func(context.Context, *rpc.Request) (any, error) { return nil, nil }},
		{Name: "whereami", Handler: func(_ context.Context, r *rpc.Request) (any, error) { return r.URI, nil }},
	} {
		if err := srv.Register(m); err != nil {
			t.Fatal(err)
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	t.Cleanup(func() { cancel(); <-done })
	cookie := rpc.CookiePath(rpc.DataDir(base, p.Name))
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(time.Millisecond) {
		if _, err := os.Stat(cookie); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no cookie file")
		}
	}
	return &rpcTestServer{base: base, url: "http://" + ln.Addr().String() + "/", srv: srv}
}

// runRPC runs "ballast rpc args..." through Run. Until the command list in
// cli.go names rpcCommand, it runs the command with Run's exit-code
// mapping.
func runRPCCLI(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	for _, c := range commands() {
		if c.name == "rpc" {
			var out, errb bytes.Buffer
			code = Run(context.Background(), append([]string{"rpc"}, args...), Env{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb})
			return code, out.String(), errb.String()
		}
	}
	var out, errb bytes.Buffer
	err := rpcCommand().run(context.Background(), args, Env{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb})
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0, out.String(), errb.String()
	case errors.Is(err, errUsage):
		fmt.Fprintf(&errb, "ballast rpc: %v\n", err)
		return 2, out.String(), errb.String()
	}
	fmt.Fprintf(&errb, "ballast rpc: %v\n", err)
	return 1, out.String(), errb.String()
}

func TestRPCCommand(t *testing.T) {
	ts := startRPCServer(t, params.Regtest())
	base := []string{"-network", "regtest", "-datadir", ts.base, "-rpcurl", ts.url}
	run := func(args ...string) (int, string, string) {
		t.Helper()
		return runRPCCLI(t, "", append(append([]string(nil), base...), args...)...)
	}
	for _, c := range []struct {
		args   []string
		code   int
		stdout string // exact, unless prefixed with "~" (contains)
		stderr string // contains
	}{
		{[]string{"getblockhash", "5"}, 0, "[\n  5\n]\n", ""},
		{[]string{"getblock", "00ff", "2"}, 0, "[\n  \"00ff\",\n  2\n]\n", ""},
		{[]string{"-named", "getblock", "blockhash=00ff", "verbose=true"}, 0, "[\n  \"00ff\",\n  true\n]\n", ""},
		{[]string{"-named", "getblock", "00ff", "verbosity=0"}, 0, "[\n  \"00ff\",\n  0\n]\n", ""},
		{[]string{"gettxout", "x", "0"}, 0, "{\n  \"value\": 50.00000000,\n  \"coinbase\": true\n}\n", ""},
		{[]string{"getbestblockhash"}, 0, "", ""},
		{[]string{"help", "uptime"}, 0, "~uptime\n\nReturns the total uptime of the server.\n", ""},
		{[]string{"validateaddress", "rbal1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqrh6f55"}, 0, "~{\n  \"isvalid\": true,\n  \"address\": \"rbal1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqrh6f55\",\n", ""},
		{[]string{"createpolicy", "and(after(100),older(144))"}, 0, "~\"hex\": \"030205640000000690000000\"", ""},
		{[]string{"decoderawtransaction", "zz"}, 1, "", "error code: -22\nerror message:\nTX decode failed"},
		{[]string{"nosuchmethod"}, 1, "", "error code: -32601\nerror message:\nMethod not found\n"},
		{[]string{"getblockhash"}, 1, "", "error code: -1\nerror message:\ngetblockhash height"},
		{[]string{"getblockhash", "five"}, 2, "", "Error parsing JSON: five"},
		{[]string{"-rpcwallet", "cold store", "whereami"}, 0, "/wallet/cold%20store\n", ""},
		{nil, 2, "", "need a METHOD"},
		{[]string{"-bogus", "x"}, 2, "", "flag provided but not defined"},
	} {
		code, stdout, stderr := run(c.args...)
		okOut := stdout == c.stdout
		if strings.HasPrefix(c.stdout, "~") {
			okOut = strings.Contains(stdout, c.stdout[1:])
		}
		if code != c.code || !okOut || !strings.Contains(stderr, c.stderr) {
			t.Errorf("ballast rpc %q: exit %d, stdout %q, stderr %q; want %d, %q, %q", c.args, code, stdout, stderr, c.code, c.stdout, c.stderr)
		}
	}
	if code, _, _ := runRPCCLI(t, "", "-h"); code != 0 {
		t.Errorf("-h: exit %d", code)
	}
	if code, _, stderr := runRPCCLI(t, "", "-network", "nosuchnet", "uptime"); code != 2 || !strings.Contains(stderr, "nosuchnet") {
		t.Errorf("unknown network: %d %q", code, stderr)
	}
	// stop goes last: the server shuts down and removes its cookie.
	if code, stdout, _ := run("stop"); code != 0 || stdout != "Ballast stopping\n" {
		t.Errorf("stop: %d %q", code, stdout)
	}
}

func TestRPCCommandAuth(t *testing.T) {
	ts := startRPCServer(t, params.Regtest())
	url := []string{"-rpcurl", ts.url}
	// Another data directory has no cookie.
	code, _, stderr := runRPCCLI(t, "", append(url, "-network", "regtest", "-datadir", t.TempDir(), "uptime")...)
	if code != 1 || !strings.Contains(stderr, "could not locate RPC credentials") {
		t.Errorf("no cookie: %d %q", code, stderr)
	}
	// The cookie file named directly.
	cookie := rpc.CookiePath(rpc.DataDir(ts.base, "regtest"))
	if code, stdout, stderr := runRPCCLI(t, "", append(url, "-rpccookiefile", cookie, "uptime")...); code != 0 || strings.TrimSpace(stdout) == "" {
		t.Errorf("-rpccookiefile: %d %q %q", code, stdout, stderr)
	}
	// Wrong password, then the right one from standard input.
	code, _, stderr = runRPCCLI(t, "", append(url, "-rpcuser", rpc.CookieUser, "-rpcpassword", "wrong", "uptime")...)
	if code != 1 || !strings.Contains(stderr, "incorrect rpcuser or rpcpassword") {
		t.Errorf("wrong password: %d %q", code, stderr)
	}
	data, _ := os.ReadFile(cookie)
	_, pass, _ := strings.Cut(string(data), ":")
	if code, _, stderr := runRPCCLI(t, pass+"\n", append(url, "-rpcuser", rpc.CookieUser, "-stdinrpcpass", "uptime")...); code != 0 {
		t.Errorf("-stdinrpcpass: %d %q", code, stderr)
	}
	// Nothing listening.
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	dead := "http://" + ln.Addr().String() + "/"
	ln.Close()
	code, _, stderr = runRPCCLI(t, "", "-rpcurl", dead, "-rpccookiefile", cookie, "uptime")
	if code != 1 || !strings.Contains(stderr, "could not connect to the server "+dead) {
		t.Errorf("no server: %d %q", code, stderr)
	}
}

func TestRPCCommandNetworkFile(t *testing.T) {
	file, err := filepath.Abs("../params/testdata/example_network.json")
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	p, err := params.ParseFile(data)
	if err != nil {
		t.Fatal(err)
	}
	ts := startRPCServer(t, p)
	code, stdout, stderr := runRPCCLI(t, "", "-params", file, "-datadir", ts.base, "-rpcurl", ts.url, "uptime")
	if code != 0 || strings.TrimSpace(stdout) == "" {
		t.Errorf("-params: %d %q %q", code, stdout, stderr)
	}
	if code, _, stderr := runRPCCLI(t, "", "-params", filepath.Join(t.TempDir(), "missing.json"), "uptime"); code != 1 || !strings.Contains(stderr, "missing.json") {
		t.Errorf("missing network file: %d %q", code, stderr)
	}
}

func TestPrintResult(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{`null`, ""},
		{`"a\nb"`, "a\nb\n"},
		{`12`, "12\n"},
		{`[]`, "[]\n"},
		{`{"a":[1,{"b":0.10000000}]}`, "{\n  \"a\": [\n    1,\n    {\n      \"b\": 0.10000000\n    }\n  ]\n}\n"},
	} {
		var b bytes.Buffer
		if err := printResult(&b, json.RawMessage(c.in)); err != nil || b.String() != c.want {
			t.Errorf("printResult(%s) = %q, %v; want %q", c.in, b.String(), err, c.want)
		}
	}
}
