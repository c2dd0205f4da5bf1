package api

import (
	"context"
	"encoding/json"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/coder/websocket"

	"github.com/ballast-chain/ballast/internal/auth"
)

// outMsg is one encoded event shared by every subscriber. offer runs on
// the dispatcher goroutine only, so the shared encodings are built there
// on first use, once per event whatever the number of subscribers.
type outMsg struct {
	raw    []byte
	stream string // market stream name; "" for user events
	user   bool

	combined []byte // {"stream":...,"data":raw} for /stream connections
	api      []byte // {"subscriptionId":0,"event":raw} for /ws-api/v3
}

// maxReplies bounds a connection's unsent request replies.
const maxReplies = 16

// wsConn is one WebSocket connection: market subscriptions, optionally one
// account's user data, and a bounded send queue that its writer drains in
// batches (all frames queued since the last batch go out in one write).
type wsConn struct {
	st       *streams
	c        *websocket.Conn
	cork     *corkConn
	combined bool // /stream: wrap as {"stream","data"}
	wsAPI    bool // /ws-api/v3: user events as {"subscriptionId","event"}
	lkName   string
	max      int // queued events before the connection counts as slow
	once     sync.Once
	gone     chan struct{}
	reason   string

	qmu     sync.Mutex
	pending [][]byte      // frames not yet taken by the writer
	replies int           // of which request replies
	spare   [][]byte      // writer-owned: the last batch's slice, for reuse
	wake    chan struct{} // capacity 1: pending became non-empty
	dead    bool          // dropped: queue nothing more

	mu   sync.Mutex
	subs map[string]bool
	user uint64

	removed bool // guarded by streams.mu
}

// frame returns what c sends for m, shared between connections except
// for a listen key's combined user events (named by the key).
func (c *wsConn) frame(m *outMsg) []byte {
	switch {
	case m.user && c.wsAPI:
		if m.api == nil {
			m.api = append(append([]byte(`{"subscriptionId":0,"event":`), m.raw...), '}')
		}
		return m.api
	case m.user && c.combined:
		return append(append([]byte(`{"stream":"`+c.lkName+`","data":`), m.raw...), '}')
	case c.combined:
		if m.combined == nil {
			m.combined = append(append([]byte(`{"stream":"`+m.stream+`","data":`), m.raw...), '}')
		}
		return m.combined
	}
	return m.raw
}

// offer queues msg or, if the queue is full, drops the slow connection:
// one client that does not read can hold at most max frames (shared with
// every other subscriber) plus the batch being written. It reports
// whether the writer needs waking; the dispatcher wakes writers once per
// batch of updates, so the frames of one update go out in one write.
func (c *wsConn) offer(m *outMsg) bool {
	return c.enqueue(c.frame(m), false)
}

func (c *wsConn) enqueue(b []byte, reply bool) bool {
	c.qmu.Lock()
	switch {
	case c.dead:
		c.qmu.Unlock()
		return false
	case reply && c.replies >= maxReplies:
		c.qmu.Unlock()
		c.drop("too many requests")
		return false
	case !reply && len(c.pending)-c.replies >= c.max:
		c.qmu.Unlock()
		c.drop("slow consumer")
		return false
	}
	c.pending = append(c.pending, b)
	if reply {
		c.replies++
	}
	n := len(c.pending)
	c.qmu.Unlock()
	if n == c.max/2 && !reply {
		// Half full within one batch (an order that swept many levels,
		// many streams): do not wait for the end of the batch.
		c.wakeWriter()
	}
	return n == 1
}

// wakeWriter tells the writer there is something to send.
func (c *wsConn) wakeWriter() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

func (c *wsConn) drop(reason string) {
	c.once.Do(func() {
		c.qmu.Lock()
		c.dead = true
		c.qmu.Unlock()
		c.reason = reason
		close(c.gone)
		if reason == "slow consumer" {
			// The writer is likely blocked on a full socket: fail that
			// write now instead of after writeTimeout.
			c.cork.abort()
		}
	})
}

