package matching

import (
	"errors"
	"testing"
)

func lim(acct uint64, side Side, price, qty int64) Command {
	return Command{Kind: CmdNew, Account: acct, Side: side, Type: Limit, TIF: GTC, Price: price, Qty: qty}
}

func with(c Command, f func(*Command)) Command { f(&c); return c }

func kinds(evs []Event, k EventKind) []Event {
	var out []Event
	for _, ev := range evs {
		if ev.Kind == k {
			out = append(out, ev)
		}
	}
	return out
}

// TestScenarios pins down the behaviour of each order type, filter and STP
// mode with small hand-checked books. setup commands run first; the check
// sees the events of the last command.
func TestScenarios(t *testing.T) {
	tests := []struct {
		name  string
		setup []Command
		cmd   Command
		check func(t *testing.T, e *Engine, evs []Event)
	}{
		{
			name:  "price-time priority",
			setup: []Command{lim(1, Sell, 1000, 10), lim(2, Sell, 1000, 10), lim(3, Sell, 995, 10)},
			cmd:   lim(4, Buy, 1000, 20),
			check: func(t *testing.T, e *Engine, evs []Event) {
				tr := kinds(evs, EvTrade)
				if len(tr) != 2 || tr[0].MakerOrderID != 3 || tr[0].Price != 995 || tr[1].MakerOrderID != 1 || tr[1].Price != 1000 {
					t.Fatalf("trades %+v", tr)
				}
				if _, ok := e.Order(2); !ok {
					t.Fatal("later order at the same price should still rest")
				}
			},
		},
		{
			name:  "LIMIT_MAKER rejected when it would take",
			setup: []Command{lim(1, Sell, 1000, 10)},
			cmd:   with(lim(2, Buy, 1000, 10), func(c *Command) { c.Type, c.TIF = LimitMaker, TIFNone }),
			check: wantReject(-2010, "Order would immediately match and take."),
		},
		{name: "PRICE_FILTER tick", cmd: lim(1, Buy, 1002, 10), check: wantReject(-1013, "Filter failure: PRICE_FILTER")},
		{name: "PRICE_FILTER max", cmd: lim(1, Buy, 2005, 10), check: wantReject(-1013, "Filter failure: PRICE_FILTER")},
		{name: "LOT_SIZE step", cmd: lim(1, Buy, 1000, 15), check: wantReject(-1013, "Filter failure: LOT_SIZE")},
		{name: "NOTIONAL min", cmd: lim(1, Buy, 100, 10), check: wantReject(-1013, "Filter failure: NOTIONAL")},
		{
			name:  "ICEBERG_PARTS",
			cmd:   with(lim(1, Buy, 1000, 100), func(c *Command) { c.IcebergQty = 10 }),
			check: wantReject(-1013, "Filter failure: ICEBERG_PARTS"),
		},
		{
			name:  "iceberg needs GTC",
			cmd:   with(lim(1, Buy, 1000, 100), func(c *Command) { c.TIF, c.IcebergQty = IOC, 50 }),
			check: wantReject(-2010, "Unsupported order combination"),
		},
		{
			name:  "MAX_NUM_ORDERS",
			setup: []Command{lim(1, Buy, 900, 10), lim(1, Buy, 905, 10)},
			cmd:   lim(1, Buy, 910, 10),
			check: wantReject(-1013, "Filter failure: MAX_NUM_ORDERS"),
		},
		{name: "cancel unknown", cmd: Command{Kind: CmdCancel, Account: 1, OrderID: 42}, check: wantReject(-2011, "Unknown order sent.")},
		{
			name:  "cancel of another account's order",
			setup: []Command{lim(1, Buy, 900, 10)},
			cmd:   Command{Kind: CmdCancel, Account: 2, OrderID: 1},
			check: wantReject(-2011, "Unknown order sent."),
		},
		{
			name:  "FOK that cannot fill changes nothing",
			setup: []Command{lim(1, Sell, 1000, 10), lim(2, Sell, 1005, 10)},
			cmd:   with(lim(3, Buy, 1000, 20), func(c *Command) { c.TIF = FOK }),
			check: func(t *testing.T, e *Engine, evs []Event) {
				if len(kinds(evs, EvTrade)) != 0 || len(kinds(evs, EvExpired)) != 1 || kinds(evs, EvExpired)[0].Reason != ExpireFOK {
					t.Fatalf("events %+v", evs)
				}
				if _, ok := e.Order(1); !ok {
					t.Fatal("maker consumed by a failed FOK")
				}
			},
		},
		{
			name:  "FOK fills across levels and iceberg refills",
			setup: []Command{with(lim(1, Sell, 1000, 40), func(c *Command) { c.IcebergQty = 10 }), lim(2, Sell, 1005, 10)},
			cmd:   with(lim(3, Buy, 1005, 50), func(c *Command) { c.TIF = FOK }),
			check: func(t *testing.T, e *Engine, evs []Event) {
				var q int64
				for _, tr := range kinds(evs, EvTrade) {
					q += tr.Qty
				}
				if q != 50 || len(kinds(evs, EvExpired)) != 0 {
					t.Fatalf("filled %d, events %+v", q, evs)
				}
			},
		},
		{
			name:  "IOC remainder expires",
			setup: []Command{lim(1, Sell, 1000, 10)},
			cmd:   with(lim(2, Buy, 1000, 30), func(c *Command) { c.TIF = IOC }),
			check: func(t *testing.T, e *Engine, evs []Event) {
				x := kinds(evs, EvExpired)
				if len(kinds(evs, EvTrade)) != 1 || len(x) != 1 || x[0].Qty != 20 || x[0].Reason != ExpireIOC {
					t.Fatalf("events %+v", evs)
				}
			},
		},
		{
			name:  "MARKET by quote amount buys whole lots",
			setup: []Command{lim(1, Sell, 1000, 30), lim(1, Sell, 1100, 100)},
			cmd:   Command{Kind: CmdNew, Account: 2, Side: Buy, Type: Market, QuoteQty: 45_000},
			check: func(t *testing.T, e *Engine, evs []Event) {
				tr := kinds(evs, EvTrade)
				// 30 at 1000 = 30,000; 15,000 left buys 10 lots at 1100.
				if len(tr) != 2 || tr[0].Qty != 30 || tr[1].Qty != 10 || tr[1].Quote != 11_000 {
					t.Fatalf("trades %+v", tr)
				}
				if x := kinds(evs, EvExpired); len(x) != 1 || x[0].Quote != 4_000 {
					t.Fatalf("expiry %+v", x)
				}
			},
		},
		{
			name:  "MARKET by quote on an empty book",
			cmd:   Command{Kind: CmdNew, Account: 2, Side: Buy, Type: Market, QuoteQty: 45_000},
			check: wantReject(-2010, "Order book liquidity is less than symbol minimum quantity."),
		},
		{
			name:  "fees: taker buyer pays base, maker seller pays quote",
			setup: []Command{lim(1, Sell, 1000, 1000)},
			cmd:   lim(2, Buy, 1000, 1000),
			check: func(t *testing.T, e *Engine, evs []Event) {
				tr := kinds(evs, EvTrade)[0]
				// taker 2500 ppm of 1000 base = 2; maker 1000 ppm of 1,000,000 quote = 1000.
				if tr.TakerFee != 2 || tr.MakerFee != 1000 || tr.TakerFeePPM != 2500 || tr.MakerFeePPM != 1000 {
					t.Fatalf("fees %+v", tr)
				}
			},
		},
		{
			name:  "STP EXPIRE_TAKER",
			setup: []Command{lim(1, Sell, 1000, 10), lim(2, Sell, 1005, 10)},
			cmd:   with(lim(1, Buy, 1005, 20), func(c *Command) { c.STP = STPExpireTaker }),
			check: func(t *testing.T, e *Engine, evs []Event) {
				if len(kinds(evs, EvTrade)) != 0 || len(kinds(evs, EvPrevented)) != 1 || kinds(evs, EvExpired)[0].OrderID != 3 {
					t.Fatalf("events %+v", evs)
				}
				if _, ok := e.Order(1); !ok {
					t.Fatal("maker must survive EXPIRE_TAKER")
				}
			},
		},
		{
			name:  "STP EXPIRE_MAKER then trade with the next maker",
			setup: []Command{lim(1, Sell, 1000, 10), lim(2, Sell, 1005, 10)},
			cmd:   with(lim(1, Buy, 1005, 10), func(c *Command) { c.STP = STPExpireMaker }),
			check: func(t *testing.T, e *Engine, evs []Event) {
				x, tr := kinds(evs, EvExpired), kinds(evs, EvTrade)
				if len(x) != 1 || x[0].OrderID != 1 || len(tr) != 1 || tr[0].MakerOrderID != 2 {
					t.Fatalf("events %+v", evs)
				}
			},
		},
		{
			name:  "STP EXPIRE_BOTH",
			setup: []Command{lim(1, Sell, 1000, 10)},
			cmd:   with(lim(1, Buy, 1000, 10), func(c *Command) { c.STP = STPExpireBoth }),
			check: func(t *testing.T, e *Engine, evs []Event) {
				if len(kinds(evs, EvExpired)) != 2 || e.OpenOrders() != 0 {
					t.Fatalf("events %+v", evs)
				}
			},
		},
		{
			name:  "STP DECREMENT expires the smaller order",
			setup: []Command{lim(1, Sell, 1000, 30)},
			cmd:   with(lim(1, Buy, 1000, 10), func(c *Command) { c.STP = STPDecrement }),
			check: func(t *testing.T, e *Engine, evs []Event) {
				p := kinds(evs, EvPrevented)
				x := kinds(evs, EvExpired)
				o, _ := e.Order(1)
				if len(p) != 1 || p[0].Qty != 10 || p[0].MakerQty != 10 || len(x) != 1 || x[0].OrderID != 2 || o.Remain != 20 || o.Prevented != 10 {
					t.Fatalf("events %+v, maker %+v", evs, o)
				}
			},
		},
		{
			name:  "STP NONE trades with itself",
			setup: []Command{lim(1, Sell, 1000, 10)},
			cmd:   with(lim(1, Buy, 1000, 10), func(c *Command) { c.STP = STPNone }),
			check: func(t *testing.T, e *Engine, evs []Event) {
				if len(kinds(evs, EvTrade)) != 1 {
					t.Fatalf("events %+v", evs)
				}
			},
		},
		{
			name:  "iceberg shows one part and refills at the back",
			setup: []Command{with(lim(1, Sell, 1000, 30), func(c *Command) { c.IcebergQty = 10 }), lim(2, Sell, 1000, 20)},
			cmd:   lim(3, Buy, 1000, 20),
			check: func(t *testing.T, e *Engine, evs []Event) {
				tr := kinds(evs, EvTrade)
				if len(tr) != 2 || tr[0].MakerOrderID != 1 || tr[0].Qty != 10 || tr[1].MakerOrderID != 2 || tr[1].Qty != 10 {
					t.Fatalf("trades %+v", tr)
				}
				_, asks, _ := e.Depth(0)
				if len(asks) != 1 || asks[0].Qty != 20 { // 10 left of order 2 + 10 visible of the iceberg
					t.Fatalf("asks %+v", asks)
				}
			},
		},
		{
			name: "STOP_LOSS sell triggers on a trade at its stop price",
			setup: []Command{
				lim(1, Buy, 990, 10), lim(1, Sell, 1000, 10), lim(2, Buy, 1000, 10), // last price 1000
				{Kind: CmdNew, Account: 3, Side: Sell, Type: StopLoss, StopPrice: 995, Qty: 10},
				lim(1, Sell, 995, 10),
			},
			cmd: lim(2, Buy, 995, 10),
			check: func(t *testing.T, e *Engine, evs []Event) {
				tg := kinds(evs, EvTriggered)
				tr := kinds(evs, EvTrade)
				if len(tg) != 1 || tg[0].OrderID != 4 || tg[0].Type != Market || len(tr) != 2 || tr[1].Price != 990 {
					t.Fatalf("events %+v", evs)
				}
			},
		},
		{
			name:  "stop that would trigger immediately",
			setup: []Command{lim(1, Sell, 1000, 10), lim(2, Buy, 1000, 10)},
			cmd:   Command{Kind: CmdNew, Account: 3, Side: Buy, Type: StopLoss, StopPrice: 995, Qty: 10},
			check: wantReject(-2010, "Order would trigger immediately."),
		},
		{
			name:  "amend down keeps priority",
			setup: []Command{lim(1, Sell, 1000, 30), lim(2, Sell, 1000, 10)},
			cmd:   Command{Kind: CmdAmend, Account: 1, OrderID: 1, Qty: 20},
			check: func(t *testing.T, e *Engine, evs []Event) {
				c := lim(3, Buy, 1000, 10)
				tr := kinds(e.Apply(&c), EvTrade)
				if len(tr) != 1 || tr[0].MakerOrderID != 1 {
					t.Fatalf("amended order lost priority: %+v", tr)
				}
				if a := kinds(evs, EvAmended); len(a) != 1 || a[0].Qty != 20 || a[0].Remaining != 20 {
					t.Fatalf("amend events %+v", evs)
				}
			},
		},
		{
			name:  "amend up rejected",
			setup: []Command{lim(1, Sell, 1000, 30)},
			cmd:   Command{Kind: CmdAmend, Account: 1, OrderID: 1, Qty: 40},
			check: wantReject(-2010, RejectAmendQty.Message()),
		},
		{
			name:  "cancel-replace moves the order",
			setup: []Command{lim(1, Sell, 1000, 30)},
			cmd:   with(lim(1, Sell, 1010, 20), func(c *Command) { c.Kind, c.OrderID = CmdCancelReplace, 1 }),
			check: func(t *testing.T, e *Engine, evs []Event) {
				if c := kinds(evs, EvCancelled); len(c) != 1 || c[0].Reason != CancelReplaced || len(kinds(evs, EvAccepted)) != 1 {
					t.Fatalf("events %+v", evs)
				}
				_, asks, _ := e.Depth(0)
				if len(asks) != 1 || asks[0] != (Level{1010, 20}) {
					t.Fatalf("asks %+v", asks)
				}
			},
		},
		{
			name:  "cancel-replace with a bad new order changes nothing",
			setup: []Command{lim(1, Sell, 1000, 30)},
			cmd:   with(lim(1, Sell, 1003, 20), func(c *Command) { c.Kind, c.OrderID = CmdCancelReplace, 1 }),
			check: func(t *testing.T, e *Engine, evs []Event) {
				if len(evs) != 1 || evs[0].Kind != EvRejected {
					t.Fatalf("events %+v", evs)
				}
				if _, ok := e.Order(1); !ok {
					t.Fatal("old order cancelled by a rejected cancel-replace")
				}
			},
		},
		{
			name:  "cancel all in id order",
			setup: []Command{lim(1, Sell, 1010, 10), lim(2, Sell, 1000, 10), lim(1, Buy, 900, 10)},
			cmd:   Command{Kind: CmdCancelAll, Account: 1},
			check: func(t *testing.T, e *Engine, evs []Event) {
				c := kinds(evs, EvCancelled)
				if len(c) != 2 || c[0].OrderID != 1 || c[1].OrderID != 3 || e.OpenOrders() != 1 {
					t.Fatalf("events %+v", evs)
				}
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := testConfig()
			cfg.MaxOpenOrders = 2
			e, err := New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			for i := range tc.setup {
				for _, ev := range e.Apply(&tc.setup[i]) {
					if ev.Kind == EvRejected {
						t.Fatalf("setup command %d rejected: %v", i, ev.Reason.Message())
					}
				}
			}
			evs := append([]Event(nil), e.Apply(&tc.cmd)...)
			tc.check(t, e, evs)
			if err := e.CheckInvariants(); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func wantReject(code int16, msg string) func(*testing.T, *Engine, []Event) {
	return func(t *testing.T, e *Engine, evs []Event) {
		t.Helper()
		if len(evs) != 1 || evs[0].Kind != EvRejected || evs[0].Reason.Code() != code || evs[0].Reason.Message() != msg {
			t.Fatalf("want rejection %d %q, got %+v", code, msg, evs)
		}
	}
}

func TestConfigValidate(t *testing.T) {
	good := DefaultConfig()
	if err := good.Validate(); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		mod  func(*Config)
	}{
		{"zero tick", func(c *Config) { c.TickSize = 0 }},
		{"inverted prices", func(c *Config) { c.MaxPrice = c.MinPrice - 1 }},
		{"min qty off step", func(c *Config) { c.StepSize, c.MinQty = 10, 15 }},
		{"notional overflow", func(c *Config) { c.MaxPrice, c.MaxQty, c.TickSize = 1<<40, 1<<40, 1<<20 }},
		{"fee above 100%", func(c *Config) { c.TakerFeePPM = 1_000_001 }},
		{"too many ticks", func(c *Config) { c.MaxPrice = 1 << 40 }},
	}
	for _, tc := range tests {
		c := good
		tc.mod(&c)
		if err := c.Validate(); !errors.Is(err, ErrInvalidConfig) {
			t.Errorf("%s: Validate = %v, want ErrInvalidConfig", tc.name, err)
		}
	}
}

func TestBitset(t *testing.T) {
	b := newBitset(300_000)
	set := []int{0, 63, 64, 4095, 4096, 262_143, 299_999}
	for _, i := range set {
		b.set(i)
	}
	for i, want := range map[int]int{0: 0, 1: 63, 65: 4095, 4097: 262_143, 262_144: 299_999} {
		if got := b.next(i); got != want {
			t.Errorf("next(%d) = %d, want %d", i, got, want)
		}
	}
	for i, want := range map[int]int{299_999: 299_999, 299_998: 262_143, 4095: 4095, 62: 0, -1: -1} {
		if got := b.prev(i); got != want {
			t.Errorf("prev(%d) = %d, want %d", i, got, want)
		}
	}
	if got := b.count(); got != len(set) {
		t.Errorf("count() = %d, want %d", got, len(set))
	}
	for _, i := range set {
		b.clear(i)
	}
	if b.next(0) != -1 || b.prev(299_999) != -1 || b.count() != 0 {
		t.Error("bitset not empty after clearing")
	}
	small := newBitset(50) // a single word
	small.set(3)
	small.set(49)
	if small.count() != 2 {
		t.Errorf("single-word count() = %d, want 2", small.count())
	}
}

func TestIDTableDeleteKeepsProbeChains(t *testing.T) {
	tab := newIDTable(8) // 16 slots: ids 1, 17, 33 share a home
	for i, id := range []uint64{1, 17, 33, 2, 18} {
		tab.put(id, int32(i))
	}
	tab.del(17)
	for i, id := range []uint64{1, 33, 2, 18} {
		want := []int32{0, 2, 3, 4}[i]
		if got := tab.get(id); got != want {
			t.Errorf("get(%d) = %d, want %d", id, got, want)
		}
	}
	if tab.get(17) != nilSlot {
		t.Error("deleted id still found")
	}
}
