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

// outMsg is one encoded event shared by every subscriber.
type outMsg struct {
	raw    []byte
	stream string // market stream name; "" for user events
	user   bool
}

// wsConn is one WebSocket connection: market subscriptions, optionally one
// account's user data, and a bounded send queue.
type wsConn struct {
	st       *streams
	c        *websocket.Conn
	combined bool // /stream: wrap as {"stream","data"}
	wsAPI    bool // /ws-api/v3: user events as {"subscriptionId","event"}
	lkName   string
	q        chan []byte
	ctrl     chan []byte
	once     sync.Once
	gone     chan struct{}
	reason   string

	mu   sync.Mutex
	subs map[string]bool
	user uint64
}

// offer queues msg or, if the queue is full, drops the slow connection.
func (c *wsConn) offer(m *outMsg) {
	var b []byte
	switch {
	case m.user && c.wsAPI:
		b = append(append([]byte(`{"subscriptionId":0,"event":`), m.raw...), '}')
	case m.user && c.combined:
		b = append(append([]byte(`{"stream":"`+c.lkName+`","data":`), m.raw...), '}')
	case c.combined:
		b = append(append([]byte(`{"stream":"`+m.stream+`","data":`), m.raw...), '}')
	default:
		b = m.raw
	}
	select {
	case c.q <- b:
	default:
		c.drop("slow consumer")
	}
}

func (c *wsConn) drop(reason string) {
	c.once.Do(func() {
		c.reason = reason
		close(c.gone)
	})
}

func (c *wsConn) reply(v any) {
	b, _ := json.Marshal(v)
	select {
	case c.ctrl <- b:
	default:
		c.drop("too many requests")
	}
}

func (s *Server) accept(w http.ResponseWriter, r *http.Request, combined, wsAPI bool) (*wsConn, bool) {
	if s.st.conns.Load() >= int64(s.cfg.MaxStreamConns) {
		writeErr(w, 429, -1003, "Too many WebSocket connections.")
		return nil, false
	}
	wc, err := websocket.Accept(w, r, &websocket.AcceptOptions{InsecureSkipVerify: true})
	if err != nil {
		return nil, false
	}
	wc.SetReadLimit(1 << 16)
	c := &wsConn{st: s.st, c: wc, combined: combined, wsAPI: wsAPI, q: make(chan []byte, s.cfg.StreamQueue),
		ctrl: make(chan []byte, 16), gone: make(chan struct{}), subs: map[string]bool{}}
	s.st.conns.Add(1)
	return c, true
}

// serveConn runs a connection: a reader handling requests and a writer
// draining the queue, with a ping every 20 s; it returns when either ends.
func (s *Server) serveConn(ctx context.Context, c *wsConn, handle func(ctx context.Context, msg []byte)) {
	defer s.st.conns.Add(-1)
	defer s.st.remove(c)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		defer c.drop("read closed")
		for {
			_, msg, err := c.c.Read(ctx)
			if err != nil {
				return
			}
			handle(ctx, msg)
		}
	}()
	ping := time.NewTicker(20 * time.Second)
	defer ping.Stop()
	write := func(b []byte) bool {
		wctx, wcancel := context.WithTimeout(ctx, 10*time.Second)
		defer wcancel()
		return c.c.Write(wctx, websocket.MessageText, b) == nil
	}
	for {
		select {
		case <-ctx.Done():
			_ = c.c.Close(websocket.StatusGoingAway, "server shutting down")
			return
		case <-c.gone:
			if c.reason == "read closed" {
				c.c.CloseNow()
			} else {
				_ = c.c.Close(websocket.StatusPolicyViolation, c.reason)
			}
			return
		case b := <-c.ctrl:
			if !write(b) {
				c.c.CloseNow()
				return
			}
		case b := <-c.q:
			if !write(b) {
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
	s.serveConn(r.Context(), c, func(_ context.Context, msg []byte) { s.streamRequest(c, msg) })
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
	s.serveConn(r.Context(), c, func(ctx context.Context, msg []byte) {
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
			s.st.remove(c)
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
