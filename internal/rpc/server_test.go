package rpc

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"os"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ballast-chain/ballast/internal/params"
)

func TestCookieAuth(t *testing.T) {
	ts := startServer(t, Config{})
	path := CookiePath(ts.dir)
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("cookie mode %v, want 0600", st.Mode().Perm())
	}
	data, _ := os.ReadFile(path)
	if !regexp.MustCompile(`^__cookie__:[0-9a-f]{64}$`).Match(data) {
		t.Errorf("cookie %q", data)
	}
	if res := ts.mustCall(t, "uptime"); string(res) != "0" && !regexp.MustCompile(`^\d+$`).Match(res) {
		t.Errorf("uptime %s", res)
	}
	ts.cancel()
	if err := <-ts.done; err != nil {
		t.Fatalf("Serve: %v", err)
	}
	ts.done <- nil // for the cleanup
	if fileExists(path) {
		t.Error("cookie file left after stop")
	}
}

func TestPasswordAuth(t *testing.T) {
	dir := t.TempDir()
	ts := startServer(t, Config{DataDir: dir, User: "alice", Password: "correct horse"})
	if fileExists(CookiePath(dir)) {
		t.Error("cookie written although a password is set")
	}
	ts.mustCall(t, "uptime")
	for _, c := range []struct{ user, pass string }{
		{"alice", "wrong"}, {"bob", "correct horse"}, {"", ""}, {"alice", "correct horse "},
		{CookieUser, "correct horse"},
	} {
		req, _ := http.NewRequest(http.MethodPost, ts.url, strings.NewReader(`{"method":"uptime"}`))
		if c.user != "" || c.pass != "" {
			req.SetBasicAuth(c.user, c.pass)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("%q/%q: status %d, want 401", c.user, c.pass, resp.StatusCode)
		}
		if got := resp.Header.Get("WWW-Authenticate"); got != `Basic realm="jsonrpc"` {
			t.Errorf("WWW-Authenticate %q", got)
		}
	}
	bad := &Client{URL: ts.url, User: "alice", Password: "nope"}
	if _, err := bad.Call(context.Background(), "uptime", nil); !errors.Is(err, ErrUnauthorized) {
		t.Errorf("client error %v, want ErrUnauthorized", err)
	}
}

func TestRPCAuth(t *testing.T) {
	// A line as Core's share/rpcauth/rpcauth.py makes it (HMAC-SHA256 of
	// the password keyed with the salt's text).
	line := "carol:cb77f0957de88ff388cf817ddbc7273$7cced3df8c4cb3a6549e1e28eb03df85f0bbc3446918bd74f5c00d8f70c11c60"
	generated, err := RPCAuthLine("dave", "dave's password")
	if err != nil {
		t.Fatal(err)
	}
	ts := startServer(t, Config{Auth: []string{line, generated}})
	for _, c := range []struct {
		user, pass string
		ok         bool
	}{
		{"carol", "secret-password", true},
		{"dave", "dave's password", true},
		{"carol", "dave's password", false},
		{"dave", "secret-password", false},
	} {
		code, _, _ := ts.postAs(t, c.user, c.pass, "/", `{"method":"uptime"}`)
		if (code == http.StatusOK) != c.ok {
			t.Errorf("%s/%s: status %d", c.user, c.pass, code)
		}
	}
	ts.mustCall(t, "uptime") // the cookie still works alongside rpcauth
	for _, bad := range []string{"nocolon", "u:salt", "u:salt$zz", "u:s$" + strings.Repeat("ab", 31)} {
		if _, err := New(Config{Params: params.Regtest(), DataDir: t.TempDir(), Auth: []string{bad}}); err == nil {
			t.Errorf("rpcauth %q accepted", bad)
		}
	}
}

func TestAuthFailureDelay(t *testing.T) {
	ts := startServer(t, Config{AuthFailureDelay: 60 * time.Millisecond})
	start := time.Now()
	code, _, _ := ts.postAs(t, CookieUser, "wrong", "/", `{"method":"uptime"}`)
	if code != http.StatusUnauthorized || time.Since(start) < 60*time.Millisecond {
		t.Errorf("status %d after %v", code, time.Since(start))
	}
}

