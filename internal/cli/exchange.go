package cli

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/ballast-chain/ballast/internal/api"
	"github.com/ballast-chain/ballast/internal/auth"
	"github.com/ballast-chain/ballast/internal/exchangedb"
	"github.com/ballast-chain/ballast/internal/matching"
	"github.com/ballast-chain/ballast/internal/venue"
)

func exchangeCommand() command {
	return command{
		name:    "exchange",
		summary: "run the exchange venue (Binance-compatible API); 'exchange admin' manages a running one",
		run:     runExchange,
	}
}

// Files the exchange keeps in its data directory.
const (
	exchangeMasterKeyFile = "master.key"  // encrypts API secrets at rest
	exchangeAdminToken    = "admin.token" // bearer token of the admin endpoint
	exchangeAdminAddr     = "admin.addr"  // where the running venue's admin endpoint listens
)

// exchangeOptions are what ballast exchange and the devnet set.
type exchangeOptions struct {
	dataDir, listen, adminListen string
	db                           exchangedb.Config
	log                          *slog.Logger
}

// exchangeService is a venue with its API and admin endpoints, bound.
type exchangeService struct {
	v     *venue.Venue
	api   *api.Server
	admin *api.Admin
	dir   string
}

func openExchange(ctx context.Context, o exchangeOptions) (*exchangeService, error) {
	if err := os.MkdirAll(o.dataDir, 0o700); err != nil {
		return nil, err
	}
	key, err := readOrCreateSecret(filepath.Join(o.dataDir, exchangeMasterKeyFile), 32)
	if err != nil {
		return nil, err
	}
	tok, err := readOrCreateSecret(filepath.Join(o.dataDir, exchangeAdminToken), 32)
	if err != nil {
		return nil, err
	}
	if o.db.DSN == "" {
		o.db.DSN = exchangedb.DSN(filepath.Join(o.dataDir, "exchange.db"))
	}
	v, err := venue.Open(ctx, venue.Config{DataDir: o.dataDir, DB: o.db, MasterKey: key, Logger: o.log})
	if err != nil {
		return nil, err
	}
	srv, err := api.New(api.Config{Listen: o.listen, Logger: o.log}, v)
	if err != nil {
		v.Close()
		return nil, err
	}
	adm, err := api.NewAdmin(api.AdminConfig{Listen: o.adminListen, Token: auth.Secret(hex.EncodeToString(tok)), Logger: o.log}, v)
	if err != nil {
		v.Close()
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(o.dataDir, exchangeAdminAddr), []byte(adm.Addr()+"\n"), 0o600); err != nil {
		v.Close()
		return nil, err
	}
	return &exchangeService{v: v, api: srv, admin: adm, dir: o.dataDir}, nil
}

// Run serves until ctx ends, the venue last to stop.
func (e *exchangeService) Run(ctx context.Context) error {
	g, gctx := errgroup.WithContext(ctx)
	vctx, vcancel := context.WithCancel(context.Background())
	defer vcancel()
	vdone := make(chan error, 1)
	go func() { vdone <- e.v.Run(vctx) }()
	g.Go(func() error { return e.api.Run(gctx) })
	g.Go(func() error { return e.admin.Run(gctx) })
	err := g.Wait()
	_ = os.Remove(filepath.Join(e.dir, exchangeAdminAddr))
	vcancel()
	if verr := <-vdone; err == nil {
		err = verr
	}
	return err
}

// readOrCreateSecret returns n random bytes kept in path (mode 0600),
// creating them on first use.
func readOrCreateSecret(path string, n int) ([]byte, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		b = make([]byte, n)
		if _, err := rand.Read(b); err != nil {
			return nil, err
		}
		return b, os.WriteFile(path, []byte(hex.EncodeToString(b)), 0o600)
	}
	if err != nil {
		return nil, err
	}
	out, err := hex.DecodeString(strings.TrimSpace(string(b)))
	if err != nil || len(out) != n {
		return nil, fmt.Errorf("%s: want %d hex-encoded bytes", path, n)
	}
	return out, nil
}

