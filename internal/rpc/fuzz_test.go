package rpc

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
)

// FuzzServeRequest sends arbitrary bodies through the whole HTTP handler
// (authentication, body limit, parsing, batches, parameter mapping, the
// chain-backed handlers over a real regtest chain): it must never panic,
// and every answer is either 204 with no body or JSON-RPC replies in valid
// JSON, with Core's status codes.
func FuzzServeRequest(f *testing.F) {
	for _, s := range []string{
		`{"method":"getblockcount","params":[],"id":1}`,
		`{"jsonrpc":"2.0","method":"getblock","params":{"blockhash":"00","verbosity":2},"id":"x"}`,
		`[{"jsonrpc":"2.0","method":"help"},{"method":"uptime","id":null},7]`,
		`{"method":"createrawtransaction","params":[[{"txid":"` + string(bytes.Repeat([]byte("ab"), 32)) + `","vout":0}],{"data":"00"}]}`,
		`{"method":"decoderawtransaction","params":["0200000000"]}`,
		`{"method":"getrawtransaction","params":{"args":["00"],"verbose":true}}`,
		`{"method":"gettxout","params":["` + string(bytes.Repeat([]byte("00"), 32)) + `",0]}`,
		`{"method":"createpolicy","params":["thresh(1,after(5))"]}`,
		`{"method":"testmempoolaccept","params":[["00"]]}`,
		`{"method":"echo","params":{"text":"a","args":[1,2,3]}}`,
		`{"jsonrpc":"2.0","method":"stop"}`, `[]`, `{`, `"x"`, `{"method":{}}`, `[[]]`,
	} {
		f.Add([]byte(s))
	}
	n := newTestNode(f)
	n.mine(f, 3)
	b := n.backends()
	b.Mining = nil // mining would grow the chain with every input
	srv, err := New(Config{Params: n.p, User: "u", Password: "p", AuthFailureDelay: -1, MaxBodySize: 1 << 16, Backends: b})
	if err != nil {
		f.Fatal(err)
	}
	srv.Register(echoMethod())
	f.Fuzz(func(t *testing.T, body []byte) {
		req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
		req.SetBasicAuth("u", "p")
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		out := rec.Body.Bytes()
		switch rec.Code {
		case http.StatusNoContent:
			if len(out) != 0 {
				t.Fatalf("204 with a body %q", out)
			}
			return
		case http.StatusOK, http.StatusBadRequest, http.StatusNotFound, http.StatusInternalServerError, http.StatusRequestEntityTooLarge:
		default:
			t.Fatalf("status %d", rec.Code)
		}
		if !json.Valid(out) {
			t.Fatalf("status %d, invalid JSON reply %q for %q", rec.Code, out, body)
		}
		var replies []map[string]json.RawMessage
		if bytes.HasPrefix(out, []byte("[")) {
			if err := json.Unmarshal(out, &replies); err != nil {
				t.Fatal(err)
			}
		} else {
			var one map[string]json.RawMessage
			if err := json.Unmarshal(out, &one); err != nil {
				t.Fatal(err)
			}
			replies = append(replies, one)
		}
		for _, r := range replies {
			_, hasResult := r["result"]
			e, hasError := r["error"]
			if _, ok := r["id"]; !ok || !hasResult && !hasError {
				t.Fatalf("reply %q lacks id, result or error", out)
			}
			if hasError && string(e) != "null" {
				var re Error
				if err := json.Unmarshal(e, &re); err != nil || re.Code == 0 || re.Message == "" {
					t.Fatalf("error object %s", e)
				}
			}
		}
	})
}
