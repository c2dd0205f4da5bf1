package venue

import (
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ballast-chain/ballast/internal/auth"
	"github.com/ballast-chain/ballast/internal/exchangedb"
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

// TestHistoryQueueBounded: a full history queue holds new orders back
// (and lets them go once a batch is written) instead of growing; a failed
// write keeps its records; and with a tiny bound every order still
// reaches the database.
func TestHistoryQueueBounded(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, err := exchangedb.Open(ctx, exchangedb.Config{DSN: exchangedb.DSN(filepath.Join(dir, "h.db"))})
	if err != nil {
		t.Fatal(err)
	}
	h := newHistoryWriter(db, slog.New(slog.DiscardHandler))
	h.limit = 2
	h.add("BLSTTUSD", []*Order{{Symbol: "BLSTTUSD", ID: 1}, {Symbol: "BLSTTUSD", ID: 2}}, nil)
	short, cancel := context.WithTimeout(ctx, 30*time.Millisecond)
	defer cancel()
	if err := h.wait(short); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("wait on a full queue: %v", err)
	}
	waited := make(chan error, 1)
	go func() { waited <- h.wait(ctx) }()
	time.Sleep(10 * time.Millisecond)
	if err := h.flush(); err != nil {
		t.Fatal(err)
	}
	if err := <-waited; err != nil {
		t.Fatal(err)
	}
	if os, err := db.MarketOrders(ctx, "BLSTTUSD"); err != nil || len(os) != 2 {
		t.Fatalf("written %d orders: %v", len(os), err)
	}
	// A failing database: the records stay queued and orders stay held.
	h.add("BLSTTUSD", []*Order{{Symbol: "BLSTTUSD", ID: 3}, {Symbol: "BLSTTUSD", ID: 4}}, nil)
	db.Close()
	if err := h.flush(); err == nil {
		t.Fatal("flush to a closed database succeeded")
	}
	if len(h.orders) != 2 {
		t.Fatalf("%d records kept after a failed write, want 2", len(h.orders))
	}
	short2, cancel2 := context.WithTimeout(ctx, 30*time.Millisecond)
	defer cancel2()
	if err := h.wait(short2); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("wait after a failed write: %v", err)
	}

	// End to end: a bound of one record.
	v := openTest(t, t.TempDir(), exchangedb.Config{DSN: exchangedb.DSN(filepath.Join(t.TempDir(), "v.db"))})
	if err := v.CreateMarket(ctx, testSpec()); err != nil {
		t.Fatal(err)
	}
	v.hist.limit = 1
	u, _ := v.SignUp(ctx, "u@x", "password1")
	_ = v.Transfer(ctx, u, "TUSD", 100_000_0000_0000, "test")
	stop := start(t, v)
	const n = 20
	for i := range n {
		if _, err := v.PlaceOrder(ctx, "BLSTTUSD", NewOrder{Account: u, Side: matching.Buy, Type: matching.Limit,
			TIF: matching.IOC, Price: 90000 + int64(i), Qty: 1000}); err != nil {
			t.Fatal(err)
		}
	}
	v.FlushHistory()
	os, err := v.db.MarketOrders(ctx, "BLSTTUSD")
	if err != nil || len(os) != n {
		t.Fatalf("%d orders in the database, want %d: %v", len(os), n, err)
	}
	// The database fails: the next order fills the queue, the one after
	// waits and is refused as overloaded.
	v.hist.waitMax = 50 * time.Millisecond
	v.hist.flushMu.Lock()
	v.hist.db = db // closed above
	v.hist.flushMu.Unlock()
	place := func() error {
		_, err := v.PlaceOrder(ctx, "BLSTTUSD", NewOrder{Account: u, Side: matching.Buy, Type: matching.Limit,
			TIF: matching.IOC, Price: 90000, Qty: 1000})
		return err
	}
	if err := place(); err != nil {
		t.Fatal(err)
	}
	var ae *APIError
	if err := place(); !errors.As(err, &ae) || ae.Code != -1008 {
		t.Fatalf("order with a full queue and a failing database: %v, want -1008", err)
	}
	stop()
}
