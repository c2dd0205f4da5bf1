package rpc

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ballast-chain/ballast/internal/address"
	"github.com/ballast-chain/ballast/internal/params"
)

// Defaults of Config's zero values.
const (
	// DefaultMaxBodySize is the largest request body accepted, Core's 32 MiB
	// (enough for a batch of maximum-size hex blocks).
	DefaultMaxBodySize = 32 << 20
	// DefaultAuthFailureDelay is how long a request with wrong credentials
	// waits before its 401, as Core does against brute force.
	DefaultAuthFailureDelay = 250 * time.Millisecond
	// DefaultShutdownTimeout bounds how long Serve waits for requests in
	// flight once it is stopping.
	DefaultShutdownTimeout = 10 * time.Second
)

// Config configures a Server. Params is required; everything else has a
// documented zero value.
type Config struct {
	// Params is the network served: address prefix, MaxMoney, proof-of-work
	// limit (difficulty 1), default port.
	Params *params.Params
	// Listen lists host:port addresses for Run. Empty: 127.0.0.1 at the
	// network's RPC port.
	Listen []string
	// DataDir is the network's data directory (see DataDir). With no
	// Password the server writes the cookie file there when it starts and
	// removes it when it stops; DataDir is then required.
	DataDir string
	// User and Password, when Password is set, are accepted credentials
	// (Core's rpcuser/rpcpassword) and no cookie is written.
	User     string
	Password Secret
	// Auth lists Core's rpcauth entries, "user:salt$hash", each an
	// additional accepted credential.
	Auth []string
	// MaxBodySize bounds request bodies; 0 means DefaultMaxBodySize.
	MaxBodySize int64
	// AuthFailureDelay delays the answer to wrong credentials; 0 means
	// DefaultAuthFailureDelay, negative means no delay (tests).
	AuthFailureDelay time.Duration
	// ShutdownTimeout bounds the graceful shutdown; 0 means
	// DefaultShutdownTimeout.
	ShutdownTimeout time.Duration
	// Logger receives the server's logs; nil discards them. Credentials
	// are never logged.
	Logger *slog.Logger
	// OnStop is called (on its own goroutine, after the reply is sent)
	// when a client calls "stop". The server itself stops too.
	OnStop func()
	// Now is the clock for uptime; nil means time.Now.
	Now func() time.Time
	// Backends are what the chain-, mempool- and network-dependent methods
	// call; a method whose backend is nil is not registered.
	Backends Backends
}

// Validate checks the configuration.
func (c *Config) Validate() error {
	var errs []error
	if c.Params == nil {
		errs = append(errs, errors.New("rpc: Params is required"))
	} else if err := address.ValidateHRP(c.Params.Bech32HRP); err != nil {
		errs = append(errs, fmt.Errorf("rpc: network address prefix: %w", err))
	}
	if c.Password == "" && c.DataDir == "" {
		errs = append(errs, errors.New("rpc: DataDir is required for the cookie file when no Password is set"))
	}
	if c.Password != "" && strings.Contains(c.User, ":") {
		errs = append(errs, errors.New("rpc: User must not contain ':'"))
	}
	for _, a := range c.Auth {
		if _, err := parseRPCAuth(a); err != nil {
			errs = append(errs, fmt.Errorf("rpc: %w", err))
		}
	}
	for _, l := range c.Listen {
		if _, _, err := net.SplitHostPort(l); err != nil {
			errs = append(errs, fmt.Errorf("rpc: listen address %q: %w", l, err))
		}
	}
	if c.MaxBodySize < 0 {
		errs = append(errs, errors.New("rpc: MaxBodySize must not be negative"))
	}
	return errors.Join(errs...)
}

// Server is a JSON-RPC server. Create it with New, add methods with
// Register, and run it with Run (or Serve, or as an http.Handler).
type Server struct {
	cfg     Config
	log     *slog.Logger
	now     func() time.Time
	started time.Time

	mu      sync.RWMutex
	methods map[string]*Method

	creds  []credential
	cookie Secret // "" when Password is set

	warmup   atomic.Pointer[string]
	stopOnce sync.Once
	stopped  chan struct{}
}

