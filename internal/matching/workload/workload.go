// Package workload generates the exchange-core benchmark workload for the
// matching engine: a book of about 1,000 resting orders spread over about
// 750 price levels, and a command stream of about 9% GTC orders, 3% IOC
// orders, 6% cancels and 82% moves of a resting order (the mix and book
// of exchange-core's published benchmark). The benchmarks of
// internal/matching and internal/journal replay the same stream, so their
// figures describe the same work.
//
// The stream is generated against a live engine, so every cancel and move
// names an order that is resting at that point, and it is deterministic for
// a seed: replaying Warm and then Cmds into an engine of Market()
// reproduces the generation exactly.
package workload

import (
	"math/rand/v2"

	"github.com/ballast-chain/ballast/internal/matching"
)

// The shape of the workload. Width and TakerQty are tuned so that the
// book averages about Orders resting orders on about 750 price levels
// (TestShape checks it).
const (
	// Mid is the reference price in ticks: bids rest below it, asks above.
	Mid = 100_000
	// Orders is the number of resting orders the stream holds the book at.
	Orders = 1_000
	// Width is how far from Mid, in ticks, resting orders are placed
	// (uniformly), so most levels hold a single order.
	Width = 1_100
	// MakerQty bounds the quantity of resting orders (uniform in
	// 1..MakerQty).
	MakerQty = 100
	// TakerQty bounds the quantity of IOC and crossing GTC orders while
	// the book holds Orders orders; see takerQty.
	TakerQty = 60
	// CrossPercent is the share of GTC orders placed to trade.
	CrossPercent = 10
	// MoveTicks bounds how far a move shifts an order's price.
	MoveTicks = 10
	// Accounts is the number of accounts placing orders.
	Accounts = 100
	// burnIn is how many mix commands run after the initial fill and
	// before the warm snapshot, so the measured stream starts at steady
	// state.
	burnIn = 100_000
)

// Market returns the market configuration the workload is generated for:
// unit ticks and lots, fees, and no self-trade prevention, so accounts
// trade with themselves freely as in exchange-core.
func Market() matching.Config {
	return matching.Config{
		MinPrice: 1, MaxPrice: 1_000_000, TickSize: 1,
		MinQty: 1, MaxQty: 1_000_000, StepSize: 1,
		MinNotional: 1, IcebergParts: 10,
		MakerFeePPM: 1000, TakerFeePPM: 2000,
		DefaultSTP: matching.STPNone, InitialOrders: 4096,
	}
}

// Mix counts the commands of a stream by kind.
type Mix struct {
	GTC, IOC, Cancel, Move int
}

// Stream is a generated workload.
type Stream struct {
	// Warm builds the steady-state book from an empty engine.
	Warm []matching.Command
	// Snapshot is the engine state after Warm (matching.Restore under
	// Market()).
	Snapshot []byte
	// Cmds is the measured stream, valid from the state after Warm.
	Cmds []matching.Command
	// Mix counts Cmds by kind.
	Mix Mix
	// Orders and Levels are the book's resting orders and non-empty
	// price levels after each command of Cmds, averaged.
	Orders, Levels float64
}

// Generate returns a stream of n measured commands for seed.
func Generate(n int, seed uint64) *Stream {
	e, err := matching.New(Market())
	if err != nil {
		panic(err) // Market() is valid
	}
	g := &gen{e: e, rng: rand.New(rand.NewPCG(seed, seed)), at: map[uint64]int{}}
	s := &Stream{}
	for len(g.live) < Orders {
		side := g.side()
		c := g.limit(side, matching.GTC, g.restingPrice(side), g.makerQty())
		s.Warm = append(s.Warm, c)
		g.apply(c)
	}
	var discard Mix
	for range burnIn {
		c := g.next(&discard)
		s.Warm = append(s.Warm, c)
		g.apply(c)
	}
	s.Snapshot = e.AppendSnapshot(nil)
	s.Cmds = make([]matching.Command, 0, n)
	var orders, levels int
	for len(s.Cmds) < n {
		c := g.next(&s.Mix)
		s.Cmds = append(s.Cmds, c)
		g.apply(c)
		orders += e.OpenOrders()
		levels += e.Levels()
	}
	if n > 0 {
		s.Orders, s.Levels = float64(orders)/float64(n), float64(levels)/float64(n)
	}
	return s
}

type gen struct {
	e    *matching.Engine
	rng  *rand.Rand
	live []uint64       // resting order ids
	at   map[uint64]int // index in live
}

