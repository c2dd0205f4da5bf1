package matching

// Engine is the order book and matching logic of one market. It is not safe
// for concurrent use: a market is a single sequence of commands, and the
// caller (the journal's sequencer) serialises them.
type Engine struct {
	cfg      Config
	numTicks int32

	orders []order
	free   []int32
	ids    idTable
	accts  acctTable

	pages   [][]level
	bits    bitset
	bestBid int32 // tick of the best bid, -1 if none
	bestAsk int32 // tick of the best ask, -1 if none

	// Untriggered stop orders by trigger direction: stopsUp fire when the
	// last price rises to their stop price (ascending by stop price, then
	// id), stopsDown when it falls to it (descending, then id).
	stopsUp   []int32
	stopsDown []int32

	seq         uint64 // last event sequence number
	lastOrderID uint64
	lastTradeID uint64
	lastPrice   int64 // price of the last trade, 0 before the first

	out     []Event
	scratch []fokItem
}

// New returns an empty engine for a market.
func New(cfg Config) (*Engine, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	n := cfg.InitialOrders
	if n == 0 {
		n = 1024
	}
	e := &Engine{
		cfg:      cfg,
		numTicks: int32(cfg.numTicks()),
		orders:   make([]order, 0, n),
		free:     make([]int32, 0, n),
		ids:      newIDTable(n),
		accts:    newAcctTable(),
		bits:     newBitset(cfg.numTicks()),
		bestBid:  -1,
		bestAsk:  -1,
		out:      make([]Event, 0, 64),
	}
	e.pages = make([][]level, (cfg.numTicks()+pageSize-1)/pageSize)
	return e, nil
}

// Config returns the market configuration.
func (e *Engine) Config() Config { return e.cfg }

// Seq returns the sequence number of the last event produced.
func (e *Engine) Seq() uint64 { return e.seq }

// LastPrice returns the price of the last trade, 0 before the first trade.
func (e *Engine) LastPrice() int64 { return e.lastPrice }

// OpenOrders returns the number of open orders (resting and untriggered).
func (e *Engine) OpenOrders() int { return e.ids.count }

// Levels returns the number of non-empty price levels, bids and asks
// together. It counts the price bitset, so it costs about one word per
// 4,096 ticks of the market's price range, not a walk of the book.
func (e *Engine) Levels() int { return e.bits.count() }

// Apply executes one command and returns the events it produced. The slice
// is owned by the engine and valid until the next call; copy what must be
// kept. Apply never fails: a command that cannot be carried out produces a
// Rejected event and changes nothing else.
func (e *Engine) Apply(c *Command) []Event {
	e.out = e.out[:0]
	switch c.Kind {
	case CmdNew:
		e.place(c)
	case CmdCancel:
		e.cancel(c)
	case CmdCancelAll:
		e.cancelAll(c)
	case CmdAmend:
		e.amend(c)
	case CmdCancelReplace:
		e.cancelReplace(c)
	default:
		e.reject(c, RejectInvalidCommand)
	}
	if invariantsEnabled {
		if err := e.CheckInvariants(); err != nil {
			panic(err)
		}
	}
	return e.out
}

// push appends a zeroed event of kind k with the next sequence number and
// returns it for the caller to fill in place, so no Event is copied.
func (e *Engine) push(k EventKind) *Event {
	e.seq++
	n := len(e.out)
	if n == cap(e.out) {
		e.out = append(e.out, Event{})
	} else {
		e.out = e.out[:n+1]
		e.out[n] = Event{}
	}
	ev := &e.out[n]
	ev.Seq, ev.Kind = e.seq, k
	return ev
}

func (e *Engine) reject(c *Command, r Reason) {
	ev := e.push(EvRejected)
	ev.Reason = r
	ev.OrderID, ev.Account, ev.Ref = c.OrderID, c.Account, c.Ref
	ev.Side, ev.Type, ev.TIF, ev.STP = c.Side, c.Type, c.TIF, c.STP
}

// lookup returns the slot of an open order of account, or nilSlot.
func (e *Engine) lookup(id, account uint64) int32 {
	if id == 0 {
		return nilSlot
	}
	s := e.ids.get(id)
	if s == nilSlot || e.orders[s].account != account {
		return nilSlot
	}
	return s
}

func (e *Engine) cancel(c *Command) {
	s := e.lookup(c.OrderID, c.Account)
	if s == nilSlot {
		e.reject(c, RejectUnknownOrder)
		return
	}
	e.cancelSlot(s, c.Ref, CancelUser)
}