// New returns a server for cfg with the standard methods registered: the
// control and utility methods always, the others when their backends are
// set.
func New(cfg Config) (*Server, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.MaxBodySize == 0 {
		cfg.MaxBodySize = DefaultMaxBodySize
	}
	if cfg.AuthFailureDelay == 0 {
		cfg.AuthFailureDelay = DefaultAuthFailureDelay
	}
	if cfg.ShutdownTimeout == 0 {
		cfg.ShutdownTimeout = DefaultShutdownTimeout
	}
	if len(cfg.Listen) == 0 {
		cfg.Listen = []string{net.JoinHostPort("127.0.0.1", strconv.Itoa(int(cfg.Params.RPCPort)))}
	}
	s := &Server{
		cfg:     cfg,
		log:     cfg.Logger,
		now:     cfg.Now,
		methods: make(map[string]*Method),
		stopped: make(chan struct{}),
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	s.started = s.now()
	if cfg.Password != "" {
		c, err := newCredential(cfg.User, cfg.Password)
		if err != nil {
			return nil, err
		}
		s.creds = append(s.creds, c)
	} else {
		cookie, err := newCookie()
		if err != nil {
			return nil, err
		}
		s.cookie = cookie
		c, err := newCredential(CookieUser, cookie)
		if err != nil {
			return nil, err
		}
		s.creds = append(s.creds, c)
	}
	for _, a := range cfg.Auth {
		c, _ := parseRPCAuth(a) // checked by Validate
		s.creds = append(s.creds, c)
	}
	for _, m := range s.controlMethods() {
		s.mustRegister(m)
	}
	for _, m := range standardMethods(&env{params: cfg.Params, b: cfg.Backends}, false) {
		s.mustRegister(m)
	}
	return s, nil
}

func (s *Server) mustRegister(m Method) {
	if err := s.Register(m); err != nil {
		panic(err) // the standard methods are fixed: a duplicate is a bug
	}
}

// Register adds a method. It fails for a duplicate name, an empty name or
// a missing handler. It is safe to call while the server runs.
func (s *Server) Register(m Method) error {
	if m.Name == "" || m.Handler == nil {
		return fmt.Errorf("rpc: method %q needs a name and a handler", m.Name)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, dup := s.methods[m.Name]; dup {
		return fmt.Errorf("rpc: method %q registered twice", m.Name)
	}
	s.methods[m.Name] = &m
	return nil
}

func (s *Server) lookup(name string) *Method {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.methods[name]
}

// SetWarmup makes every method but stop fail with CodeInWarmup and the
// given status (for example "Loading block index..."), as Core answers
// while it starts; an empty status ends the warm-up.
func (s *Server) SetWarmup(status string) {
	if status == "" {
		s.warmup.Store(nil)
		return
	}
	s.warmup.Store(&status)
}

// Run listens on the configured addresses and serves until ctx is done or
// a client calls stop; see Serve.
func (s *Server) Run(ctx context.Context) error {
	var lns []net.Listener
	var lc net.ListenConfig
	for _, addr := range s.cfg.Listen {
		ln, err := lc.Listen(ctx, "tcp", addr)
		if err != nil {
			for _, l := range lns {
				l.Close()
			}
			return fmt.Errorf("rpc: %w", err)
		}
		lns = append(lns, ln)
	}
	return s.Serve(ctx, lns...)
}

// Serve serves on the given listeners until ctx is done or a client calls
// stop, then shuts down gracefully: requests in flight see their context
// cancelled and are answered, waiting at most ShutdownTimeout. With cookie
// authentication it writes the cookie file first and removes it last.
func (s *Server) Serve(ctx context.Context, lns ...net.Listener) error {
	if len(lns) == 0 {
		return errors.New("rpc: no listener")
	}
	if s.cookie != "" {
		path, err := writeCookie(s.cfg.DataDir, s.cookie)
		if err != nil {
			for _, l := range lns {
				l.Close()
			}
			return err
		}
		s.log.Info("rpc cookie written", slog.String("path", path))
		defer func() {
			if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
				s.log.Warn("rpc cookie not removed", slog.String("path", path), slog.Any("error", err))
			}
		}()
	}
	reqCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	hs := &http.Server{
		Handler:           s,
		ReadHeaderTimeout: 30 * time.Second,
		BaseContext:       func(net.Listener) context.Context { return reqCtx },
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelDebug),
	}
	errc := make(chan error, len(lns))
	for _, ln := range lns {
		s.log.Info("rpc listening", slog.String("addr", ln.Addr().String()))
		go func() { errc <- hs.Serve(ln) }()
	}
	var err error
	select {
	case <-ctx.Done():
	case <-s.stopped:
	case err = <-errc:
		err = fmt.Errorf("rpc: %w", err)
	}
	cancel()
	shutCtx, shutCancel := context.WithTimeout(context.Background(), s.cfg.ShutdownTimeout)
	defer shutCancel()
	if serr := hs.Shutdown(shutCtx); serr != nil {
		hs.Close()
		s.log.Warn("rpc shutdown timed out", slog.Any("error", serr))
	}
	s.log.Info("rpc stopped")
	return err
}

