package api

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/textproto"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// The front is a lean HTTP/1.1 server for the plain REST endpoints
// (routes), which carry the order flow, ahead of net/http.
//
// net/http costs more per request than placing an order does: fresh
// header maps, URL and context per request, and a background read (an
// extra goroutine and two deadline changes) per request to notice a
// closed connection. The front serves keep-alive HTTP/1.1 requests for the
// routes itself, reusing one request, header map and buffers per
// connection. Anything else (another path or method, HTTP/1.0, a chunked
// body, Expect, Upgrade for WebSockets, an oversized or malformed head)
// makes the front hand the connection, with the bytes it has read, to
// net/http, which serves it from then on. The front thus understands only
// the simple, common case; everything unusual keeps net/http's behaviour.

const (
	frontBufSize = 4 << 10 // request heads beyond this go to net/http
	frontMaxBody = 1 << 16 // as serve reads at most
	// frontHeadTimeout bounds reading a request head once its first byte
	// came, as http.Server.ReadHeaderTimeout; idle keep-alive
	// connections wait without a deadline, as in net/http without an
	// IdleTimeout.
	frontHeadTimeout = 10 * time.Second
)

type front struct {
	s      *Server
	ctx    context.Context
	routes map[string]frontRoute // by "METHOD /path"
	slow   *handoffListener

	mu      sync.Mutex
	conns   map[*frontConn]struct{}
	closing bool
}

type frontRoute struct {
	e            endpoint
	method, path string
}

func newFront(ctx context.Context, s *Server, slow *handoffListener) *front {
	f := &front{s: s, ctx: ctx, routes: map[string]frontRoute{}, slow: slow, conns: map[*frontConn]struct{}{}}
	for pattern, e := range s.routes() {
		method, path, _ := strings.Cut(pattern, " ")
		f.routes[pattern] = frontRoute{e: e, method: method, path: path}
	}
	return f
}

// serve accepts connections until ln is closed. Other accept errors
// (out of file descriptors) are retried with a growing pause, as net/http
// does.
func (f *front) serve(ln net.Listener) error {
	var pause time.Duration
	for {
		c, err := ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) || f.ctx.Err() != nil {
				return err
			}
			pause = min(max(2*pause, 5*time.Millisecond), time.Second)
			f.s.log.Error("api accept failed", "err", err, "retry_in", pause)
			time.Sleep(pause)
			continue
		}
		pause = 0
		fc := &frontConn{f: f, c: c}
		f.mu.Lock()
		if f.closing {
			f.mu.Unlock()
			c.Close()
			continue
		}
		f.conns[fc] = struct{}{}
		f.mu.Unlock()
		go fc.run()
	}
}

// close closes the idle connections; busy ones close after answering.
func (f *front) close() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.closing = true
	for fc := range f.conns {
		if fc.state.CompareAndSwap(connIdle, connClosed) {
			fc.c.Close()
		}
	}
}

func (f *front) forget(fc *frontConn) {
	f.mu.Lock()
	delete(f.conns, fc)
	f.mu.Unlock()
}

const (
	connIdle int32 = iota
	connBusy
	connClosed
)

// frontConn is one connection and the request state it reuses.
type frontConn struct {
	f     *front
	c     net.Conn
	state atomic.Int32
	br    *bufio.Reader

	req    http.Request
	url    url.URL
	hdr    http.Header
	seen   []string
	body   bodyReader
	bodyB  []byte
	w      frontWriter
	out    []byte
	remote string
}

type bodyReader struct{ bytes.Reader }

func (*bodyReader) Close() error { return nil }