func (g *gen) side() matching.Side { return matching.Side(1 + g.rng.IntN(2)) }

func (g *gen) account() uint64 { return 1 + g.rng.Uint64N(Accounts) }

func (g *gen) makerQty() int64 { return 1 + g.rng.Int64N(MakerQty) }

// restingPrice draws a price that does not cross Mid, uniformly over Width
// ticks on side's side of it.
func (g *gen) restingPrice(side matching.Side) int64 {
	off := 1 + g.rng.Int64N(Width)
	if side == matching.Buy {
		return Mid - off
	}
	return Mid + off
}

func (g *gen) limit(side matching.Side, tif matching.TimeInForce, price, qty int64) matching.Command {
	return matching.Command{Kind: matching.CmdNew, Account: g.account(), Side: side, Type: matching.Limit, TIF: tif,
		Price: price, Qty: qty}
}

// takerQty draws the size of a crossing order. Its bound follows the
// book's size, which is what holds the book near Orders without changing
// the mix: a fuller book meets larger takers that remove more makers, a
// thinner one smaller takers.
func (g *gen) takerQty() int64 {
	f := max(0.1, 1+4*float64(len(g.live)-Orders)/Orders)
	return 1 + g.rng.Int64N(max(1, int64(f*TakerQty)))
}

// crossPrice is the limit of a crossing order: deep enough to sweep any
// realistic size.
func crossPrice(side matching.Side) int64 {
	if side == matching.Buy {
		return Mid + Width
	}
	return Mid - Width
}

// next draws the next command of the mix and counts it in m. A move is a
// cancel-replace of a resting order, keeping its side and remaining
// quantity, to a price up to MoveTicks away; a move that would cross Mid
// re-places the order anywhere on its side instead, so moves never trade.
func (g *gen) next(m *Mix) matching.Command {
	side := g.side()
	p := g.rng.IntN(100)
	if len(g.live) == 0 && p >= 12 {
		p = 0 // nothing to cancel or move: place
	}
	switch {
	case p < 9:
		m.GTC++
		if g.rng.IntN(100) < CrossPercent {
			return g.limit(side, matching.GTC, crossPrice(side), g.takerQty())
		}
		return g.limit(side, matching.GTC, g.restingPrice(side), g.makerQty())
	case p < 12:
		m.IOC++
		return g.limit(side, matching.IOC, crossPrice(side), g.takerQty())
	case p < 18:
		m.Cancel++
		o := g.pick()
		return matching.Command{Kind: matching.CmdCancel, Account: o.Account, OrderID: o.ID}
	default:
		m.Move++
		o := g.pick()
		px := o.Price + g.rng.Int64N(2*MoveTicks+1) - MoveTicks
		if (o.Side == matching.Buy && px >= Mid) || (o.Side == matching.Sell && px <= Mid) {
			px = g.restingPrice(o.Side)
		}
		return matching.Command{Kind: matching.CmdCancelReplace, Account: o.Account, OrderID: o.ID,
			Side: o.Side, Type: matching.Limit, TIF: matching.GTC, Price: px, Qty: o.Remain}
	}
}

// pick returns a uniformly chosen resting order.
func (g *gen) pick() matching.OrderInfo {
	o, _ := g.e.Order(g.live[g.rng.IntN(len(g.live))])
	return o
}

// apply runs c and updates the set of resting orders from its events.
func (g *gen) apply(c matching.Command) {
	for _, ev := range g.e.Apply(&c) {
		switch ev.Kind {
		case matching.EvAccepted:
			if _, ok := g.e.Order(ev.OrderID); ok {
				g.add(ev.OrderID)
			}
		case matching.EvTrade:
			if _, ok := g.e.Order(ev.MakerOrderID); !ok {
				g.remove(ev.MakerOrderID)
			}
		case matching.EvCancelled, matching.EvExpired:
			g.remove(ev.OrderID)
		}
	}
}

func (g *gen) add(id uint64) {
	if _, ok := g.at[id]; ok {
		return
	}
	g.at[id] = len(g.live)
	g.live = append(g.live, id)
}

func (g *gen) remove(id uint64) {
	i, ok := g.at[id]
	if !ok {
		return
	}
	last := g.live[len(g.live)-1]
	g.live[i] = last
	g.at[last] = i
	g.live = g.live[:len(g.live)-1]
	delete(g.at, id)
}
