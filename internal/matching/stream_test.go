package matching

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// testConfig is a small market where random streams cross, self-match and
// trigger stops often: 5-unit ticks, 10-unit lots, a few accounts.
func testConfig() Config {
	return Config{
		MinPrice: 100, MaxPrice: 2000, TickSize: 5,
		MinQty: 10, MaxQty: 10_000, StepSize: 10,
		MinNotional: 5_000, IcebergParts: 8, MaxOpenOrders: 25,
		MakerFeePPM: 1000, TakerFeePPM: 2500,
	}
}

// gen produces random command streams covering every command kind, order
// type, time in force, STP mode, icebergs, stops and invalid input. It
// learns order ids from the events it is fed so cancels and amends mostly
// hit live orders.
type gen struct {
	rng   *rand.Rand
	cfg   Config
	ids   []uint64
	owner map[uint64]uint64
	last  int64 // last trade price seen
}

func newGen(seed uint64, cfg Config) *gen {
	return &gen{rng: rand.New(rand.NewPCG(seed, seed^0x5eed)), cfg: cfg, owner: map[uint64]uint64{}}
}

func (g *gen) observe(evs []Event) {
	for _, ev := range evs {
		switch ev.Kind {
		case EvAccepted:
			g.ids = append(g.ids, ev.OrderID)
			g.owner[ev.OrderID] = ev.Account
			if len(g.ids) > 64 {
				delete(g.owner, g.ids[0])
				g.ids = g.ids[1:]
			}
		case EvCancelled, EvExpired:
			if _, ok := g.owner[ev.OrderID]; ok && g.rng.IntN(4) != 0 {
				delete(g.owner, ev.OrderID)
				for i, id := range g.ids {
					if id == ev.OrderID {
						g.ids = append(g.ids[:i], g.ids[i+1:]...)
						break
					}
				}
			}
		case EvTrade:
			g.last = ev.Price
		}
	}
}

func (g *gen) price() int64 { return 900 + 5*g.rng.Int64N(41) }
func (g *gen) qty() int64   { return 10 * (1 + g.rng.Int64N(40)) }

func (g *gen) target() (id, account uint64) {
	if len(g.ids) == 0 || g.rng.IntN(10) == 0 {
		return g.rng.Uint64N(200), 1 + g.rng.Uint64N(4)
	}
	id = g.ids[g.rng.IntN(len(g.ids))]
	return id, g.owner[id]
}

func (g *gen) order(c *Command) {
	r := g.rng
	c.Side = Side(1 + r.IntN(2))
	c.STP = STPMode(r.IntN(6))
	switch p := r.IntN(100); {
	case p < 50:
		c.Type, c.Price, c.Qty = Limit, g.price(), g.qty()
		c.TIF = [...]TimeInForce{GTC, GTC, GTC, IOC, FOK}[r.IntN(5)]
		if c.TIF == GTC && r.IntN(6) == 0 {
			c.Qty = 10 * (4 + r.Int64N(60))
			c.IcebergQty = 10 * (1 + r.Int64N(c.Qty/10/2))
		}
	case p < 60:
		c.Type = Market
		if r.IntN(2) == 0 {
			c.Qty = g.qty()
		} else {
			c.QuoteQty = 5_000 + r.Int64N(400_000)
		}
	case p < 68:
		c.Type, c.Price, c.Qty = LimitMaker, g.price(), g.qty()
		if r.IntN(5) == 0 {
			c.Qty, c.IcebergQty = 200, 50
		}
	default:
		c.Type = [...]OrderType{StopLoss, StopLossLimit, TakeProfit, TakeProfitLimit}[r.IntN(4)]
		c.StopPrice, c.Qty = g.price(), g.qty()
		if g.last != 0 && r.IntN(4) != 0 {
			// Mostly place stops on the side where they wait.
			d := 5 * (1 + r.Int64N(8))
			if !triggersUp(c.Side, c.Type) {
				d = -d
			}
			c.StopPrice = g.last + d
		}
		if c.Type == StopLossLimit || c.Type == TakeProfitLimit {
			c.Price = g.price()
			c.TIF = [...]TimeInForce{GTC, IOC, FOK}[r.IntN(3)]
		}
	}
}

// corrupt damages one field of a command so validation paths are covered.
func (g *gen) corrupt(c *Command) {
	switch g.rng.IntN(10) {
	case 0:
		c.Side = Side(g.rng.IntN(4))
	case 1:
		c.Type = OrderType(g.rng.IntN(9))
	case 2:
		c.TIF = TimeInForce(g.rng.IntN(5))
	case 3:
		c.Price += int64(g.rng.IntN(5)) - 2
	case 4:
		c.Qty += int64(g.rng.IntN(11)) - 5
	case 5:
		c.STP = STPMode(g.rng.IntN(8))
	case 6:
		c.IcebergQty = 10 * g.rng.Int64N(30)
	case 7:
		c.StopPrice = g.price()
	case 8:
		c.QuoteQty = g.rng.Int64N(10_000)
	case 9:
		c.Kind = CommandKind(g.rng.IntN(8))
	}
}