// requestStop ends Serve, once.
func (s *Server) requestStop() {
	s.stopOnce.Do(func() {
		close(s.stopped)
		if s.cfg.OnStop != nil {
			go s.cfg.OnStop()
		}
	})
}

const wwwAuthenticate = `Basic realm="jsonrpc"`

// ServeHTTP answers one HTTP request: POST to "/" or "/wallet/<name>" with
// HTTP Basic credentials, a JSON-RPC request or batch in the body.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/" && !strings.HasPrefix(r.URL.Path, "/wallet/") {
		http.NotFound(w, r)
		return
	}
	if r.Method != http.MethodPost {
		w.WriteHeader(http.StatusMethodNotAllowed)
		io.WriteString(w, "JSONRPC server handles only POST requests")
		return
	}
	if r.Header.Get("Authorization") == "" {
		w.Header().Set("WWW-Authenticate", wwwAuthenticate)
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	user, ok := s.authorize(r)
	if !ok {
		s.log.Warn("rpc incorrect password attempt", slog.String("remote_addr", r.RemoteAddr))
		if d := s.cfg.AuthFailureDelay; d > 0 {
			t := time.NewTimer(d)
			select {
			case <-t.C:
			case <-r.Context().Done():
				t.Stop()
			}
		}
		w.Header().Set("WWW-Authenticate", wwwAuthenticate)
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.cfg.MaxBodySize))
	if err != nil {
		var tooBig *http.MaxBytesError
		if !errors.As(err, &tooBig) {
			s.log.Debug("rpc request body unreadable", slog.String("remote_addr", r.RemoteAddr), slog.Any("error", err))
			return
		}
		e := Errorf(CodeInvalidRequest, "Request body exceeds the limit of %d bytes", s.cfg.MaxBodySize)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusRequestEntityTooLarge)
		w.Write(encodeReply(1, nil, nil, e))
		return
	}
	res := s.handle(r.Context(), body, r.URL.EscapedPath(), user)
	if res.status == http.StatusNoContent {
		w.WriteHeader(res.status)
	} else {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(res.status)
		w.Write(res.body)
	}
	for _, f := range res.after {
		f()
	}
}

// authorize checks the Basic credentials against every accepted one,
// without stopping at the first match, so timing says nothing of which
// part was wrong.
func (s *Server) authorize(r *http.Request) (string, bool) {
	user, pass, ok := r.BasicAuth()
	if !ok {
		return "", false
	}
	matched := false
	for i := range s.creds {
		if s.creds[i].matches(user, pass) {
			matched = true
		}
	}
	return user, matched
}