func (c *wsConn) reply(v any) {
	b, _ := json.Marshal(v)
	if c.enqueue(b, true) {
		c.wakeWriter()
	}
}

// flush writes everything queued in one socket write.
func (c *wsConn) flush() bool {
	c.qmu.Lock()
	batch := c.pending
	c.pending, c.spare, c.replies = c.spare, nil, 0
	c.qmu.Unlock()
	if len(batch) == 0 {
		c.spare = batch
		return true
	}
	c.st.frames.Add(uint64(len(batch)))
	c.st.flushes.Add(1)
	c.cork.cork()
	ok := true
	for _, b := range batch {
		// Into the cork's buffer: no I/O, so no deadline.
		if c.c.Write(context.Background(), websocket.MessageText, b) != nil {
			ok = false
			break
		}
	}
	if err := c.cork.uncork(); err != nil {
		ok = false
	}
	clear(batch)
	if cap(batch) <= 32 {
		c.spare = batch[:0] // a burst's large slice is not kept
	}
	return ok
}

// closeGrace bounds the close handshake: a client that does not read
// (a slow consumer) never answers it, and the library would wait 5 s for
// the frame to go out and 5 s more for the answer.
const closeGrace = time.Second

// close sends a close frame and waits at most closeGrace for the client's.
func (c *wsConn) close(code websocket.StatusCode, reason string) {
	t := time.AfterFunc(closeGrace, func() { c.c.CloseNow() })
	defer t.Stop()
	_ = c.c.Close(code, reason)
}

func (s *Server) accept(w http.ResponseWriter, r *http.Request, combined, wsAPI bool) (*wsConn, bool) {
	if s.st.conns.Load() >= int64(s.cfg.MaxStreamConns) {
		writeErr(w, 429, -1003, "Too many WebSocket connections.")
		return nil, false
	}
	hw := &hijackCorked{ResponseWriter: w}
	wc, err := websocket.Accept(hw, r, &websocket.AcceptOptions{InsecureSkipVerify: true})
	if err != nil {
		return nil, false
	}
	wc.SetReadLimit(1 << 16)
	c := &wsConn{st: s.st, c: wc, cork: hw.conn, combined: combined, wsAPI: wsAPI, max: s.cfg.StreamQueue,
		gone: make(chan struct{}), wake: make(chan struct{}, 1), subs: map[string]bool{}}
	s.st.conns.Add(1)
	return c, true
}

// serveConn runs a connection: a reader handling requests and a writer
// draining the queue, with a ping every 20 s; it returns when either ends.
// It runs in its own goroutine (the HTTP handler returns once the
// connection is set up, releasing net/http's per-connection state), under
// the streams' context rather than the request's.
func (s *Server) serveConn(c *wsConn, handle func(ctx context.Context, msg []byte)) {
	defer s.st.conns.Add(-1)
	defer s.st.remove(c, true)
	ctx := s.st.ctx
	go func() {
		defer c.drop("read closed")
		for {
			// No deadline or cancellation (each would register with the
			// runtime per read): every way out of the writer below closes
			// the connection, which ends this read.
			_, msg, err := c.c.Read(context.Background())
			if err != nil {
				return
			}
			handle(ctx, msg)
		}
	}()
	ping := time.NewTicker(20 * time.Second)
	defer ping.Stop()
	for {
		select {
		case <-ctx.Done():
			c.close(websocket.StatusGoingAway, "server shutting down")
			return
		case <-c.gone:
			// Dropped: stop queueing to it first, then close.
			s.st.remove(c, true)
			if c.reason == "read closed" {
				c.c.CloseNow()
			} else {
				c.close(websocket.StatusPolicyViolation, c.reason)
			}
			return
		case <-c.wake:
			if !c.flush() {
				c.c.CloseNow()
				return
			}
		case <-ping.C:
			go func() {
				pctx, pcancel := context.WithTimeout(ctx, 10*time.Second)
				defer pcancel()
				if c.c.Ping(pctx) != nil {
					c.drop("ping timeout")
				}
			}()
		}
	}
}

