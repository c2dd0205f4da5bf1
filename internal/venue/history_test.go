package venue

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ballast-chain/ballast/internal/auth"
	"github.com/ballast-chain/ballast/internal/exchangedb/dbtest"
	"github.com/ballast-chain/ballast/internal/matching"
)

// TestHistorySurvivesRestart: client order ids, API order types, order and
// trade times, and trades beyond the in-memory window come back after a
// restart, on both database engines.
func TestHistorySurvivesRestart(t *testing.T) {
	for name, cfg := range dbtest.Engines(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			dir, db := t.TempDir(), cfg(t)
			var clock atomic.Int64
			clock.Store(time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC).UnixMilli())
			open := func() *Venue {
				v, err := Open(ctx, Config{DataDir: dir, DB: db, MasterKey: make([]byte, 32), TradeWindow: 4,
					Argon2: auth.Argon2Params{MemoryKiB: 1024, Time: 1, Threads: 1},
					Now:    func() time.Time { return time.UnixMilli(clock.Add(1000)) }})
				if err != nil {
					t.Fatal(err)
				}
				return v
			}
			v := open()
			if err := v.CreateMarket(ctx, testSpec()); err != nil {
				t.Fatal(err)
			}
			alice, _ := v.SignUp(ctx, "alice@x", "password1")
			bob, _ := v.SignUp(ctx, "bob@x", "password2")
			_ = v.Transfer(ctx, alice, "BLST", 100_0000_0000, "test")
			_ = v.Transfer(ctx, bob, "TUSD", 100_000_0000_0000, "test")
			stop := start(t, v)
			sell, err := v.PlaceOrder(ctx, "BLSTTUSD", NewOrder{Account: alice, ClientOrderID: "ask-1", Side: matching.Sell,
				Type: matching.Limit, TIF: matching.GTC, Price: 100000, Qty: 10_00000})
			if err != nil {
				t.Fatal(err)
			}
			const buys = 7
			for i := range buys {
				if _, err := v.PlaceOrder(ctx, "BLSTTUSD", NewOrder{Account: bob, ClientOrderID: "mkt-" + string(rune('a'+i)),
					Side: matching.Buy, Type: matching.Market, Qty: 10000}); err != nil {
					t.Fatal(err)
				}
			}
			v.FlushHistory()
			m, _ := v.Market("BLSTTUSD")
			before := m.AccountTrades(bob, 1, 100)
			if len(before) != buys {
				t.Fatalf("trades before restart: %d", len(before))
			}
			stop()
			clock.Add(3_600_000) // the restart happens an hour later

			v2 := open()
			defer v2.Close()
			m2, _ := v2.Market("BLSTTUSD")
			o, err := m2.GetOrder(alice, 0, "ask-1")
			if err != nil || o.ID != sell.Order.ID || o.TimeMS != sell.Order.TimeMS {
				t.Fatalf("order by client id after restart: %+v %v (want time %d)", o, err, sell.Order.TimeMS)
			}
			mk, err := m2.GetOrder(bob, 0, "mkt-c")
			if err != nil || mk.Type != "MARKET" || mk.Status != StatusFilled {
				t.Fatalf("market order after restart: %+v %v", mk, err)
			}
			after := m2.AccountTrades(bob, 1, 100)
			if len(after) != buys {
				t.Fatalf("myTrades after restart: %d, want %d", len(after), buys)
			}
			for i := range after {
				if after[i] != before[i] {
					t.Fatalf("trade %d: %+v, want %+v", i, after[i], before[i])
				}
			}
			if ts := m2.Trades(1, 100); len(ts) != buys || ts[0].TimeMS != before[0].TimeMS {
				t.Fatalf("historicalTrades after restart: %v", ts)
			}
			if ts := m2.AccountTrades(bob, 0, 5); len(ts) != 5 || ts[4].ID != before[buys-1].ID {
				t.Fatalf("latest myTrades after restart: %v", ts)
			}
			ks := m2.Klines("1h", before[0].TimeMS-3_600_000, 0, 10)
			n := 0
			for _, k := range ks {
				n += k.Trades
			}
			if n != buys {
				t.Fatalf("klines after restart count %d trades: %+v", n, ks)
			}
			if os := m2.Orders(bob, false, 0, 100); len(os) != buys || os[0].ClientOrderID != "mkt-a" {
				t.Fatalf("allOrders after restart: %+v", os)
			}
		})
	}
}
