package cli

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"

	"github.com/ballast-chain/ballast/internal/matching"
	"github.com/ballast-chain/ballast/internal/venue"
)

// Devnet exchange: one market between the native coin (BLST) and TUSD, a
// test dollar that exists only in the venue's ledger: until custody and
// issued assets land, the admin credits it, and nothing on chain backs it.
const (
	devnetSymbol = "BLSTTUSD"
	devnetEmail  = "demo@devnet.local"
)

// exchangePart starts the venue next to the node on 127.0.0.1, creates
// the market and a demo account through the running venue's audited admin
// endpoint (the same path ballast exchange admin takes), and prints the
// API base URL and a ready API key.
func (d *devnet) exchangePart(ctx context.Context) (func(context.Context) error, error) {
	dir := filepath.Join(d.cfg.DataDir, "exchange")
	log := slog.New(slog.NewTextHandler(d.env.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	e, err := openExchange(ctx, exchangeOptions{dataDir: dir, listen: "127.0.0.1:0", adminListen: "127.0.0.1:0", log: log})
	if err != nil {
		return nil, err
	}
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- e.Run(runCtx) }()
	stop := func() error { cancel(); return <-done }
	key, secret, err := devnetExchangeSetup(ctx, dir)
	if err != nil {
		_ = stop()
		return nil, fmt.Errorf("devnet exchange: %w", err)
	}
	base := "http://" + e.api.Addr()
	fmt.Fprintf(d.env.Stdout, `Exchange (market %s: the native coin against TUSD, a devnet-only test dollar credited by the admin)
  API        %s/api/v3/   streams ws://%s/ws   WebSocket API ws://%s/ws-api/v3
  demo user  %s holds 1000 BLST and 1,000,000 TUSD
  API key    %s
  secret     %s
  admin      ballast exchange admin -datadir %s audit
Try:
  curl '%s/api/v3/depth?symbol=%s'
`, devnetSymbol, base, e.api.Addr(), e.api.Addr(), devnetEmail, key, secret, dir, base, devnetSymbol)
	return func(ctx context.Context) error {
		<-ctx.Done()
		return stop()
	}, nil
}

// devnetExchangeSetup creates the market, the demo user, its funds and an
// API key through the admin endpoint; on a restarted devnet the market and
// user exist already, so only a fresh key is made.
func devnetExchangeSetup(ctx context.Context, dir string) (key, secret string, err error) {
	c, err := newAdminClient(dir)
	if err != nil {
		return "", "", err
	}
	spec := venue.MarketSpec{Symbol: devnetSymbol, Base: "BLST", Quote: "TUSD", BaseDecimals: 8, QuoteDecimals: 8,
		PriceDecimals: 2, QtyDecimals: 5, Engine: matching.DefaultConfig()}
	fresh := c.call(ctx, "POST", "/admin/market", spec, nil) == nil
	user := uint64(1)
	if fresh {
		var u struct{ User uint64 }
		if err := c.call(ctx, "POST", "/admin/user", map[string]string{"Email": devnetEmail, "Password": "devnet-demo"}, &u); err != nil {
			return "", "", err
		}
		user = u.User
		for asset, amount := range map[string]string{"BLST": "1000", "TUSD": "1000000"} {
			t := map[string]any{"user": user, "asset": asset, "amount": amount, "reason": "devnet demo funds"}
			if err := c.call(ctx, "POST", "/admin/transfer", t, nil); err != nil {
				return "", "", err
			}
		}
	}
	var k struct{ APIKey, Secret string }
	err = c.call(ctx, "POST", "/admin/apikey", map[string]any{"User": user, "Label": "devnet", "Perms": "read,trade"}, &k)
	return k.APIKey, k.Secret, err
}
