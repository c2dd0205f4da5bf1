package api

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// FuzzParseHead checks parseHead against net/http's parser: whatever the
// front would serve itself, net/http must read the same way (method,
// path, query, length, Host, Connection: close); and it never panics.
func FuzzParseHead(f *testing.F) {
	for _, s := range []string{
		"GET /api/v3/ping HTTP/1.1\r\nHost: x\r\n\r\n",
		"POST /api/v3/order?symbol=A&side=BUY HTTP/1.1\r\nHost: x\r\nX-MBX-APIKEY: k\r\nContent-Length: 0\r\n\r\n",
		"POST /api/v3/order HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nConnection: close\r\n\r\na=b&c",
		"GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n",
		"GET / HTTP/1.0\r\n\r\n",
		"GET / HTTP/1.1\nHost: x\n\n",
		"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
		"GET /a HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		n := headEnd(b)
		if n == 0 {
			return
		}
		b = b[:n]
		h, ok := parseHead(b)
		if !ok || !h.simple {
			return
		}
		req, err := http.ReadRequest(bufio.NewReader(io.MultiReader(bytes.NewReader(b), strings.NewReader(strings.Repeat("x", int(min(h.contentLength, 1<<16)))))))
		if err != nil {
			t.Fatalf("front accepts what net/http refuses (%v): %q", err, b)
		}
		method, path, _ := strings.Cut(string(b[:h.routeEnd]), " ")
		if method != req.Method || !strings.HasPrefix(req.RequestURI, path) || !strings.Contains(path, "%") && path != req.URL.Path {
			t.Fatalf("route %s %s, net/http %s %s", method, path, req.Method, req.URL.Path)
		}
		if q := string(b[h.queryStart:h.queryEnd]); q != req.URL.RawQuery {
			t.Fatalf("query %q, net/http %q", q, req.URL.RawQuery)
		}
		if h.contentLength != max(req.ContentLength, 0) || h.close != req.Close {
			t.Fatalf("length %d close %v, net/http %d %v", h.contentLength, h.close, req.ContentLength, req.Close)
		}
	})
}

// TestFrontServesAndHandsOff drives one connection through requests the
// front serves (also pipelined, also split across writes) and one it hands
// to net/http, after which net/http answers the rest.
func TestFrontServesAndHandsOff(t *testing.T) {
	a, _ := setup(t)
	addr := strings.TrimPrefix(a.base, "http://")
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	br := bufio.NewReader(c)
	ask := func(raw string, want int) *http.Response {
		t.Helper()
		if _, err := io.WriteString(c, raw); err != nil {
			t.Fatal(err)
		}
		return readAnswer(t, br, want)
	}
	ping := "GET /api/v3/ping HTTP/1.1\r\nHost: x\r\n\r\n"
	r := ask(ping, 200)
	if r.Header.Get("X-Mbx-Used-Weight-1m") == "" || r.Header.Get("Date") == "" || r.Header.Get("Content-Type") == "" {
		t.Fatalf("headers %v", r.Header)
	}
	// Pipelined: two requests in one write.
	if _, err := io.WriteString(c, ping+ping); err != nil {
		t.Fatal(err)
	}
	readAnswer(t, br, 200)
	readAnswer(t, br, 200)
	// A head split across writes.
	if _, err := io.WriteString(c, "GET /api/v3/time HTTP/1.1\r\nHo"); err != nil {
		t.Fatal(err)
	}
	time.Sleep(20 * time.Millisecond)
	ask("st: x\r\n\r\n", 200)
	// A request with a body (and no API key).
	ask("POST /api/v3/order HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\na=b", 401)
	// An unknown path goes to net/http, which answers 404 and keeps the
	// connection; the REST route still works there.
	ask("GET /nope HTTP/1.1\r\nHost: x\r\n\r\n", 404)
	ask(ping, 200)
	// Connection: close ends the connection after the answer.
	c2, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	if _, err := io.WriteString(c2, "GET /api/v3/ping HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	br2 := bufio.NewReader(c2)
	if r := readAnswer(t, br2, 200); !r.Close {
		t.Fatal("no Connection: close")
	}
	_ = c2.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := br2.ReadByte(); err != io.EOF {
		t.Fatalf("connection not closed: %v", err)
	}
	// Bare LF lines: net/http's, which accepts them.
	c3, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c3.Close()
	if _, err := io.WriteString(c3, "GET /api/v3/ping HTTP/1.1\nHost: x\n\n"); err != nil {
		t.Fatal(err)
	}
	readAnswer(t, bufio.NewReader(c3), 200)
}

func readAnswer(t *testing.T, br *bufio.Reader, want int) *http.Response {
	t.Helper()
	r, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadAll(r.Body); err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	if r.StatusCode != want {
		t.Fatalf("status %d, want %d", r.StatusCode, want)
	}
	return r
}
