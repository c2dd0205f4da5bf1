package api

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ballast-chain/ballast/internal/auth"
	"github.com/ballast-chain/ballast/internal/venue"
)

// Config configures the API server.
type Config struct {
	// Listen is the TCP address, e.g. "127.0.0.1:8090". Required.
	Listen string
	// WeightPerMinute is the request weight limit per IP (0 means 6000).
	WeightPerMinute int
	// OrdersPer10s is the order limit per account (0 means 100000).
	OrdersPer10s int
	// MaxStreamConns bounds WebSocket connections (0 means 20000).
	MaxStreamConns int
	// StreamQueue is each connection's send queue in messages (0 means
	// 256); a connection whose queue is full is dropped, so memory stays
	// bounded by MaxStreamConns × StreamQueue × message size.
	StreamQueue int
	// Logger; nil means slog.Default().
	Logger *slog.Logger
}

// Validate checks the configuration.
func (c *Config) Validate() error {
	if c.Listen == "" {
		return errors.New("api: Listen is required")
	}
	return nil
}

// Server is the REST API.
type Server struct {
	cfg Config
	v   *venue.Venue
	log *slog.Logger
	rl  *limiter
	ln  net.Listener
	st  *streams

	hashSem chan struct{}

	lkMu       sync.Mutex
	listenKeys map[string]listenKey
}

// New listens on cfg.Listen (so the address is known before Run).
func New(cfg Config, v *venue.Venue) (*Server, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.WeightPerMinute == 0 {
		cfg.WeightPerMinute = 6000
	}
	if cfg.OrdersPer10s == 0 {
		cfg.OrdersPer10s = 100_000
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.MaxStreamConns == 0 {
		cfg.MaxStreamConns = 20000
	}
	if cfg.StreamQueue == 0 {
		cfg.StreamQueue = 256
	}
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, v: v, log: cfg.Logger, rl: newLimiter(), ln: ln, listenKeys: map[string]listenKey{},
		hashSem: make(chan struct{}, hashSlots)}
	s.st = newStreams(s)
	return s, nil
}

// Addr is the bound address.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Run serves until ctx ends. Connections start on the front (orderfront.go),
// which serves the REST endpoints itself and hands every other connection
// to net/http.
func (s *Server) Run(ctx context.Context) error {
	slow := newHandoffListener(s.ln.Addr())
	srv := &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 10 * time.Second,
		BaseContext: func(net.Listener) context.Context { return ctx }}
	cancel := s.v.Subscribe(s.st.onUpdate)
	defer cancel()
	done := make(chan struct{})
	defer close(done)
	go s.st.run(done)
	f := newFront(ctx, s, slow)
	go func() {
		if err := f.serve(s.ln); ctx.Err() == nil {
			slow.fail(err)
		}
	}()
	go func() {
		<-ctx.Done()
		_ = s.ln.Close()
		f.close()
		sc, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sc)
	}()
	if err := srv.Serve(slow); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

type endpoint struct {
	weight  int
	signed  bool
	keyOnly bool // X-MBX-APIKEY without a signature (userDataStream)
	perm    auth.Permission
	order   bool
	fn      func(r *request) (any, error)
}

// request is one API call's parsed parameters and identity.
type request struct {
	ctx     context.Context
	params  url.Values
	account uint64
	ip      netip.Addr
	user    string // Authorization header (session endpoints)
}

// Handler returns the HTTP handler.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	for path, e := range s.routes() {
		mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) { s.serve(w, r, e) })
	}
	for path, e := range s.userRoutes() {
		mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) { s.serveUser(w, r, e) })
	}
	mux.HandleFunc("GET /ws", s.serveStreams)
	mux.HandleFunc("GET /ws/", s.serveStreams)
	mux.HandleFunc("GET /stream", s.serveStreams)
	mux.HandleFunc("GET /ws-api/v3", s.serveWSAPI)
	return mux
}

// rawJSON is a response body already encoded (hot paths build it by
// hand instead of through reflection).
type rawJSON []byte

var contentTypeJSON = []string{"application/json;charset=UTF-8"}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header()["Content-Type"] = contentTypeJSON
	if b, ok := v.(rawJSON); ok {
		w.Header()["Content-Length"] = []string{strconv.Itoa(len(b))}
		w.WriteHeader(status)
		_, _ = w.Write(b)
		return
	}
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// ackJSON encodes Binance's ACK order response:
// {"symbol","orderId","orderListId":-1,"clientOrderId","transactTime"}.
func ackJSON(o *venue.Order) rawJSON {
	b := make([]byte, 0, 160)
	b = append(b, `{"symbol":`...)
	b = appendJSONString(b, o.Symbol)
	b = append(b, `,"orderId":`...)
	b = strconv.AppendUint(b, o.ID, 10)
	b = append(b, `,"orderListId":-1,"clientOrderId":`...)
	b = appendJSONString(b, o.ClientOrderID)
	b = append(b, `,"transactTime":`...)
	b = strconv.AppendInt(b, o.TimeMS, 10)
	return append(b, '}', '\n')
}

