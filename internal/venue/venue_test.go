package venue

import (
	"context"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"github.com/ballast-chain/ballast/internal/auth"
	"github.com/ballast-chain/ballast/internal/exchangedb"
	"github.com/ballast-chain/ballast/internal/exchangedb/dbtest"
	"github.com/ballast-chain/ballast/internal/ledger"
	"github.com/ballast-chain/ballast/internal/matching"
)

// testSpec is the market used by the venue's and the API's tests.
func testSpec() MarketSpec {
	return MarketSpec{Symbol: "BLSTTUSD", Base: "BLST", Quote: "TUSD", BaseDecimals: 8, QuoteDecimals: 8,
		PriceDecimals: 2, QtyDecimals: 5, Engine: matching.DefaultConfig()}
}

func openTest(t testing.TB, dir string, db exchangedb.Config) *Venue {
	t.Helper()
	v, err := Open(context.Background(), Config{DataDir: dir, DB: db, MasterKey: make([]byte, 32),
		Argon2: auth.Argon2Params{MemoryKiB: 1024, Time: 1, Threads: 1}})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func start(t testing.TB, v *Venue) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- v.Run(ctx) }()
	return func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}

func TestTradeSettlesAndSurvivesRestart(t *testing.T) {
	for name, cfg := range dbtest.Engines(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			dir, db := t.TempDir(), cfg(t)
			v := openTest(t, dir, db)
			if err := v.CreateMarket(ctx, testSpec()); err != nil {
				t.Fatal(err)
			}
			alice, _ := v.SignUp(ctx, "alice@x", "password1")
			bob, _ := v.SignUp(ctx, "bob@x", "password2")
			if err := v.Transfer(ctx, alice, "BLST", 10_0000_0000, "test"); err != nil {
				t.Fatal(err)
			}
			if err := v.Transfer(ctx, bob, "TUSD", 100_000_0000_0000, "test"); err != nil {
				t.Fatal(err)
			}
			stop := start(t, v)
			// alice sells 2 BLST at 1000.00; bob buys 1.5 at 1001.00 (fills at 1000.00).
			sell, err := v.PlaceOrder(ctx, "BLSTTUSD", NewOrder{Account: alice, Side: matching.Sell, Type: matching.Limit, TIF: matching.GTC, Price: 100000, Qty: 200000})
			if err != nil {
				t.Fatal(err)
			}
			if got := v.Ledger.Balance(ledger.AccountID(alice), "BLST"); got != (ledger.Balance{Free: 8_0000_0000, Locked: 2_0000_0000}) {
				t.Fatalf("alice after hold: %+v", got)
			}
			buy, err := v.PlaceOrder(ctx, "BLSTTUSD", NewOrder{Account: bob, Side: matching.Buy, Type: matching.Limit, TIF: matching.GTC, Price: 100100, Qty: 150000, ClientOrderID: "b1"})
			if err != nil {
				t.Fatal(err)
			}
			if buy.Order.Status != StatusFilled || len(buy.Fills) != 1 || buy.Fills[0].Price != 100000 {
				t.Fatalf("buy %+v", buy)
			}
			// 1.5 BLST at 1000 = 1500 TUSD; fees 0.1%: bob pays 0.0015 BLST, alice 1.5 TUSD.
			want := map[[2]any]ledger.Balance{
				{alice, "BLST"}: {Free: 8_0000_0000, Locked: 5000_0000},
				{alice, "TUSD"}: {Free: 1498_5000_0000},
				{bob, "BLST"}:   {Free: 1_4985_0000},
				{bob, "TUSD"}:   {Free: 100_000_0000_0000 - 1500_0000_0000},
			}
			check := func(v *Venue) {
				t.Helper()
				for k, w := range want {
					if got := v.Ledger.Balance(ledger.AccountID(k[0].(uint64)), ledger.Asset(k[1].(string))); got != w {
						t.Errorf("%v: %+v, want %+v", k, got, w)
					}
				}
				if err := v.Ledger.CheckInvariants(); err != nil {
					t.Error(err)
				}
			}
			check(v)
			m, _ := v.Market("BLSTTUSD")
			if o, err := m.GetOrder(alice, sell.Order.ID, ""); err != nil || o.Status != StatusPartiallyFilled || o.Filled != 150000 {
				t.Fatalf("sell order %+v %v", o, err)
			}
			stop()

			// Restart: the ledger is rebuilt from transfers + journal replay.
			v2 := openTest(t, dir, db)
			check(v2)
			m2, _ := v2.Market("BLSTTUSD")
			if bids, asks, _ := m2.Depth(5); len(bids) != 0 || len(asks) != 1 || asks[0].Qty != 50000 {
				t.Fatalf("depth after restart %v %v", bids, asks)
			}
			stop2 := start(t, v2)
			if _, err := v2.CancelOrder(ctx, "BLSTTUSD", alice, sell.Order.ID, ""); err != nil {
				t.Fatal(err)
			}
			want[[2]any{alice, "BLST"}] = ledger.Balance{Free: 8_5000_0000}
			check(v2)
			stop2()
			evs, err := exchangedb.Open(ctx, db)
			if err != nil {
				t.Fatal(err)
			}
			defer evs.Close()
			audit, _ := evs.Audit(ctx)
			if err := exchangedb.VerifyAudit(audit); err != nil || len(audit) < 5 {
				t.Fatalf("audit %d %v", len(audit), err)
			}
		})
	}
}

