package api

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/ballast-chain/ballast/internal/auth"
	"github.com/ballast-chain/ballast/internal/venue"
)

// AdminConfig configures the admin endpoint: JSON over HTTP on a loopback
// address, every request bearing the token (kept in a 0600 file in the
// data directory by the CLI). Every action is audited by the venue.
type AdminConfig struct {
	// Listen must be a loopback address, e.g. "127.0.0.1:0". Required.
	Listen string
	// Token authenticates requests (at least 32 characters). Required.
	Token auth.Secret
	// Logger; nil means slog.Default().
	Logger *slog.Logger
}

// Validate checks the configuration.
func (c *AdminConfig) Validate() error {
	host, _, err := net.SplitHostPort(c.Listen)
	if err != nil {
		return fmt.Errorf("api: admin listen address: %w", err)
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return errors.New("api: the admin endpoint listens on a loopback address only")
	}
	if len(c.Token) < 32 {
		return errors.New("api: admin token must be at least 32 characters")
	}
	return nil
}

// Admin is the running venue's admin endpoint.
type Admin struct {
	cfg AdminConfig
	v   *venue.Venue
	ln  net.Listener
}

// NewAdmin listens on cfg.Listen.
func NewAdmin(cfg AdminConfig, v *venue.Venue) (*Admin, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return nil, err
	}
	return &Admin{cfg: cfg, v: v, ln: ln}, nil
}

// Addr is the bound address.
func (a *Admin) Addr() string { return a.ln.Addr().String() }

// Run serves until ctx ends.
func (a *Admin) Run(ctx context.Context) error {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /admin/market", a.wrap(a.market))
	mux.HandleFunc("POST /admin/transfer", a.wrap(a.transfer))
	mux.HandleFunc("POST /admin/user", a.wrap(a.user))
	mux.HandleFunc("POST /admin/apikey", a.wrap(a.apiKey))
	mux.HandleFunc("GET /admin/audit", a.wrap(func(ctx context.Context, _ json.RawMessage) (any, error) { return a.v.Audit(ctx) }))
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		sc, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sc)
	}()
	if err := srv.Serve(a.ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func (a *Admin) wrap(fn func(ctx context.Context, body json.RawMessage) (any, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		tok := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		if subtle.ConstantTimeCompare([]byte(tok), []byte(a.cfg.Token.Reveal())) != 1 {
			a.v.AuditEvent(r.Context(), "admin_denied", 0, clientIP(r).String())
			writeJSON(w, 401, map[string]string{"error": "bad admin token"})
			return
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<16))
		if err != nil {
			writeJSON(w, 400, map[string]string{"error": err.Error()})
			return
		}
		out, err := fn(r.Context(), body)
		if err != nil {
			writeJSON(w, 400, map[string]string{"error": err.Error()})
			return
		}
		writeJSON(w, 200, out)
	}
}

func (a *Admin) market(ctx context.Context, body json.RawMessage) (any, error) {
	var s venue.MarketSpec
	if err := json.Unmarshal(body, &s); err != nil {
		return nil, err
	}
	if err := a.v.CreateMarket(ctx, s); err != nil {
		return nil, err
	}
	return map[string]string{"symbol": s.Symbol}, nil
}

// TransferRequest credits (positive) or debits (negative) a user.
type TransferRequest struct {
	User   uint64 `json:"user"`
	Asset  string `json:"asset"`
	Amount string `json:"amount"` // decimal, in the asset's units
	Reason string `json:"reason"`
}

func (a *Admin) transfer(ctx context.Context, body json.RawMessage) (any, error) {
	var t TransferRequest
	if err := json.Unmarshal(body, &t); err != nil {
		return nil, err
	}
	dec, ok := a.v.AssetDecimals(t.Asset)
	if !ok {
		return nil, fmt.Errorf("asset %q is listed in no market", t.Asset)
	}
	neg := strings.HasPrefix(t.Amount, "-")
	n, ok := venue.ParseFixed(strings.TrimPrefix(t.Amount, "-"), dec)
	if !ok || n == 0 {
		return nil, fmt.Errorf("amount %q: want a non-zero decimal with at most %d decimals", t.Amount, dec)
	}
	if neg {
		n = -n
	}
	if t.Reason == "" {
		t.Reason = "admin"
	}
	if err := a.v.Transfer(ctx, t.User, t.Asset, n, t.Reason); err != nil {
		return nil, err
	}
	return map[string]any{"user": t.User, "asset": t.Asset, "amount": t.Amount}, nil
}

func (a *Admin) user(ctx context.Context, body json.RawMessage) (any, error) {
	var u struct{ Email, Password string }
	if err := json.Unmarshal(body, &u); err != nil {
		return nil, err
	}
	id, err := a.v.SignUp(ctx, u.Email, u.Password)
	if err != nil {
		return nil, err
	}
	return map[string]uint64{"user": id}, nil
}

func (a *Admin) apiKey(ctx context.Context, body json.RawMessage) (any, error) {
	var k struct {
		User                uint64
		Label, Perms, Allow string
	}
	if err := json.Unmarshal(body, &k); err != nil {
		return nil, err
	}
	if k.Perms == "" {
		k.Perms = "read,trade"
	}
	perms, err := auth.ParsePermissions(k.Perms)
	if err != nil {
		return nil, err
	}
	allow, err := auth.ParseAllowList(k.Allow)
	if err != nil {
		return nil, err
	}
	key, sec, err := a.v.CreateAPIKey(ctx, k.User, k.Label, perms, allow)
	if err != nil {
		return nil, err
	}
	return map[string]string{"apiKey": key, "secret": sec.Reveal()}, nil
}