func defaultExchangeDir() string {
	home, err := os.UserHomeDir()
	if err != nil {
		return ".ballast-exchange"
	}
	return filepath.Join(home, ".ballast", "exchange")
}

func runExchange(ctx context.Context, args []string, env Env) error {
	if len(args) > 0 && args[0] == "admin" {
		return runExchangeAdmin(ctx, args[1:], env)
	}
	fs := newFlagSet("exchange", env)
	dir := fs.String("datadir", defaultExchangeDir(), "data directory (journals, SQLite database, keys)")
	listen := fs.String("listen", "127.0.0.1:8090", "REST and WebSocket API address")
	adminListen := fs.String("admin", "127.0.0.1:0", "admin endpoint address (loopback only; written to <datadir>/admin.addr)")
	db := fs.String("db", "sqlite", "database: sqlite or postgres")
	dsn := fs.String("dsn", "", "PostgreSQL connection string, or SQLite file (default <datadir>/exchange.db)")
	level := fs.String("loglevel", "info", "log level: debug, info, warn, error")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(*level)); err != nil {
		return fmt.Errorf("%w: -loglevel: %v", errUsage, err)
	}
	cfg := exchangedb.Config{Driver: exchangedb.Driver(*db), DSN: exchangedb.DSN(*dsn)}
	if cfg.Driver == exchangedb.Postgres && *dsn == "" {
		return fmt.Errorf("%w: -db postgres needs -dsn", errUsage)
	}
	if cfg.Driver != exchangedb.SQLite && cfg.Driver != exchangedb.Postgres {
		return fmt.Errorf("%w: -db must be sqlite or postgres", errUsage)
	}
	log := slog.New(slog.NewTextHandler(env.Stderr, &slog.HandlerOptions{Level: lv}))
	e, err := openExchange(ctx, exchangeOptions{dataDir: *dir, listen: *listen, adminListen: *adminListen, db: cfg, log: log})
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "Ballast exchange\n  API        http://%s/api/v3/  ws://%s/ws\n  admin      http://%s/ (token in %s)\n",
		e.api.Addr(), e.api.Addr(), e.admin.Addr(), filepath.Join(*dir, exchangeAdminToken))
	return e.Run(ctx)
}

// adminClient talks to a running venue's admin endpoint.
type adminClient struct {
	base  string
	token string
	http  *http.Client
}

func newAdminClient(dir string) (*adminClient, error) {
	addr, err := os.ReadFile(filepath.Join(dir, exchangeAdminAddr))
	if err != nil {
		return nil, fmt.Errorf("no running exchange in %s (%w)", dir, err)
	}
	tok, err := os.ReadFile(filepath.Join(dir, exchangeAdminToken))
	if err != nil {
		return nil, err
	}
	return &adminClient{base: "http://" + strings.TrimSpace(string(addr)), token: strings.TrimSpace(string(tok)),
		http: &http.Client{Timeout: 30 * time.Second}}, nil
}

func (c *adminClient) call(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, body)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<24))
	if err != nil {
		return err
	}
	if resp.StatusCode != 200 {
		var e struct{ Error string }
		_ = json.Unmarshal(b, &e)
		return fmt.Errorf("admin %s: %s", path, e.Error)
	}
	if out != nil {
		return json.Unmarshal(b, out)
	}
	return nil
}

const exchangeAdminUsage = `usage: ballast exchange admin [-datadir DIR] <action> [flags]
actions:
  create-market -symbol S -base B -quote Q [-base-decimals 8 -quote-decimals 8 -price-decimals 2 -qty-decimals 5 -maker-fee-ppm 1000 -taker-fee-ppm 1000]
  credit -user ID -asset A -amount DECIMAL [-reason R]
  debit  -user ID -asset A -amount DECIMAL [-reason R]
  create-user -email E -password P
  create-apikey -user ID [-label L -perms read,trade -allow CIDR,...]
  audit
`