func TestSecretsNotLogged(t *testing.T) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	ts := startServer(t, Config{Logger: logger})
	ts.mustCall(t, "uptime")
	ts.postAs(t, CookieUser, "guessed-password", "/", `{"method":"uptime"}`)
	var p Secret = "hunter2"
	logger.Info("config", "password", p)
	cookie := string(ts.client.Password)
	if out := logs.String(); strings.Contains(out, cookie) || strings.Contains(out, "hunter2") || strings.Contains(out, "guessed-password") {
		t.Errorf("a secret reached the log:\n%s", out)
	}
	if !strings.Contains(logs.String(), "incorrect password attempt") {
		t.Error("failed attempt not logged")
	}
	if s := p.String(); s != "[redacted]" {
		t.Errorf("Secret.String() = %q", s)
	}
}

func TestJSONRPCShapes(t *testing.T) {
	ts := startServer(t, Config{})
	for _, c := range []struct {
		name, body string
		status     int
		want       string // regexp over the whole body
	}{
		{"1.0 ok", `{"method":"help","params":["stop"],"id":7}`, 200, `^\{"result":"stop\\n.*","error":null,"id":7\}\n$`},
		{"1.0 explicit", `{"jsonrpc":"1.0","method":"uptime","id":"a"}`, 200, `^\{"result":\d+,"error":null,"id":"a"\}\n$`},
		{"1.0 no id", `{"method":"uptime"}`, 200, `^\{"result":\d+,"error":null,"id":null\}\n$`},
		{"1.0 unknown method", `{"method":"nosuch","id":1}`, 404, `^\{"result":null,"error":\{"code":-32601,"message":"Method not found"\},"id":1\}\n$`},
		{"1.0 bad params", `{"method":"uptime","params":[1],"id":1}`, 500, `^\{"result":null,"error":\{"code":-1,"message":"uptime\\n\\n.*"\},"id":1\}\n$`},
		{"1.0 missing method", `{"id":3}`, 400, `^\{"result":null,"error":\{"code":-32600,"message":"Missing method"\},"id":3\}\n$`},
		{"1.0 method not string", `{"method":1,"id":3}`, 400, `"message":"Method must be a string"`},
		{"1.0 params not array", `{"method":"uptime","params":"x","id":3}`, 400, `"message":"Params must be an array or object"`},
		{"2.0 ok", `{"jsonrpc":"2.0","method":"uptime","id":1}`, 200, `^\{"jsonrpc":"2.0","result":\d+,"id":1\}\n$`},
		{"2.0 unknown method", `{"jsonrpc":"2.0","method":"nosuch","id":1}`, 200, `^\{"jsonrpc":"2.0","error":\{"code":-32601,"message":"Method not found"\},"id":1\}\n$`},
		{"2.0 bad params", `{"jsonrpc":"2.0","method":"uptime","params":[1],"id":[1]}`, 200, `^\{"jsonrpc":"2.0","error":\{"code":-1,.*\},"id":\[1\]\}\n$`},
		{"2.0 null id", `{"jsonrpc":"2.0","method":"uptime","id":null}`, 200, `^\{"jsonrpc":"2.0","result":\d+,"id":null\}\n$`},
		{"2.0 missing method", `{"jsonrpc":"2.0","id":2}`, 400, `^\{"jsonrpc":"2.0","error":\{"code":-32600,"message":"Missing method"\},"id":2\}\n$`},
		{"bad version", `{"jsonrpc":"3.0","method":"uptime","id":1}`, 400, `"message":"JSON-RPC version not supported"`},
		{"version not string", `{"jsonrpc":2,"method":"uptime","id":1}`, 400, `"message":"jsonrpc field must be a string"`},
		{"parse error", `{"method":`, 500, `^\{"result":null,"error":\{"code":-32700,"message":"Parse error"\},"id":null\}\n$`},
		{"empty body", ``, 500, `"code":-32700,"message":"Parse error"`},
		{"top-level scalar", `42`, 500, `"code":-32700,"message":"Top-level object parse error"`},
		{"trailing garbage", `{"method":"uptime"} x`, 500, `"code":-32700`},
	} {
		t.Run(c.name, func(t *testing.T) {
			status, ctype, body := ts.post(t, c.body)
			if status != c.status {
				t.Errorf("status %d, want %d (%s)", status, c.status, body)
			}
			if ctype != "application/json" {
				t.Errorf("Content-Type %q", ctype)
			}
			if !regexp.MustCompile("(?s)" + c.want).MatchString(body) {
				t.Errorf("body %s\ndoes not match %s", body, c.want)
			}
		})
	}
}