func (g *gen) next() Command {
	r := g.rng
	c := Command{Account: 1 + r.Uint64N(4), Ref: r.Uint64()}
	switch p := r.IntN(100); {
	case p < 62:
		c.Kind = CmdNew
		g.order(&c)
	case p < 76:
		c.Kind = CmdCancel
		c.OrderID, c.Account = g.target()
	case p < 82:
		c.Kind = CmdAmend
		c.OrderID, c.Account = g.target()
		c.Qty = 10 * (1 + r.Int64N(30))
	case p < 93:
		c.Kind = CmdCancelReplace
		c.OrderID, c.Account = g.target()
		g.order(&c)
	case p < 95:
		c.Kind = CmdCancelAll
	default:
		c.Kind = CmdNew
		g.order(&c)
		g.corrupt(&c)
	}
	return c
}

// streamChecker follows an event stream the way a client would: it checks
// sequence numbers, rebuilds the L2 book from deltas, and accounts for every
// unit of every order's quantity (filled, prevented, cancelled or expired
// exactly once).
type streamChecker struct {
	seq  uint64
	bids map[int64]int64
	asks map[int64]int64
	open map[uint64]int64 // order id -> open base quantity (-1: by quote)
}

func newStreamChecker() *streamChecker {
	return &streamChecker{bids: map[int64]int64{}, asks: map[int64]int64{}, open: map[uint64]int64{}}
}

func (s *streamChecker) reduce(id uint64, q int64) error {
	if s.open[id] == -1 {
		return nil
	}
	if q < 0 || s.open[id] < q {
		return fmt.Errorf("order %d: removing %d of %d open", id, q, s.open[id])
	}
	s.open[id] -= q
	return nil
}

func (s *streamChecker) end(id uint64, q int64) error {
	if o, ok := s.open[id]; !ok || (o != -1 && o != q) {
		return fmt.Errorf("order %d ends with %d, tracked %d (known %v)", id, q, o, ok)
	}
	delete(s.open, id)
	return nil
}

func (s *streamChecker) check(evs []Event) error {
	for _, ev := range evs {
		if ev.Seq != s.seq+1 {
			return fmt.Errorf("seq %d after %d", ev.Seq, s.seq)
		}
		s.seq = ev.Seq
		var err error
		switch ev.Kind {
		case EvAccepted:
			q := ev.Qty
			if ev.Quote != 0 {
				q = -1
			}
			s.open[ev.OrderID] = q
		case EvBookDelta:
			book := s.bids
			if ev.Side == Sell {
				book = s.asks
			}
			if ev.Qty == 0 {
				delete(book, ev.Price)
			} else {
				book[ev.Price] = ev.Qty
			}
		case EvTrade:
			if err = s.reduce(ev.OrderID, ev.Qty); err == nil {
				err = s.reduce(ev.MakerOrderID, ev.Qty)
			}
			if ev.Quote != ev.Price*ev.Qty {
				err = fmt.Errorf("trade %d quote %d != %d×%d", ev.TradeID, ev.Quote, ev.Price, ev.Qty)
			}
		case EvPrevented:
			if err = s.reduce(ev.OrderID, ev.Qty); err == nil {
				err = s.reduce(ev.MakerOrderID, ev.MakerQty)
			}
		case EvAmended:
			if s.open[ev.OrderID] != -1 {
				s.open[ev.OrderID] = ev.Remaining
			}
		case EvCancelled, EvExpired:
			err = s.end(ev.OrderID, ev.Qty)
		}
		if err != nil {
			return fmt.Errorf("event %d (%v): %w", ev.Seq, ev.Kind, err)
		}
	}
	// A MARKET order by quote amount never outlives its command, and an
	// order whose open quantity reached zero by fills is done.
	for id, q := range s.open {
		if q <= 0 {
			delete(s.open, id)
		}
	}
	for bp := range s.bids {
		for ap := range s.asks {
			if bp >= ap {
				return fmt.Errorf("rebuilt book crossed: bid %d >= ask %d", bp, ap)
			}
		}
	}
	return nil
}

