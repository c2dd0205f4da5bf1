package api

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ballast-chain/ballast/internal/auth"
	"github.com/ballast-chain/ballast/internal/exchangedb"
	"github.com/ballast-chain/ballast/internal/matching"
	"github.com/ballast-chain/ballast/internal/venue"
)

type client struct {
	t      *testing.T
	base   string
	key    string
	secret auth.Secret
}

func (c *client) do(method, path string, p url.Values, signed bool) (int, map[string]any, []any) {
	c.t.Helper()
	if p == nil {
		p = url.Values{}
	}
	if signed {
		p.Set("timestamp", strconv.FormatInt(time.Now().UnixMilli(), 10))
		p.Set("signature", auth.Sign(c.secret, []byte(p.Encode())))
	}
	req, _ := http.NewRequest(method, c.base+path+"?"+p.Encode(), nil)
	req.Header.Set("X-MBX-APIKEY", c.key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var m map[string]any
	var a []any
	if json.Unmarshal(b, &m) != nil {
		_ = json.Unmarshal(b, &a)
	}
	return resp.StatusCode, m, a
}

func setup(t *testing.T) (*client, *client) { return setupWith(t, Config{Listen: "127.0.0.1:0"}) }

func setupWith(t *testing.T, cfg Config) (*client, *client) {
	a, b, _ := setupVenue(t, cfg)
	return a, b
}

// openTestVenue opens a venue in a temporary directory (SQLite, cheap
// argon2 parameters) with one market, BLSTTUSD.
func openTestVenue(t *testing.T, ctx context.Context) *venue.Venue {
	t.Helper()
	dir := t.TempDir()
	v, err := venue.Open(ctx, venue.Config{DataDir: dir, MasterKey: make([]byte, 32),
		DB: exchangedb.Config{DSN: exchangedb.DSN(filepath.Join(dir, "v.db"))}, Argon2: auth.Argon2Params{MemoryKiB: 1024, Time: 1, Threads: 1}})
	if err != nil {
		t.Fatal(err)
	}
	spec := venue.MarketSpec{Symbol: "BLSTTUSD", Base: "BLST", Quote: "TUSD", BaseDecimals: 8, QuoteDecimals: 8,
		PriceDecimals: 2, QtyDecimals: 5, Engine: matching.DefaultConfig()}
	if err := v.CreateMarket(ctx, spec); err != nil {
		t.Fatal(err)
	}
	return v
}

func setupVenue(t *testing.T, cfg Config) (*client, *client, *venue.Venue) {
	ctx, cancel := context.WithCancel(context.Background())
	v := openTestVenue(t, ctx)
	var cs []*client
	for _, email := range []string{"a@x", "b@x"} {
		u, _ := v.SignUp(ctx, email, "password!")
		_ = v.Transfer(ctx, u, "BLST", 100_0000_0000, "t")
		_ = v.Transfer(ctx, u, "TUSD", 1_000_000_0000_0000, "t")
		k, sec, err := v.CreateAPIKey(ctx, u, "t", auth.PermRead|auth.PermTrade, nil)
		if err != nil {
			t.Fatal(err)
		}
		cs = append(cs, &client{t: t, key: k, secret: sec})
	}
	s, err := New(cfg, v)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { _ = v.Run(ctx); close(done) }()
	go func() { _ = s.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	for _, c := range cs {
		c.base = "http://" + s.Addr()
	}
	return cs[0], cs[1], v
}

func TestRESTTrading(t *testing.T) {
	a, b := setup(t)
	if code, m, _ := a.do("GET", "/api/v3/exchangeInfo", nil, false); code != 200 || len(m["symbols"].([]any)) != 1 {
		t.Fatalf("exchangeInfo %d %v", code, m)
	}
	code, m, _ := a.do("POST", "/api/v3/order", url.Values{"symbol": {"BLSTTUSD"}, "side": {"SELL"}, "type": {"LIMIT"},
		"timeInForce": {"GTC"}, "quantity": {"2"}, "price": {"1000.00"}, "newClientOrderId": {"s1"}}, true)
	if code != 200 || m["status"] != "NEW" || m["clientOrderId"] != "s1" {
		t.Fatalf("sell %d %v", code, m)
	}
	code, m, _ = b.do("POST", "/api/v3/order", url.Values{"symbol": {"BLSTTUSD"}, "side": {"BUY"}, "type": {"MARKET"},
		"quantity": {"0.5"}}, true)
	if code != 200 || m["status"] != "FILLED" || m["type"] != "MARKET" || len(m["fills"].([]any)) != 1 || m["cummulativeQuoteQty"] != "500.0000000" {
		t.Fatalf("market buy %d %v", code, m)
	}
	_, d, _ := a.do("GET", "/api/v3/depth", url.Values{"symbol": {"BLSTTUSD"}}, false)
	if asks := d["asks"].([]any); len(asks) != 1 || asks[0].([]any)[1] != "1.50000" {
		t.Fatalf("depth %v", d)
	}
	_, _, trades := b.do("GET", "/api/v3/myTrades", url.Values{"symbol": {"BLSTTUSD"}}, true)
	if len(trades) != 1 || trades[0].(map[string]any)["isBuyer"] != true {
		t.Fatalf("myTrades %v", trades)
	}
	_, acct, _ := a.do("GET", "/api/v3/account", nil, true)
	bal := acct["balances"].([]any)
	if bal[0].(map[string]any)["locked"] != "1.50000000" {
		t.Fatalf("account %v", acct)
	}
	code, m, _ = a.do("DELETE", "/api/v3/order", url.Values{"symbol": {"BLSTTUSD"}, "origClientOrderId": {"s1"}}, true)
	if code != 200 || m["status"] != "CANCELED" {
		t.Fatalf("cancel %d %v", code, m)
	}
	code, m, _ = a.do("DELETE", "/api/v3/order", url.Values{"symbol": {"BLSTTUSD"}, "origClientOrderId": {"s1"}}, true)
	if code != 400 || m["code"] != -2011.0 {
		t.Fatalf("second cancel %d %v", code, m)
	}
	code, m, _ = a.do("POST", "/api/v3/order", url.Values{"symbol": {"BLSTTUSD"}, "side": {"BUY"}, "type": {"LIMIT"},
		"timeInForce": {"GTC"}, "quantity": {"1"}, "price": {"0.01"}}, true)
	if code != 400 || m["code"] != -1013.0 {
		t.Fatalf("notional filter %d %v", code, m)
	}
}

func TestSigningErrors(t *testing.T) {
	a, _ := setup(t)
	p := url.Values{"timestamp": {strconv.FormatInt(time.Now().UnixMilli(), 10)}}
	p.Set("signature", strings.Repeat("0", 64))
	code, m, _ := a.do("GET", "/api/v3/account", p, false)
	if code != 400 || m["code"] != -1022.0 {
		t.Fatalf("bad signature %d %v", code, m)
	}
	p = url.Values{"timestamp": {strconv.FormatInt(time.Now().UnixMilli()-10_000, 10)}}
	p.Set("signature", auth.Sign(a.secret, []byte(p.Encode())))
	code, m, _ = a.do("GET", "/api/v3/account", p, false)
	if code != 400 || m["code"] != -1021.0 {
		t.Fatalf("stale timestamp %d %v", code, m)
	}
	a.key = "nope"
	if code, m, _ = a.do("GET", "/api/v3/account", nil, true); code != 401 || m["code"] != -2014.0 {
		t.Fatalf("unknown key %d %v", code, m)
	}
}