func TestNotificationsAndBatches(t *testing.T) {
	ts := startServer(t, Config{})
	status, _, body := ts.post(t, `{"jsonrpc":"2.0","method":"uptime"}`)
	if status != http.StatusNoContent || body != "" {
		t.Errorf("notification: %d %q", status, body)
	}
	status, _, body = ts.post(t, `{"jsonrpc":"2.0","method":"nosuch"}`)
	if status != http.StatusNoContent || body != "" {
		t.Errorf("failing notification: %d %q", status, body)
	}
	status, _, body = ts.post(t, `[
		{"jsonrpc":"2.0","method":"uptime","id":1},
		{"jsonrpc":"2.0","method":"uptime"},
		{"method":"nosuch","id":2},
		{"jsonrpc":"2.0","method":"nosuch","id":3},
		17,
		{"jsonrpc":"2.0","id":4}
	]`)
	if status != http.StatusOK {
		t.Fatalf("batch status %d", status)
	}
	var replies []map[string]json.RawMessage
	decode(t, json.RawMessage(body), &replies)
	if len(replies) != 5 {
		t.Fatalf("%d replies, want 5: %s", len(replies), body)
	}
	wantIDs := []string{"1", "2", "3", "null", "4"}
	for i, r := range replies {
		if string(r["id"]) != wantIDs[i] {
			t.Errorf("reply %d id %s, want %s", i, r["id"], wantIDs[i])
		}
	}
	if _, ok := replies[0]["error"]; ok || replies[0]["result"] == nil {
		t.Errorf("2.0 success reply %v", replies[0])
	}
	if string(replies[1]["result"]) != "null" || !strings.Contains(string(replies[1]["error"]), "-32601") {
		t.Errorf("1.0 error reply in a batch %v", replies[1])
	}
	if !strings.Contains(string(replies[3]["error"]), "-32600") || !strings.Contains(string(replies[4]["error"]), "Missing method") {
		t.Errorf("invalid entries %s", body)
	}
	status, _, body = ts.post(t, `[{"jsonrpc":"2.0","method":"uptime"},{"jsonrpc":"2.0","method":"uptime"}]`)
	if status != http.StatusNoContent || body != "" {
		t.Errorf("all-notification batch: %d %q", status, body)
	}
	status, _, body = ts.post(t, `[]`)
	if status != http.StatusOK || body != "[]\n" {
		t.Errorf("empty batch: %d %q", status, body)
	}
}

func TestBodyLimit(t *testing.T) {
	ts := startServer(t, Config{MaxBodySize: 1024})
	body := `{"method":"help","params":["` + strings.Repeat("x", 2000) + `"]}`
	status, ctype, reply := ts.post(t, body)
	if status != http.StatusRequestEntityTooLarge || ctype != "application/json" ||
		!strings.Contains(reply, `"code":-32600,"message":"Request body exceeds the limit of 1024 bytes"`) {
		t.Errorf("oversize body: %d %s %s", status, ctype, reply)
	}
	if status, _, _ := ts.post(t, `{"method":"uptime"}`); status != http.StatusOK {
		t.Errorf("small body after a large one: %d", status)
	}
}

func TestHTTPMethodAndPath(t *testing.T) {
	ts := startServer(t, Config{})
	req, _ := http.NewRequest(http.MethodGet, ts.url, nil)
	req.SetBasicAuth(ts.client.User, string(ts.client.Password))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET: %d", resp.StatusCode)
	}
	if status, _, _ := ts.postAs(t, ts.client.User, string(ts.client.Password), "/other", `{"method":"uptime"}`); status != http.StatusNotFound {
		t.Errorf("POST /other: %d", status)
	}
	var gotURI, gotWallet string
	var isWallet bool
	ts.srv.Register(Method{Name: "whoami", Category: "Test", Handler: func(_ context.Context, r *Request) (any, error) {
		gotURI = r.URI
		gotWallet, isWallet = r.WalletName()
		return r.User, nil
	}})
	status, _, body := ts.postAs(t, ts.client.User, string(ts.client.Password), "/wallet/my%20cold%2Fwallet", `{"method":"whoami","id":1}`)
	if status != http.StatusOK || !strings.Contains(body, `"result":"__cookie__"`) {
		t.Errorf("wallet endpoint: %d %s", status, body)
	}
	if gotURI != "/wallet/my%20cold%2Fwallet" || gotWallet != "my cold/wallet" || !isWallet {
		t.Errorf("URI %q, wallet %q %v", gotURI, gotWallet, isWallet)
	}
	ts.post(t, `{"method":"whoami"}`)
	if _, isWallet := (&Request{URI: "/"}).WalletName(); isWallet || gotURI != "/" {
		t.Errorf("root URI %q", gotURI)
	}
}