func (fc *frontConn) run() {
	handedOff := false
	defer func() {
		if p := recover(); p != nil {
			fc.f.s.log.Error("api request panicked", "panic", p)
		}
		if !handedOff {
			fc.c.Close()
		}
		fc.f.forget(fc)
	}()
	fc.br = bufio.NewReaderSize(fc.c, frontBufSize)
	fc.hdr = http.Header{}
	fc.w.h = http.Header{}
	fc.remote = fc.c.RemoteAddr().String()
	base := (&http.Request{}).WithContext(fc.f.ctx)
	for {
		if _, err := fc.br.Peek(1); err != nil {
			return
		}
		if !fc.state.CompareAndSwap(connIdle, connBusy) {
			return // closing
		}
		head, deadline, err := fc.readHead()
		if err != nil {
			return
		}
		h, ok := parseHead(head)
		var rt frontRoute
		if ok {
			rt, ok = fc.f.routes[string(head[:h.routeEnd])]
		}
		if !ok || !h.simple || h.contentLength > frontMaxBody {
			if deadline {
				_ = fc.c.SetReadDeadline(time.Time{})
			}
			handedOff = fc.f.slow.handoff(fc.c, fc.br)
			return
		}
		if _, err := fc.br.Discard(len(head)); err != nil {
			return
		}
		fc.req = *base
		fc.req.Method, fc.req.Proto, fc.req.ProtoMajor, fc.req.ProtoMinor = rt.method, "HTTP/1.1", 1, 1
		fc.url = url.URL{Path: rt.path, RawQuery: fc.query(head[h.queryStart:h.queryEnd])}
		fc.req.URL, fc.req.RequestURI, fc.req.RemoteAddr = &fc.url, "", fc.remote
		if err := fc.headers(head[h.headersStart:]); err != nil {
			return
		}
		fc.req.Header, fc.req.Host, fc.req.Close = fc.hdr, fc.hdr.Get("Host"), h.close
		fc.req.ContentLength, fc.req.Body = h.contentLength, http.NoBody
		if h.contentLength > 0 {
			fc.bodyB = slices.Grow(fc.bodyB[:0], int(h.contentLength))[:h.contentLength]
			if _, err := io.ReadFull(fc.br, fc.bodyB); err != nil {
				return
			}
			fc.body.Reset(fc.bodyB)
			fc.req.Body = &fc.body
		}
		if deadline {
			_ = fc.c.SetReadDeadline(time.Time{})
		}
		fc.w.reset()
		fc.f.s.serve(&fc.w, &fc.req, rt.e)
		fc.out = fc.w.appendResponse(fc.out[:0], h.close)
		if _, err := fc.c.Write(fc.out); err != nil || h.close {
			return
		}
		if cap(fc.out) > 64<<10 {
			fc.out = nil // a large answer's buffer is not kept
		}
		if !fc.state.CompareAndSwap(connBusy, connIdle) {
			return
		}
		fc.f.mu.Lock()
		closing := fc.f.closing
		fc.f.mu.Unlock()
		if closing {
			return
		}
	}
}

// query returns raw as a string, reusing the previous request's string
// when equal (never for signed requests, whose timestamps differ).
func (fc *frontConn) query(raw []byte) string {
	if fc.url.RawQuery == string(raw) {
		return fc.url.RawQuery
	}
	return string(raw)
}

// readHead returns the request head (through the blank line) from the
// buffer without consuming it, reading more under frontHeadTimeout if
// the first read did not bring all of it. A head that does not fit the
// buffer is returned whole as far as it goes, for parseHead to refuse.
func (fc *frontConn) readHead() (head []byte, deadline bool, err error) {
	for {
		buf, _ := fc.br.Peek(fc.br.Buffered())
		if i := headEnd(buf); i > 0 {
			return buf[:i], deadline, nil
		}
		if len(buf) == fc.br.Size() {
			return buf, deadline, nil
		}
		if !deadline {
			deadline = true
			_ = fc.c.SetReadDeadline(time.Now().Add(frontHeadTimeout))
		}
		if _, err := fc.br.Peek(len(buf) + 1); err != nil {
			return nil, deadline, err
		}
	}
}

// headEnd returns the length of the head ending in an empty line (CRLF
// CRLF, or a bare LF pair, which parseHead refuses), or 0.
func headEnd(b []byte) int {
	for i := 0; i < len(b); {
		j := bytes.IndexByte(b[i:], '\n')
		if j < 0 {
			return 0
		}
		i += j + 1
		if i < len(b) && b[i] == '\n' {
			return i + 1
		}
		if i+1 < len(b) && b[i] == '\r' && b[i+1] == '\n' {
			return i + 2
		}
	}
	return 0
}