// validStream reports whether name is a market stream of a listed symbol.
func (s *Server) validStream(name string) bool {
	sym, kind, ok := strings.Cut(name, "@")
	if !ok {
		return false
	}
	if _, ok := s.v.Market(strings.ToUpper(sym)); !ok {
		return false
	}
	switch kind {
	case "trade", "aggTrade", "depth", "depth@100ms", "depth@1000ms", "ticker", "miniTicker", "bookTicker",
		"depth5", "depth10", "depth20", "depth5@100ms", "depth10@100ms", "depth20@100ms",
		"depth5@1000ms", "depth10@1000ms", "depth20@1000ms":
		return true
	}
	if iv, ok := strings.CutPrefix(kind, "kline_"); ok {
		for _, k := range klineIntervals {
			if k == iv {
				return true
			}
		}
	}
	return false
}

func normalizeStream(name string) string {
	sym, kind, _ := strings.Cut(name, "@")
	kind = strings.TrimSuffix(kind, "@1000ms")
	return strings.ToLower(sym) + "@" + kind
}

func (c *wsConn) add(s *Server, name string) bool {
	if !s.validStream(name) {
		return false
	}
	c.mu.Lock()
	c.subs[normalizeStream(name)] = true
	c.mu.Unlock()
	s.st.subscribe(c, normalizeStream(name))
	return true
}

// serveStreams is GET /ws/<stream>[/<stream>...] or /ws/<listenKey>, and
// GET /stream?streams=a/b/c (combined payloads).
func (s *Server) serveStreams(w http.ResponseWriter, r *http.Request) {
	combined := strings.HasPrefix(r.URL.Path, "/stream")
	var names []string
	if combined {
		names = strings.Split(r.URL.Query().Get("streams"), "/")
	} else {
		names = strings.Split(strings.TrimPrefix(strings.TrimPrefix(r.URL.Path, "/ws"), "/"), "/")
	}
	c, ok := s.accept(w, r, combined, false)
	if !ok {
		return
	}
	for _, n := range names {
		if n == "" {
			continue
		}
		if acct, ok := s.lookupListenKey(n); ok {
			c.user, c.lkName = acct, n
			s.st.subscribeUser(c, acct)
			continue
		}
		c.add(s, n) // unknown names are ignored, as ccxt opens /ws/<index>
	}
	go s.serveConn(c, func(_ context.Context, msg []byte) { s.streamRequest(c, msg) })
}

type wsRequest struct {
	Method string          `json:"method"`
	Params json.RawMessage `json:"params"`
	ID     any             `json:"id"`
}

// streamRequest handles SUBSCRIBE, UNSUBSCRIBE and LIST_SUBSCRIPTIONS.
func (s *Server) streamRequest(c *wsConn, msg []byte) {
	var req wsRequest
	if err := json.Unmarshal(msg, &req); err != nil {
		c.reply(map[string]any{"error": map[string]any{"code": 3, "msg": "Invalid JSON"}, "id": nil})
		return
	}
	var params []string
	if len(req.Params) > 0 {
		_ = json.Unmarshal(req.Params, &params)
	}
	switch req.Method {
	case "SUBSCRIBE":
		for _, n := range params {
			if !c.add(s, n) {
				c.reply(map[string]any{"error": map[string]any{"code": 2, "msg": "Invalid request: unknown stream " + n}, "id": req.ID})
				return
			}
		}
		c.reply(map[string]any{"result": nil, "id": req.ID})
	case "UNSUBSCRIBE":
		for _, n := range params {
			n = normalizeStream(n)
			c.mu.Lock()
			delete(c.subs, n)
			c.mu.Unlock()
			s.st.unsubscribe(c, n)
		}
		c.reply(map[string]any{"result": nil, "id": req.ID})
	case "LIST_SUBSCRIPTIONS":
		c.mu.Lock()
		list := make([]string, 0, len(c.subs))
		for n := range c.subs {
			list = append(list, n)
		}
		c.mu.Unlock()
		c.reply(map[string]any{"result": list, "id": req.ID})
	default:
		c.reply(map[string]any{"error": map[string]any{"code": 2, "msg": "Invalid request: unknown method"}, "id": req.ID})
	}
}