// echoMethod records the positional parameters it receives.
func echoMethod() Method {
	return Method{
		Name: "echo", Category: "Test", Help: "Echo the parameters.",
		Params: []Param{
			{Name: "text", Type: TypeString, Help: "a string"},
			{Name: "count", Aliases: []string{"n"}, Type: TypeNumber, Optional: true, Default: "1", Help: "a number"},
			{Name: "flag", Type: TypeBool, Optional: true, Default: "false", Help: "a flag"},
			{Name: "extra", Type: TypeAmount, Optional: true, Help: "an amount"},
		},
		Handler: func(_ context.Context, r *Request) (any, error) { return r.Params, nil },
	}
}

func TestNamedParameters(t *testing.T) {
	ts := startServer(t, Config{})
	if err := ts.srv.Register(echoMethod()); err != nil {
		t.Fatal(err)
	}
	if err := ts.srv.Register(echoMethod()); err == nil {
		t.Error("duplicate method registered")
	}
	for _, c := range []struct{ positional, named string }{
		{`["a"]`, `{"text":"a"}`},
		{`["a",2]`, `{"count":2,"text":"a"}`},
		{`["a",2]`, `{"text":"a","n":2}`},
		{`["a",null,true]`, `{"flag":true,"text":"a"}`},
		{`["a",null,null,"0.5"]`, `{"text":"a","extra":"0.5"}`},
		{`["a",3,true]`, `{"args":["a",3],"flag":true}`},
		{`["a",3]`, `{"args":["a"],"count":3}`},
		{`["a",null,true]`, `{"args":["a"],"flag":true,"count":null}`},
	} {
		pos := ts.mustCall(t, "echo", json.RawMessage(c.positional))
		named, err := ts.client.Call(context.Background(), "echo", json.RawMessage(c.named))
		if err != nil {
			t.Errorf("%s: %v", c.named, err)
			continue
		}
		if string(pos) != string(named) {
			t.Errorf("positional %s -> %s; named %s -> %s", c.positional, pos, c.named, named)
		}
	}
	for _, c := range []struct {
		params string
		code   Code
		msg    string
	}{
		{`{"text":"a","bogus":1}`, CodeInvalidParameter, "Unknown named parameter bogus"},
		{`{"text":"a","text":"b"}`, CodeInvalidParameter, "Parameter text specified multiple times"},
		{`{"args":["a"],"text":"b"}`, CodeInvalidParameter, "Parameter text specified twice both as positional and named argument"},
		{`{"count":1}`, CodeType, "Wrong type passed:\n{\n    \"Position 1 (text)\": \"JSON value of type null is not of expected type string\"\n}"},
		{`[1,"x",1]`, CodeType, "Wrong type passed:\n{\n    \"Position 1 (text)\": \"JSON value of type number is not of expected type string\",\n    \"Position 2 (count|n)\": \"JSON value of type string is not of expected type number\",\n    \"Position 3 (flag)\": \"JSON value of type number is not of expected type bool\"\n}"},
		{`[]`, CodeMisc, "echo \"text\" ( count flag extra )\n\nEcho the parameters.\n"},
		{`["a",1,true,1,5]`, CodeMisc, "echo \"text\""},
	} {
		_, err := ts.client.Call(context.Background(), "echo", json.RawMessage(c.params))
		var re *Error
		if !errors.As(err, &re) || re.Code != c.code || !strings.HasPrefix(re.Message, c.msg) {
			t.Errorf("%s: %v, want %d %q", c.params, err, c.code, c.msg)
		}
	}
}

