package rpc

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ballast-chain/ballast/internal/params"
)

// testServer is a Server serving on 127.0.0.1 at a free port.
type testServer struct {
	srv    *Server
	url    string
	dir    string // network data directory (cookie)
	client *Client
	cancel context.CancelFunc
	done   chan error
}

// startServer starts cfg's server (regtest, cookie auth in a temporary
// directory, no auth-failure delay unless cfg says otherwise) and stops it
// when the test ends.
func startServer(t testing.TB, cfg Config) *testServer {
	t.Helper()
	if cfg.Params == nil {
		cfg.Params = params.Regtest()
	}
	if cfg.DataDir == "" {
		cfg.DataDir = filepath.Join(t.TempDir(), cfg.Params.Name)
	}
	if cfg.AuthFailureDelay == 0 {
		cfg.AuthFailureDelay = -1
	}
	srv, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	ts := &testServer{srv: srv, url: "http://" + ln.Addr().String() + "/", dir: cfg.DataDir, cancel: cancel, done: make(chan error, 1)}
	go func() { ts.done <- srv.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-ts.done:
		case <-time.After(10 * time.Second):
			t.Error("server did not stop")
		}
	})
	if cfg.Password != "" {
		ts.client = &Client{URL: ts.url, User: cfg.User, Password: cfg.Password}
		return ts
	}
	cookie := CookiePath(cfg.DataDir)
	deadline := time.Now().Add(5 * time.Second)
	for {
		c, err := NewCookieClient(ts.url, cookie)
		if err == nil {
			ts.client = c
			return ts
		}
		if time.Now().After(deadline) {
			t.Fatalf("no cookie: %v", err)
		}
		time.Sleep(time.Millisecond)
	}
}

// post sends a raw body with the client's credentials and returns the
// status, the Content-Type and the body.
func (ts *testServer) post(t testing.TB, body string) (int, string, string) {
	t.Helper()
	return ts.postAs(t, ts.client.User, string(ts.client.Password), "/", body)
}

func (ts *testServer) postAs(t testing.TB, user, pass, path, body string) (int, string, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, strings.TrimSuffix(ts.url, "/")+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if user != "" || pass != "" {
		req.SetBasicAuth(user, pass)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header.Get("Content-Type"), string(b)
}

// call calls a method with positional params (any JSON-marshallable
// values; a single json.RawMessage is sent as the whole params value) and
// returns the raw result or the *Error.
func (ts *testServer) call(t testing.TB, method string, params ...any) (json.RawMessage, *Error) {
	t.Helper()
	var p any = params
	if params == nil {
		p = []any{}
	} else if raw, ok := params[0].(json.RawMessage); ok && len(params) == 1 {
		p = raw
	}
	res, err := ts.client.Call(context.Background(), method, p)
	if err != nil {
		var re *Error
		if errors.As(err, &re) {
			return nil, re
		}
		t.Fatalf("%s: %v", method, err)
	}
	return res, nil
}

// mustCall calls and fails the test on an RPC error.
func (ts *testServer) mustCall(t testing.TB, method string, params ...any) json.RawMessage {
	t.Helper()
	res, e := ts.call(t, method, params...)
	if e != nil {
		t.Fatalf("%s: %v", method, e)
	}
	return res
}

// wantError checks an RPC error's code and message prefix.
func wantError(t testing.TB, e *Error, code Code, msgPrefix string) {
	t.Helper()
	if e == nil {
		t.Fatalf("no error, want %d %q", code, msgPrefix)
	}
	if e.Code != code || !strings.HasPrefix(e.Message, msgPrefix) {
		t.Fatalf("error %d %q, want %d %q...", e.Code, e.Message, code, msgPrefix)
	}
}

// decode unmarshals a raw result into v.
func decode(t testing.TB, raw json.RawMessage, v any) {
	t.Helper()
	if err := json.Unmarshal(raw, v); err != nil {
		t.Fatalf("decoding %s: %v", raw, err)
	}
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