func runExchangeAdmin(ctx context.Context, args []string, env Env) error {
	fs := newFlagSet("exchange admin", env)
	dir := fs.String("datadir", defaultExchangeDir(), "the running exchange's data directory")
	fs.Usage = func() { fmt.Fprint(env.Stderr, exchangeAdminUsage) }
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if fs.NArg() == 0 {
		fmt.Fprint(env.Stderr, exchangeAdminUsage)
		return fmt.Errorf("%w: an action is required", errUsage)
	}
	action, rest := fs.Arg(0), fs.Args()[1:]
	af := newFlagSet("exchange admin "+action, env)
	var req any
	var path string
	method := "POST"
	switch action {
	case "create-market":
		s := venue.MarketSpec{Engine: matching.DefaultConfig()}
		af.StringVar(&s.Symbol, "symbol", "", "market symbol, e.g. BLSTTUSD")
		af.StringVar(&s.Base, "base", "", "base asset")
		af.StringVar(&s.Quote, "quote", "", "quote asset")
		af.IntVar(&s.BaseDecimals, "base-decimals", 8, "base asset ledger decimals")
		af.IntVar(&s.QuoteDecimals, "quote-decimals", 8, "quote asset ledger decimals")
		af.IntVar(&s.PriceDecimals, "price-decimals", 2, "price decimals (tick 10^-n)")
		af.IntVar(&s.QtyDecimals, "qty-decimals", 5, "quantity decimals (step 10^-n)")
		maker := af.Int64("maker-fee-ppm", -1, "maker fee in parts per million (default: the engine's)")
		taker := af.Int64("taker-fee-ppm", -1, "taker fee in parts per million (default: the engine's)")
		if err := parseFlags(af, rest); err != nil {
			return err
		}
		if *maker >= 0 {
			s.Engine.MakerFeePPM = uint32(*maker)
		}
		if *taker >= 0 {
			s.Engine.TakerFeePPM = uint32(*taker)
		}
		req, path = s, "/admin/market"
	case "credit", "debit":
		var t api.TransferRequest
		af.Uint64Var(&t.User, "user", 0, "user id")
		af.StringVar(&t.Asset, "asset", "", "asset")
		af.StringVar(&t.Amount, "amount", "", "amount (decimal)")
		af.StringVar(&t.Reason, "reason", "admin "+action, "reason, kept in the audit log")
		if err := parseFlags(af, rest); err != nil {
			return err
		}
		if action == "debit" {
			t.Amount = "-" + t.Amount
		}
		req, path = t, "/admin/transfer"
	case "create-user":
		var u struct{ Email, Password string }
		af.StringVar(&u.Email, "email", "", "e-mail")
		af.StringVar(&u.Password, "password", "", "password (at least 8 characters)")
		if err := parseFlags(af, rest); err != nil {
			return err
		}
		req, path = u, "/admin/user"
	case "create-apikey":
		var k struct {
			User                uint64
			Label, Perms, Allow string
		}
		af.Uint64Var(&k.User, "user", 0, "user id")
		af.StringVar(&k.Label, "label", "", "label")
		af.StringVar(&k.Perms, "perms", "read,trade", "permissions: read,trade[,withdraw]")
		af.StringVar(&k.Allow, "allow", "", "IP allow-list (CIDRs, comma-separated; empty: any)")
		if err := parseFlags(af, rest); err != nil {
			return err
		}
		req, path = k, "/admin/apikey"
	case "audit":
		if err := parseFlags(af, rest); err != nil {
			return err
		}
		method, path = "GET", "/admin/audit"
	default:
		fmt.Fprint(env.Stderr, exchangeAdminUsage)
		return fmt.Errorf("%w: unknown action %q", errUsage, action)
	}
	c, err := newAdminClient(*dir)
	if err != nil {
		return err
	}
	var out json.RawMessage
	if err := c.call(ctx, method, path, req, &out); err != nil {
		return err
	}
	var pretty bytes.Buffer
	_ = json.Indent(&pretty, out, "", "  ")
	fmt.Fprintln(env.Stdout, pretty.String())
	return nil
}