func TestHelp(t *testing.T) {
	ts := startServer(t, Config{})
	var list string
	decode(t, ts.mustCall(t, "help"), &list)
	for _, want := range []string{
		"== Control ==\nhelp ( \"command\" )\nstop\nuptime",
		"== Rawtransactions ==\ncreaterawtransaction [{\"txid\":\"hex\",\"vout\":n,\"sequence\":n},...]",
		"decoderawtransaction \"hexstring\" ( iswitness )",
		"== Util ==\ncreatepolicy \"policy\"\nvalidateaddress \"address\"",
	} {
		if !strings.Contains(list, want) {
			t.Errorf("help lacks %q:\n%s", want, list)
		}
	}
	if strings.Contains(list, "getblockcount") {
		t.Error("a chain method is listed by a server without a chain")
	}
	var one string
	decode(t, ts.mustCall(t, "help", "createpolicy"), &one)
	for _, want := range []string{
		"createpolicy \"policy\"\n\nCreate a policy lock",
		"\nArguments:\n1. policy    (string, required) The policy",
		"\nResult:\n{\n  \"policy\" : \"str\"",
		"\nExamples:\n> ballast rpc createpolicy \"and(after(100),older(144))\"\n> curl --user myusername --data-binary '{\"jsonrpc\": \"2.0\", \"id\": \"curltest\", \"method\": \"createpolicy\", \"params\": [\"and(after(100),older(144))\"]}' -H 'content-type: application/json' http://127.0.0.1:17732/\n",
	} {
		if !strings.Contains(one, want) {
			t.Errorf("help createpolicy lacks %q:\n%s", want, one)
		}
	}
	decode(t, ts.mustCall(t, "help", "nosuch"), &one)
	if one != "help: unknown command: nosuch\n" {
		t.Errorf("help nosuch: %q", one)
	}
}

func TestWarmupAndStop(t *testing.T) {
	var stopped atomic.Bool
	stopCalled := make(chan struct{})
	ts := startServer(t, Config{OnStop: func() { stopped.Store(true); close(stopCalled) }})
	ts.srv.SetWarmup("Loading block index…")
	_, e := ts.call(t, "uptime")
	wantError(t, e, CodeInWarmup, "Loading block index…")
	ts.srv.SetWarmup("")
	ts.mustCall(t, "uptime")
	ts.srv.SetWarmup("Verifying blocks…")
	var res string
	decode(t, ts.mustCall(t, "stop"), &res)
	if res != "Ballast stopping" {
		t.Errorf("stop: %q", res)
	}
	select {
	case err := <-ts.done:
		if err != nil {
			t.Errorf("Serve after stop: %v", err)
		}
		ts.done <- nil
	case <-time.After(5 * time.Second):
		t.Fatal("server still running after stop")
	}
	<-stopCalled
	if !stopped.Load() || fileExists(CookiePath(ts.dir)) {
		t.Errorf("OnStop %v, cookie left %v", stopped.Load(), fileExists(CookiePath(ts.dir)))
	}
}

func TestHandlerPanic(t *testing.T) {
	ts := startServer(t, Config{})
	ts.srv.Register(Method{Name: "boom", Handler: func(context.Context, *Request) (any, error) { panic("bug") }})
	ts.srv.Register(Method{Name: "fails", Handler: func(context.Context, *Request) (any, error) { return nil, errors.New("disk on fire") }})
	_, e := ts.call(t, "boom")
	wantError(t, e, CodeInternal, "Internal error")
	_, e = ts.call(t, "fails")
	wantError(t, e, CodeMisc, "disk on fire")
	ts.mustCall(t, "uptime")
}

func TestRunAndValidate(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	dir := t.TempDir()
	srv, err := New(Config{Params: params.Regtest(), DataDir: dir, Listen: []string{addr}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx) }()
	var c *Client
	for deadline := time.Now().Add(5 * time.Second); c == nil; {
		if c, err = NewCookieClient("http://"+addr+"/", CookiePath(dir)); err != nil && time.Now().After(deadline) {
			t.Fatal(err)
		}
		time.Sleep(time.Millisecond)
	}
	if _, err := c.Call(ctx, "uptime", nil); err != nil {
		t.Fatal(err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run: %v", err)
	}
	for _, bad := range []Config{
		{},
		{Params: params.Regtest()},
		{Params: params.Regtest(), DataDir: dir, Listen: []string{"no-port"}},
		{Params: params.Regtest(), DataDir: dir, MaxBodySize: -1},
		{Params: params.Regtest(), User: "a:b", Password: "x"},
	} {
		if _, err := New(bad); err == nil {
			t.Errorf("config %+v accepted", bad)
		}
	}
}