// appendJSONString quotes s as JSON; client order ids are short printable
// ASCII, anything else goes through encoding/json.
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			q, _ := json.Marshal(s)
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

func writeErr(w http.ResponseWriter, status, code int, msg string) {
	writeJSON(w, status, map[string]any{"code": code, "msg": msg})
}

// admit charges the request's weight to its IP and answers 429/418 when
// over the limit.
func (s *Server) admit(w http.ResponseWriter, r *http.Request, ip netip.Addr, weight int) bool {
	used, status := s.rl.weigh(ip, weight, s.cfg.WeightPerMinute)
	// Canonical keys assigned directly: Header.Set would canonicalise
	// them on every request.
	w.Header()["X-Mbx-Used-Weight-1m"] = []string{strconv.Itoa(used)}
	switch status {
	case http.StatusTooManyRequests:
		w.Header().Set("Retry-After", "60")
		writeErr(w, 429, -1003, "Too many requests; please use the websocket for live updates.")
		return false
	case http.StatusTeapot:
		s.v.AuditEvent(r.Context(), "ip_banned", 0, ip.String())
		w.Header().Set("Retry-After", "120")
		writeErr(w, 418, -1003, "Way too many requests; IP banned.")
		return false
	}
	return true
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request, e endpoint) {
	ip := clientIP(r)
	if !s.admit(w, r, ip, e.weight) {
		return
	}
	var body []byte
	if r.ContentLength != 0 { // unknown (-1) or some
		var err error
		body, err = io.ReadAll(io.LimitReader(r.Body, 1<<16))
		if err != nil {
			writeErr(w, 400, -1000, "An unknown error occurred while processing the request.")
			return
		}
	}
	// Query parameters first, then the body's, as Binance reads them.
	q := make(url.Values, 16)
	if parseQuery(q, r.URL.RawQuery) != nil || parseQuery(q, string(body)) != nil {
		writeErr(w, 400, -1100, "Illegal characters found in a parameter.")
		return
	}
	req := &request{ctx: r.Context(), params: q, ip: ip, user: r.Header.Get("Authorization")}
	if e.keyOnly {
		k, ok := s.v.LookupKey(apiKeyHeader(r))
		if !ok {
			writeErr(w, 401, -2014, "API-key format invalid.")
			return
		}
		if !k.AllowIP.Allows(ip) {
			s.v.KeyDenied(r.Context(), k, ip, "ip not allowed")
			writeErr(w, 401, -2015, "Invalid API-key, IP, or permissions for action.")
			return
		}
		req.account = k.UserID
	}
	if e.signed {
		acct, code, msg := s.verify(r, q, body, ip, e.perm)
		if code != 0 {
			status := 400
			if code == -2015 || code == -2014 {
				status = 401
			}
			writeErr(w, status, code, msg)
			return
		}
		req.account = acct
		if e.order {
			n, ok := s.rl.order(acct, s.cfg.OrdersPer10s)
			w.Header()["X-Mbx-Order-Count-10s"] = []string{strconv.Itoa(n)}
			if !ok {
				writeErr(w, 429, -1015, "Too many new orders; current limit is "+strconv.Itoa(s.cfg.OrdersPer10s)+" orders per 10 SECOND.")
				return
			}
		}
	}
	out, err := e.fn(req)
	if err != nil {
		var ae *venue.APIError
		if errors.As(err, &ae) {
			status := 400
			if ae.Code == -1008 { // overloaded
				status = 503
			}
			writeErr(w, status, ae.Code, ae.Msg)
			return
		}
		s.log.Error("api request failed", "path", r.URL.Path, "err", err)
		writeErr(w, 500, -1000, "An unknown error occurred while processing the request.")
		return
	}
	writeJSON(w, 200, out)
}

// verify checks Binance's signature scheme: the HMAC-SHA256 of the query
// string concatenated with the body (signature parameter removed), keyed by
// the API secret; timestamp within recvWindow.
func (s *Server) verify(r *http.Request, q url.Values, body []byte, ip netip.Addr, perm auth.Permission) (uint64, int, string) {
	k, ok := s.v.LookupKey(apiKeyHeader(r))
	if !ok {
		return 0, -2014, "API-key format invalid."
	}
	if !k.AllowIP.Allows(ip) || !k.Perms.Has(perm) {
		why := "permission " + perm.String()
		if !k.AllowIP.Allows(ip) {
			why = "ip not allowed"
		}
		s.v.KeyDenied(r.Context(), k, ip, why)
		return 0, -2015, "Invalid API-key, IP, or permissions for action."
	}
	sig := q.Get("signature")
	var buf [512]byte
	payload := appendStripped(buf[:0], r.URL.RawQuery)
	if len(body) > 0 {
		payload = appendStripped(payload, string(body))
	}
	ts, err := strconv.ParseInt(q.Get("timestamp"), 10, 64)
	if err != nil {
		return 0, -1102, "Mandatory parameter 'timestamp' was not sent, was empty/null, or malformed."
	}
	rw := int64(5000)
	if v := q.Get("recvWindow"); v != "" {
		rw, err = strconv.ParseInt(v, 10, 64)
		if err != nil || rw <= 0 || rw > 60000 {
			return 0, -1131, "recvWindow must be less than 60000"
		}
	}
	now := time.Now().UnixMilli()
	if ts > now+1000 || now-ts > rw {
		return 0, -1021, "Timestamp for this request is outside of the recvWindow."
	}
	if sig == "" || !k.VerifySignature(payload, sig) {
		s.v.AuditEvent(r.Context(), "bad_signature", k.UserID, ip.String())
		return 0, -1022, "Signature for this request is not valid."
	}
	return k.UserID, 0, ""
}