// serveWSAPI is the WebSocket API (/ws-api/v3): ping, time and the user
// data stream subscription by signature.
func (s *Server) serveWSAPI(w http.ResponseWriter, r *http.Request) {
	c, ok := s.accept(w, r, false, true)
	if !ok {
		return
	}
	ip := clientIP(r)
	go s.serveConn(c, func(ctx context.Context, msg []byte) {
		var req struct {
			ID     any            `json:"id"`
			Method string         `json:"method"`
			Params map[string]any `json:"params"`
		}
		if err := json.Unmarshal(msg, &req); err != nil {
			c.reply(map[string]any{"id": nil, "status": 400, "error": map[string]any{"code": -1000, "msg": "Invalid JSON"}})
			return
		}
		ok := func(result any) { c.reply(map[string]any{"id": req.ID, "status": 200, "result": result}) }
		fail := func(status, code int, m string) {
			c.reply(map[string]any{"id": req.ID, "status": status, "error": map[string]any{"code": code, "msg": m}})
		}
		switch req.Method {
		case "ping":
			ok(struct{}{})
		case "time":
			ok(map[string]int64{"serverTime": time.Now().UnixMilli()})
		case "userDataStream.subscribe.signature":
			acct, code, m := s.verifyWSParams(ctx, req.Params, ip)
			if code != 0 {
				fail(400, code, m)
				return
			}
			c.mu.Lock()
			c.user = acct
			c.mu.Unlock()
			s.st.subscribeUser(c, acct)
			ok(map[string]int{"subscriptionId": 0})
		case "userDataStream.unsubscribe":
			s.st.remove(c, false)
			ok(struct{}{})
		default:
			fail(400, -1000, "Unknown method.")
		}
	})
}

// verifyWSParams checks a WebSocket API request signed as Binance's: the
// HMAC of the parameters (signature excluded) sorted by name.
func (s *Server) verifyWSParams(ctx context.Context, p map[string]any, ip netip.Addr) (uint64, int, string) {
	vals := url.Values{}
	for k, v := range p {
		switch x := v.(type) {
		case string:
			vals.Set(k, x)
		case float64:
			vals.Set(k, strconv.FormatInt(int64(x), 10))
		case bool:
			vals.Set(k, strconv.FormatBool(x))
		}
	}
	sig := vals.Get("signature")
	vals.Del("signature")
	k, found := s.v.LookupKey(vals.Get("apiKey"))
	if !found {
		return 0, -2014, "API-key format invalid."
	}
	ts, err := strconv.ParseInt(vals.Get("timestamp"), 10, 64)
	if err != nil {
		return 0, -1102, "Mandatory parameter 'timestamp' was not sent, was empty/null, or malformed."
	}
	rw := int64(5000)
	if v := vals.Get("recvWindow"); v != "" {
		if rw, err = strconv.ParseInt(v, 10, 64); err != nil || rw <= 0 || rw > 60000 {
			return 0, -1131, "recvWindow must be less than 60000"
		}
	}
	now := time.Now().UnixMilli()
	if ts > now+1000 || now-ts > rw {
		return 0, -1021, "Timestamp for this request is outside of the recvWindow."
	}
	if sig == "" || auth.VerifySignature(k.Secret, []byte(vals.Encode()), sig) != nil {
		s.v.AuditEvent(ctx, "bad_signature", k.UserID, "ws-api")
		return 0, -1022, "Signature for this request is not valid."
	}
	if !k.AllowIP.Allows(ip) || !k.Perms.Has(auth.PermRead) {
		return 0, -2015, "Invalid API-key, IP, or permissions for action."
	}
	return k.UserID, 0, ""
}