// TestRandomOrdersKeepInvariants drives random orders from several
// accounts and checks, after every order, that the ledger balances sum to
// zero, nothing is negative, and each account's locked balance equals the
// holds of its open orders.
func TestRandomOrdersKeepInvariants(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db := exchangedb.Config{DSN: exchangedb.DSN(filepath.Join(dir, "v.db"))}
	v := openTest(t, dir, db)
	spec := testSpec()
	spec.Engine.MinNotional = 0
	if err := v.CreateMarket(ctx, spec); err != nil {
		t.Fatal(err)
	}
	var users []uint64
	for i := range 4 {
		u, _ := v.SignUp(ctx, "u"+string(rune('a'+i)), "password!")
		users = append(users, u)
		_ = v.Transfer(ctx, u, "BLST", 50_0000_0000, "t")
		_ = v.Transfer(ctx, u, "TUSD", 50_000_0000_0000, "t")
	}
	stop := start(t, v)
	m, _ := v.Market(spec.Symbol)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 1500 {
		u := users[r.IntN(len(users))]
		side := matching.Side(1 + r.IntN(2))
		n := NewOrder{Account: u, Side: side, Type: matching.Limit, TIF: matching.GTC,
			Price: 99000 + r.Int64N(20)*100, Qty: 1000 + r.Int64N(100)*1000, STP: matching.STPNone}
		switch r.IntN(10) {
		case 0:
			n.Type, n.TIF, n.Price = matching.Market, matching.TIFNone, 0
		case 1:
			n.TIF = matching.IOC
		case 2:
			if open := m.Orders(u, true, 0, 0); len(open) > 0 {
				_, _ = v.CancelOrder(ctx, spec.Symbol, u, open[r.IntN(len(open))].ID, "")
				continue
			}
		case 3:
			n.Type, n.TIF, n.Price, n.Qty, n.QuoteQty = matching.Market, matching.TIFNone, 0, 0, 1_000_000+r.Int64N(1000)*1000
		}
		_, _ = v.PlaceOrder(ctx, spec.Symbol, n)
		if err := v.Ledger.CheckInvariants(); err != nil {
			t.Fatalf("order %d: %v", i, err)
		}
		for _, u := range users {
			var held = map[string]int64{}
			for _, o := range m.Orders(u, true, 0, 0) {
				held[o.holdAsset] += o.held
			}
			for _, a := range []string{"BLST", "TUSD"} {
				if got := v.Ledger.Balance(ledger.AccountID(u), ledger.Asset(a)).Locked; got != held[a] {
					t.Fatalf("order %d: user %d %s locked %d, open holds %d", i, u, a, got, held[a])
				}
			}
		}
	}
	stop()
	before := map[uint64][]ledger.AssetBalance{}
	for _, u := range users {
		before[u] = v.Ledger.Balances(ledger.AccountID(u))
	}
	v2 := openTest(t, dir, db)
	defer v2.Close()
	for _, u := range users {
		after := v2.Ledger.Balances(ledger.AccountID(u))
		if len(after) != len(before[u]) {
			t.Fatalf("user %d: %v vs %v", u, after, before[u])
		}
		for i := range after {
			if after[i] != before[u][i] {
				t.Fatalf("user %d after restart: %v, before %v", u, after, before[u])
			}
		}
	}
}