// apiKeyHeader is r.Header.Get("X-MBX-APIKEY") without canonicalising
// the name on every request.
func apiKeyHeader(r *http.Request) string {
	if v := r.Header["X-Mbx-Apikey"]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// appendStripped appends the raw query without its signature=... pair.
func appendStripped(out []byte, raw string) []byte {
	start := len(out)
	for len(raw) > 0 {
		var part string
		i := 0
		for i < len(raw) && raw[i] != '&' {
			i++
		}
		part, raw = raw[:i], raw[i:]
		if len(raw) > 0 {
			raw = raw[1:]
		}
		if len(part) >= 10 && part[:10] == "signature=" {
			continue
		}
		if len(out) > start {
			out = append(out, '&')
		}
		out = append(out, part...)
	}
	return out
}

// parseQuery adds the pairs of a raw query to q as url.ParseQuery does
// (same unescaping, same refusal of ';'), but fills the values of all keys
// from one slice instead of allocating one per key.
func parseQuery(q url.Values, raw string) error {
	if raw == "" {
		return nil
	}
	n := 1
	for i := 0; i < len(raw); i++ {
		if raw[i] == '&' {
			n++
		}
	}
	vals := make([]string, 0, n)
	for raw != "" {
		var kv string
		kv, raw, _ = strings.Cut(raw, "&")
		if kv == "" {
			continue
		}
		if strings.Contains(kv, ";") {
			return errors.New("invalid semicolon separator in query")
		}
		k, v, _ := strings.Cut(kv, "=")
		k, err := url.QueryUnescape(k)
		if err != nil {
			return err
		}
		v, err = url.QueryUnescape(v)
		if err != nil {
			return err
		}
		if old, ok := q[k]; ok {
			q[k] = append(old, v)
			continue
		}
		vals = append(vals, v)
		q[k] = vals[len(vals)-1 : len(vals) : len(vals)]
	}
	return nil
}

func clientIP(r *http.Request) netip.Addr {
	ap, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		return netip.Addr{}
	}
	return ap.Addr().Unmap()
}

// limiter counts request weight per IP per minute and orders per account
// per 10 s (fixed windows); after repeated 429s in a window an IP is
// banned (418). Counters are atomics in per-key records, so concurrent
// requests do not serialise on a lock.
type limiter struct {
	ips   sync.Map // netip.Addr -> *ipLimit
	accts sync.Map // uint64 -> *window
	sweep atomic.Int64
	nowFn func() time.Time
}

type window struct {
	win atomic.Int64
	n   atomic.Int64
}

// add counts w in the window win, starting the count afresh when the
// window moved on.
func (c *window) add(win, w int64) int64 {
	if old := c.win.Load(); old != win && c.win.CompareAndSwap(old, win) {
		c.n.Store(0)
	}
	return c.n.Add(w)
}

type ipLimit struct {
	weight window
	over   window
	banned atomic.Int64 // unix seconds
}

func newLimiter() *limiter { return &limiter{nowFn: time.Now} }

func (l *limiter) weigh(ip netip.Addr, w, limit int) (int, int) {
	now := l.nowFn().Unix()
	v, ok := l.ips.Load(ip)
	if !ok {
		l.prune(now)
		v, _ = l.ips.LoadOrStore(ip, &ipLimit{})
	}
	st := v.(*ipLimit)
	if now < st.banned.Load() {
		return int(st.weight.n.Load()), http.StatusTeapot
	}
	used := st.weight.add(now/60, int64(w))
	if used > int64(limit) {
		if st.over.add(now/60, 1) > 10 {
			st.banned.Store(now + 120)
			return int(used), http.StatusTeapot
		}
		return int(used), http.StatusTooManyRequests
	}
	return int(used), http.StatusOK
}

// prune drops, once a minute, the records of IPs idle for a window and
// not banned, so the map stays bounded by the active addresses.
func (l *limiter) prune(now int64) {
	last := l.sweep.Load()
	if now/60 == last || !l.sweep.CompareAndSwap(last, now/60) {
		return
	}
	l.ips.Range(func(k, v any) bool {
		st := v.(*ipLimit)
		if st.weight.win.Load() < now/60-1 && st.banned.Load() <= now {
			l.ips.Delete(k)
		}
		return true
	})
}

func (l *limiter) order(acct uint64, limit int) (int, bool) {
	win := l.nowFn().Unix() / 10
	v, ok := l.accts.Load(acct)
	if !ok {
		v, _ = l.accts.LoadOrStore(acct, &window{})
	}
	n := v.(*window).add(win, 1)
	return int(n), n <= int64(limit)
}
