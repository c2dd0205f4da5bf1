package matching

// level is one price level: a FIFO of resting orders linked through the
// pool, with the total visible quantity that market data shows.
type level struct {
	head    int32
	tail    int32
	count   int32
	side    Side
	visible int64
}

// Levels live in pages of pageSize ticks, allocated the first time a price
// in the page is used, so a market with a wide price range costs memory
// only where it trades.
const (
	pageBits = 10
	pageSize = 1 << pageBits
)

func (e *Engine) lvl(t int32) *level {
	p := e.pages[t>>pageBits]
	if p == nil {
		p = make([]level, pageSize)
		for i := range p {
			p[i].head, p[i].tail = nilSlot, nilSlot
		}
		e.pages[t>>pageBits] = p
	}
	return &p[t&(pageSize-1)]
}

func (e *Engine) tickOf(price int64) int32 {
	if e.cfg.TickSize == 1 {
		return int32(price - e.cfg.MinPrice)
	}
	return int32((price - e.cfg.MinPrice) / e.cfg.TickSize)
}

func (e *Engine) priceOf(t int32) int64 {
	return e.cfg.MinPrice + int64(t)*e.cfg.TickSize
}

// alloc takes a free pool slot, growing the pool when none is left. Growth
// allocates; in steady state slots are recycled.
func (e *Engine) alloc() int32 {
	if n := len(e.free); n > 0 {
		s := e.free[n-1]
		e.free = e.free[:n-1]
		return s
	}
	e.orders = append(e.orders, order{})
	return int32(len(e.orders) - 1)
}

// release ends an order: it leaves the id index and its account, and its
// slot returns to the pool.
func (e *Engine) release(s int32) {
	o := &e.orders[s]
	e.ids.del(o.id)
	a := &e.accts.list[o.acct]
	if o.accPrev != nilSlot {
		e.orders[o.accPrev].accNext = o.accNext
	} else {
		a.head = o.accNext
	}
	if o.accNext != nilSlot {
		e.orders[o.accNext].accPrev = o.accPrev
	} else {
		a.tail = o.accPrev
	}
	a.open--
	*o = order{}
	e.free = append(e.free, s)
}

// linkAccount appends an accepted order to its account's list.
func (e *Engine) linkAccount(s int32) {
	o := &e.orders[s]
	o.acct = e.accts.upsert(o.account)
	a := &e.accts.list[o.acct]
	o.accPrev, o.accNext = a.tail, nilSlot
	if a.tail != nilSlot {
		e.orders[a.tail].accNext = s
	} else {
		a.head = s
	}
	a.tail = s
	a.open++
}

// rest appends order s at the back of its price level.
func (e *Engine) rest(s int32) {
	o := &e.orders[s]
	o.state = stateResting
	o.visible = o.remaining
	if o.iceberg != 0 && o.iceberg < o.remaining {
		o.visible = o.iceberg
	}
	t := e.tickOf(o.price)
	o.tick = t
	l := e.lvl(t)
	e.pushBack(l, s)
	l.visible += o.visible
	if l.count == 1 {
		l.side = o.side
		e.bits.set(int(t))
		if o.side == Buy {
			if t > e.bestBid {
				e.bestBid = t
			}
		} else if e.bestAsk < 0 || t < e.bestAsk {
			e.bestAsk = t
		}
	}
	e.delta(o.side, t, l.visible)
}

func (e *Engine) pushBack(l *level, s int32) {
	o := &e.orders[s]
	o.prev, o.next = l.tail, nilSlot
	if l.tail != nilSlot {
		e.orders[l.tail].next = s
	} else {
		l.head = s
	}
	l.tail = s
	l.count++
}

// unlink removes order s from its level without emitting a delta; callers
// decide when the level's new total is published.
func (e *Engine) unlink(l *level, s int32) {
	o := &e.orders[s]
	if o.prev != nilSlot {
		e.orders[o.prev].next = o.next
	} else {
		l.head = o.next
	}
	if o.next != nilSlot {
		e.orders[o.next].prev = o.prev
	} else {
		l.tail = o.prev
	}
	l.count--
	l.visible -= o.visible
	if l.count == 0 {
		e.levelEmptied(o.tick)
	}
}

// levelEmptied clears tick t and moves the best price past it. The book is
// never crossed between commands and the taker is not in the book while it
// matches, so every set tick below the best ask is a bid and every set tick
// above the best bid is an ask.
func (e *Engine) levelEmptied(t int32) {
	e.bits.clear(int(t))
	if t == e.bestBid {
		e.bestBid = int32(e.bits.prev(int(t) - 1))
	} else if t == e.bestAsk {
		e.bestAsk = int32(e.bits.next(int(t) + 1))
	}
}

func (e *Engine) delta(side Side, t int32, visible int64) {
	ev := e.push(EvBookDelta)
	ev.Side = side
	ev.Price = e.priceOf(t)
	ev.Qty = visible
}

// crosses reports whether a limit order at tick t on side would trade.
func (e *Engine) crosses(side Side, t int32) bool {
	if side == Buy {
		return e.bestAsk >= 0 && t >= e.bestAsk
	}
	return e.bestBid >= 0 && t <= e.bestBid
}