// headers fills fc.hdr from the header lines (already checked by
// parseHead), reusing keys and value strings equal to the previous
// request's.
func (fc *frontConn) headers(b []byte) error {
	fc.seen = fc.seen[:0]
	for len(b) > 2 {
		i := bytes.IndexByte(b, '\n')
		line := b[:i-1]
		b = b[i+1:]
		colon := bytes.IndexByte(line, ':')
		name, value := line[:colon], bytes.TrimRight(bytes.TrimLeft(line[colon+1:], " \t"), " \t")
		key := canonicalKey(name)
		old, had := fc.hdr[key]
		first := !slices.Contains(fc.seen, key)
		switch {
		case first && had && len(old) == 1 && old[0] == string(value):
		case first:
			fc.hdr[key] = []string{string(value)}
		default:
			fc.hdr[key] = append(old, string(value))
		}
		if first {
			fc.seen = append(fc.seen, key)
		}
	}
	for k := range fc.hdr {
		if !slices.Contains(fc.seen, k) {
			delete(fc.hdr, k)
		}
	}
	return nil
}

// commonKeys are canonical header names looked up without allocating.
var commonKeys = []string{"Host", "X-Mbx-Apikey", "Content-Length", "Content-Type", "User-Agent", "Accept",
	"Accept-Encoding", "Connection", "Authorization"}

func canonicalKey(name []byte) string {
	for _, k := range commonKeys {
		if len(k) == len(name) && bytes.EqualFold(name, []byte(k)) {
			return k
		}
	}
	return textproto.CanonicalMIMEHeaderKey(string(name))
}

// head is what parseHead found in a request head.
type head struct {
	routeEnd              int // head[:routeEnd] is "METHOD /path"
	queryStart, queryEnd  int
	headersStart          int
	contentLength         int64
	close, simple, hasLen bool
}

// parseHead checks a request head and locates its parts. ok is false for
// anything the front does not serve itself: then net/http gets the
// connection, so malformed requests get its answers. simple is false for
// well-formed requests the front leaves to net/http all the same.
func parseHead(b []byte) (h head, ok bool) {
	line, rest, found := bytes.Cut(b, []byte("\r\n"))
	if !found {
		return h, false
	}
	sp := bytes.IndexByte(line, ' ')
	if sp <= 0 {
		return h, false
	}
	switch string(line[:sp]) {
	case "GET", "POST", "PUT", "DELETE":
	default:
		return h, false
	}
	target := line[sp+1:]
	end := bytes.IndexByte(target, ' ')
	if end <= 0 || string(target[end+1:]) != "HTTP/1.1" {
		return h, false
	}
	target = target[:end]
	if target[0] != '/' {
		return h, false
	}
	for _, c := range target {
		if c <= ' ' || c >= 0x7f || c == '#' {
			return h, false
		}
	}
	pathEnd := bytes.IndexByte(target, '?')
	h.queryStart, h.queryEnd = sp+1+len(target), sp+1+len(target)
	if pathEnd < 0 {
		pathEnd = len(target)
	} else {
		h.queryStart = sp + 1 + pathEnd + 1
	}
	h.routeEnd = sp + 1 + pathEnd
	h.headersStart = len(line) + 2
	h.simple = true
	host := false
	for len(rest) > 0 {
		l, r, found := bytes.Cut(rest, []byte("\r\n"))
		if !found {
			return h, false // a bare LF
		}
		rest = r
		if len(l) == 0 {
			if len(rest) != 0 {
				return h, false
			}
			break
		}
		colon := bytes.IndexByte(l, ':')
		if colon <= 0 || !validName(l[:colon]) || !validValue(l[colon+1:]) {
			return h, false
		}
		name, value := l[:colon], bytes.Trim(l[colon+1:], " \t")
		switch {
		case bytes.EqualFold(name, []byte("Host")):
			if host {
				return h, false
			}
			host = true
		case bytes.EqualFold(name, []byte("Content-Length")):
			n, ok := parseLength(value)
			if !ok || h.hasLen {
				return h, false
			}
			h.contentLength, h.hasLen = n, true
		case bytes.EqualFold(name, []byte("Connection")):
			switch {
			case bytes.EqualFold(value, []byte("close")):
				h.close = true
			case bytes.EqualFold(value, []byte("keep-alive")):
			default:
				h.simple = false
			}
		case bytes.EqualFold(name, []byte("Transfer-Encoding")), bytes.EqualFold(name, []byte("Expect")),
			bytes.EqualFold(name, []byte("Upgrade")), bytes.EqualFold(name, []byte("Trailer")):
			h.simple = false
		}
	}
	if !host {
		return h, false // HTTP/1.1 requires Host; net/http answers 400
	}
	return h, true
}

// parseLength parses a Content-Length: decimal digits only, at most 18.
func parseLength(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 18 {
		return 0, false
	}
	var n int64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}