// cancelSlot removes an open order and reports it.
func (e *Engine) cancelSlot(s int32, ref uint64, r Reason) {
	o := &e.orders[s]
	ev := e.push(EvCancelled)
	ev.Reason = r
	ev.OrderID, ev.Account, ev.Ref = o.id, o.account, ref
	ev.Side, ev.Type, ev.Price, ev.Qty = o.side, o.typ, o.price, o.remaining
	if o.state == stateResting {
		t := o.tick
		l := e.lvl(t)
		side := o.side
		e.unlink(l, s)
		e.delta(side, t, l.visible)
	} else {
		e.removeStop(s)
	}
	e.release(s)
}

func (e *Engine) cancelAll(c *Command) {
	a := e.accts.find(c.Account)
	if a < 0 || e.accts.list[a].open == 0 {
		e.reject(c, RejectUnknownOrder)
		return
	}
	for s := e.accts.list[a].head; s != nilSlot; {
		next := e.orders[s].accNext
		e.cancelSlot(s, c.Ref, CancelAll)
		s = next
	}
}

func (e *Engine) amend(c *Command) {
	s := e.lookup(c.OrderID, c.Account)
	if s == nilSlot {
		e.reject(c, RejectAmendUnknownOrder)
		return
	}
	o := &e.orders[s]
	if !e.lotOK(c.Qty) {
		e.reject(c, RejectLotSize)
		return
	}
	if c.Qty >= o.qty || c.Qty <= o.filled+o.prevented {
		e.reject(c, RejectAmendQty)
		return
	}
	o.remaining -= o.qty - c.Qty
	o.qty = c.Qty
	ev := e.push(EvAmended)
	ev.OrderID, ev.Account, ev.Ref = o.id, o.account, c.Ref
	ev.Side, ev.Type, ev.Price = o.side, o.typ, o.price
	ev.Qty, ev.Remaining = o.qty, o.remaining
	if o.state == stateResting && o.visible > o.remaining {
		l := e.lvl(o.tick)
		l.visible -= o.visible - o.remaining
		o.visible = o.remaining
		e.delta(o.side, o.tick, l.visible)
	}
}

// cancelReplace is Binance's cancelReplace with STOP_ON_FAILURE: the new
// order's static checks run first and the cancel second, and if either
// fails nothing changes. Checks that depend on the book (LIMIT_MAKER
// crossing, stop triggers, MAX_NUM_ORDERS) run after the cancel, as
// Binance places the new order only once the old one is gone.
func (e *Engine) cancelReplace(c *Command) {
	if r := e.validate(c); r != ReasonNone {
		e.reject(c, r)
		return
	}
	s := e.lookup(c.OrderID, c.Account)
	if s == nilSlot {
		e.reject(c, RejectUnknownOrder)
		return
	}
	e.cancelSlot(s, c.Ref, CancelReplaced)
	e.placeValid(c)
}

// Level is one aggregated price level of a depth snapshot.
type Level struct {
	Price int64
	Qty   int64
}

// Depth returns up to max levels per side (all if max <= 0), best first,
// and the sequence number of the last event reflected in them. A client
// that buffers the stream, takes Depth, drops buffered events with
// Seq <= the returned seq and applies the remaining deltas in order has
// the same book as the engine.
func (e *Engine) Depth(max int) (bids, asks []Level, seq uint64) {
	for t := int(e.bestBid); t >= 0 && (max <= 0 || len(bids) < max); t = e.bits.prev(t - 1) {
		bids = append(bids, Level{e.priceOf(int32(t)), e.lvl(int32(t)).visible})
	}
	for t := int(e.bestAsk); t >= 0 && (max <= 0 || len(asks) < max); t = e.bits.next(t + 1) {
		asks = append(asks, Level{e.priceOf(int32(t)), e.lvl(int32(t)).visible})
	}
	return bids, asks, e.seq
}

// OrderInfo describes an open order for queries.
type OrderInfo struct {
	ID, Account, Ref               uint64
	Side                           Side
	Type                           OrderType
	TIF                            TimeInForce
	STP                            STPMode
	Price, StopPrice, Iceberg      int64
	Qty, Filled, Prevented, Remain int64
	Visible                        int64
	Working                        bool // false while a stop order waits (Binance isWorking)
}

// Order returns an open order by id.
func (e *Engine) Order(id uint64) (OrderInfo, bool) {
	if id == 0 {
		return OrderInfo{}, false
	}
	s := e.ids.get(id)
	if s == nilSlot {
		return OrderInfo{}, false
	}
	o := &e.orders[s]
	return OrderInfo{
		ID: o.id, Account: o.account, Ref: o.ref, Side: o.side, Type: o.typ, TIF: o.tif, STP: o.stp,
		Price: o.price, StopPrice: o.stopPrice, Iceberg: o.iceberg,
		Qty: o.qty, Filled: o.filled, Prevented: o.prevented, Remain: o.remaining, Visible: o.visible,
		Working: o.state != stateStop,
	}, true
}