// matchesEngine compares the rebuilt book and open orders with the engine.
func (s *streamChecker) matchesEngine(e *Engine) error {
	bids, asks, seq := e.Depth(0)
	if seq != s.seq {
		return fmt.Errorf("depth seq %d, stream at %d", seq, s.seq)
	}
	if len(bids) != len(s.bids) || len(asks) != len(s.asks) {
		return fmt.Errorf("depth has %d/%d levels, rebuilt book %d/%d", len(bids), len(asks), len(s.bids), len(s.asks))
	}
	if n := e.Levels(); n != len(bids)+len(asks) {
		return fmt.Errorf("Levels() = %d, depth has %d", n, len(bids)+len(asks))
	}
	for _, l := range bids {
		if s.bids[l.Price] != l.Qty {
			return fmt.Errorf("bid %d: engine %d, rebuilt %d", l.Price, l.Qty, s.bids[l.Price])
		}
	}
	for _, l := range asks {
		if s.asks[l.Price] != l.Qty {
			return fmt.Errorf("ask %d: engine %d, rebuilt %d", l.Price, l.Qty, s.asks[l.Price])
		}
	}
	if len(s.open) != e.OpenOrders() {
		return fmt.Errorf("stream has %d open orders, engine %d", len(s.open), e.OpenOrders())
	}
	for id, q := range s.open {
		o, ok := e.Order(id)
		if !ok || o.Remain != q {
			return fmt.Errorf("order %d: stream open %d, engine %+v", id, q, o)
		}
	}
	return nil
}

// TestDifferentialRandomStreams is the main correctness test: random
// streams through the engine and the naive reference model must produce
// identical event streams. Midway the engine is also snapshotted and
// restored, which must not change its future output.
func TestDifferentialRandomStreams(t *testing.T) {
	seeds, steps := 40, 3000
	if testing.Short() || raceEnabled {
		seeds = 10
	}
	kinds := map[EventKind]int{}
	reasons := map[Reason]int{}
	stps := map[STPMode]int{}
	for seed := uint64(1); seed <= uint64(seeds); seed++ {
		cfg := testConfig()
		if seed%4 == 0 {
			cfg.DefaultSTP = STPNone
		}
		if seed%3 == 0 {
			cfg.MaxOpenOrders = 6
		}
		if seed%5 == 0 {
			cfg.MaxOpenOrders = 0
			cfg.MaxNotional = 300_000
		}
		e, err := New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		ref := newRefBook(cfg)
		g := newGen(seed, cfg)
		sc := newStreamChecker()
		for i := 0; i < steps; i++ {
			c := g.next()
			want := ref.apply(c)
			got := e.Apply(&c)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Fatalf("seed %d step %d command %+v: engine differs from reference (-ref +engine):\n%s", seed, i, c, diff)
			}
			if err := sc.check(got); err != nil {
				t.Fatalf("seed %d step %d command %+v: %v", seed, i, c, err)
			}
			g.observe(got)
			for _, ev := range got {
				kinds[ev.Kind]++
				reasons[ev.Reason]++
				if ev.Kind == EvPrevented {
					stps[stpOf(e, ev, got)]++
				}
			}
			if i%500 == 499 {
				if err := e.CheckInvariants(); err != nil {
					t.Fatalf("seed %d step %d: %v", seed, i, err)
				}
				if err := sc.matchesEngine(e); err != nil {
					t.Fatalf("seed %d step %d: %v", seed, i, err)
				}
				snap := e.AppendSnapshot(nil)
				if e, err = Restore(cfg, snap); err != nil {
					t.Fatalf("seed %d step %d: restore: %v", seed, i, err)
				}
				if again := e.AppendSnapshot(nil); string(again) != string(snap) {
					t.Fatalf("seed %d step %d: snapshot of restored engine differs", seed, i)
				}
			}
		}
	}
	t.Logf("seeds 1..%d × %d commands; events %v; reasons %v; STP modes hit %v", seeds, steps, kinds, reasons, stps)
	// The generator must keep reaching every behaviour, or agreement
	// between the models proves little.
	for k := EvAccepted; k <= EvPrevented; k++ {
		if kinds[k] == 0 {
			t.Errorf("no %v event in any stream", k)
		}
	}
	for r := RejectPriceFilter; r < reasonCount; r++ {
		if reasons[r] == 0 && r != RejectInvalidCommand && r != RejectNoLiquidity {
			t.Errorf("reason %v (%s) never produced", r, r.Message())
		}
	}
	for m := STPExpireTaker; m <= STPDecrement; m++ {
		if stps[m] == 0 {
			t.Errorf("STP mode %v never prevented a match", m)
		}
	}
}

// stpOf finds the STP mode of the taker of a Prevented event from the
// Accepted or Triggered event earlier in the same command.
func stpOf(e *Engine, ev Event, evs []Event) STPMode {
	for _, a := range evs {
		if a.Kind == EvAccepted && a.OrderID == ev.OrderID {
			return a.STP
		}
	}
	if o, ok := e.Order(ev.OrderID); ok {
		return o.STP
	}
	return STPDefault
}