func validName(b []byte) bool {
	for _, c := range b {
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`"(),/:;<=>?@[\]{}`, c) >= 0 {
			return false
		}
	}
	return true
}

func validValue(b []byte) bool {
	for _, c := range b {
		if (c < ' ' && c != '\t') || c == 0x7f {
			return false
		}
	}
	return true
}

// frontWriter is the http.ResponseWriter the front gives serve: it
// collects the answer, written in one call afterwards.
type frontWriter struct {
	h      http.Header
	status int
	body   []byte
}

func (w *frontWriter) Header() http.Header { return w.h }

func (w *frontWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
}

func (w *frontWriter) Write(b []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	w.body = append(w.body, b...)
	return len(b), nil
}

func (w *frontWriter) reset() {
	clear(w.h)
	w.status = 0
	if cap(w.body) > 64<<10 {
		w.body = nil
	}
	w.body = w.body[:0]
}

// appendResponse encodes the answer as net/http would: status line,
// headers sorted by name, Date, Content-Length.
func (w *frontWriter) appendResponse(b []byte, close bool) []byte {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	b = append(b, "HTTP/1.1 "...)
	b = strconv.AppendInt(b, int64(w.status), 10)
	b = append(b, ' ')
	b = append(b, http.StatusText(w.status)...)
	b = append(b, "\r\n"...)
	var keys [16]string
	ks := keys[:0]
	for k := range w.h {
		if k != "Content-Length" && k != "Date" && k != "Connection" && k != "Transfer-Encoding" {
			ks = append(ks, k)
		}
	}
	slices.Sort(ks)
	for _, k := range ks {
		for _, v := range w.h[k] {
			b = append(b, k...)
			b = append(b, ": "...)
			b = append(b, v...)
			b = append(b, "\r\n"...)
		}
	}
	if close {
		b = append(b, "Connection: close\r\n"...)
	}
	b = append(b, "Date: "...)
	b = appendDate(b)
	b = append(b, "\r\nContent-Length: "...)
	b = strconv.AppendInt(b, int64(len(w.body)), 10)
	b = append(b, "\r\n\r\n"...)
	return append(b, w.body...)
}

type dateText struct {
	sec int64
	b   []byte
}

var lastDate atomic.Pointer[dateText]

// appendDate appends the current time in http.TimeFormat, formatted once
// a second.
func appendDate(b []byte) []byte {
	now := time.Now()
	d := lastDate.Load()
	if d == nil || d.sec != now.Unix() {
		d = &dateText{sec: now.Unix(), b: now.UTC().AppendFormat(nil, http.TimeFormat)}
		lastDate.Store(d)
	}
	return append(b, d.b...)
}

// handoffListener passes the connections the front does not serve to
// net/http.
type handoffListener struct {
	addr  net.Addr
	conns chan net.Conn
	done  chan struct{}
	once  sync.Once
	mu    sync.Mutex
	err   error
}

func newHandoffListener(addr net.Addr) *handoffListener {
	return &handoffListener{addr: addr, conns: make(chan net.Conn), done: make(chan struct{})}
}

// handoff gives c, with what br has buffered, to net/http; false if the
// listener is closed.
func (l *handoffListener) handoff(c net.Conn, br *bufio.Reader) bool {
	select {
	case l.conns <- &prefixConn{Conn: c, r: br}:
		return true
	case <-l.done:
		return false
	}
}

func (l *handoffListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.done:
		l.mu.Lock()
		defer l.mu.Unlock()
		if l.err != nil {
			return nil, l.err
		}
		return nil, net.ErrClosed
	}
}

// fail closes the listener with err (the real listener failed).
func (l *handoffListener) fail(err error) {
	l.mu.Lock()
	l.err = err
	l.mu.Unlock()
	l.Close()
}

func (l *handoffListener) Close() error {
	l.once.Do(func() { close(l.done) })
	return nil
}

func (l *handoffListener) Addr() net.Addr { return l.addr }

// prefixConn reads what the front had buffered before the connection.
type prefixConn struct {
	net.Conn
	r *bufio.Reader
}

func (c *prefixConn) Read(p []byte) (int, error) {
	if c.r != nil {
		if c.r.Buffered() > 0 {
			return c.r.Read(p)
		}
		c.r = nil
	}
	return c.Conn.Read(p)
}
