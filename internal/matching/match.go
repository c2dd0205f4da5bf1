package matching

import "sort"

// match sweeps the opposite side for taker s in price-time priority,
// applying self-trade prevention, until the taker is done, stops crossing,
// or (by quote amount) cannot afford one more lot. The book delta of each
// level is published once, when the taker leaves that level.
func (e *Engine) match(s int32) {
	o := &e.orders[s]
	for o.remaining > 0 {
		var t int32
		if o.side == Buy {
			t = e.bestAsk
		} else {
			t = e.bestBid
		}
		if t < 0 {
			return
		}
		if o.typ != Market {
			if lt := e.tickOf(o.price); (o.side == Buy && t > lt) || (o.side == Sell && t < lt) {
				return
			}
		}
		l := e.lvl(t)
		price := e.priceOf(t)
		before := l.visible
		makerSide := l.side
		stop := e.sweep(s, l, t, price)
		if l.visible != before {
			e.delta(makerSide, t, l.visible)
		}
		if stop {
			return
		}
	}
}

// affordable returns the largest multiple of the lot step whose notional at
// price fits in the taker's remaining quote amount.
func (e *Engine) affordable(o *order, price int64) int64 {
	q := o.quoteLeft / price
	return q - q%e.cfg.StepSize
}

// sweep matches taker s against level l until the level empties or the
// taker stops; it reports whether the taker must stop matching entirely.
func (e *Engine) sweep(s int32, l *level, t int32, price int64) bool {
	o := &e.orders[s]
	for o.remaining > 0 && l.head != nilSlot {
		ms := l.head
		m := &e.orders[ms]
		want := o.remaining
		if o.byQuote {
			want = min(want, e.affordable(o, price))
			if want == 0 {
				return true
			}
		}
		if m.account == o.account && o.stp != STPNone {
			if e.prevent(s, ms, l, price, want) {
				return true
			}
			continue
		}
		q := min(want, m.visible)
		e.trade(o, m, price, q)
		m.visible -= q
		m.remaining -= q
		m.filled += q
		l.visible -= q
		if m.visible == 0 {
			if m.remaining > 0 {
				// Iceberg refill: the next part goes to the back of the
				// level and loses time priority, as on Binance.
				m.visible = min(m.iceberg, m.remaining)
				l.visible += m.visible
				if l.count > 1 {
					e.unlinkKeep(l, ms)
					e.pushBack(l, ms)
				}
			} else {
				e.unlink(l, ms)
				e.release(ms)
			}
		}
	}
	return o.remaining == 0
}

// unlinkKeep takes s out of level l's list without touching counts or
// quantities, so it can be pushed back at the tail.
func (e *Engine) unlinkKeep(l *level, s int32) {
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
}

// trade records a fill of q at price between taker o and maker m.
func (e *Engine) trade(o, m *order, price, q int64) {
	notional, _ := mulNotional(price, q) // bounded by Config.Validate
	e.lastTradeID++
	e.lastPrice = price
	o.remaining -= q
	o.filled += q
	if o.byQuote {
		o.quoteLeft -= notional
	}
	ev := e.push(EvTrade)
	ev.TradeID = e.lastTradeID
	ev.OrderID, ev.Account, ev.Side = o.id, o.account, o.side
	ev.MakerOrderID, ev.MakerAccount = m.id, m.account
	ev.Price, ev.Qty, ev.Quote = price, q, notional
	ev.MakerFeePPM, ev.TakerFeePPM = e.cfg.MakerFeePPM, e.cfg.TakerFeePPM
	// Each side pays in the asset it receives: the buyer base, the seller
	// quote.
	if o.side == Buy {
		ev.TakerFee, ev.MakerFee = fee(q, e.cfg.TakerFeePPM), fee(notional, e.cfg.MakerFeePPM)
	} else {
		ev.TakerFee, ev.MakerFee = fee(notional, e.cfg.TakerFeePPM), fee(q, e.cfg.MakerFeePPM)
	}
}

// prevent applies the taker's STP mode to a self-match with maker ms; want
// is the quantity the taker could take here. It reports whether the taker
// is finished. Every quantity removed by prevention is reported once, in
// the Prevented event; an order whose open quantity reaches zero then gets
// an Expired event (reason ExpireSTP) with nothing left (Qty 0; a MARKET
// order by quote amount reports its unspent quote).
func (e *Engine) prevent(s, ms int32, l *level, price, want int64) bool {
	o, m := &e.orders[s], &e.orders[ms]
	var takerQ, makerQ int64
	expireMaker, expireTaker := false, false
	switch o.stp {
	case STPExpireTaker:
		takerQ, expireTaker = want, true
	case STPExpireMaker:
		makerQ, expireMaker = m.remaining, true
	case STPExpireBoth:
		takerQ, makerQ, expireTaker, expireMaker = want, m.remaining, true, true
	case STPDecrement:
		// Both orders lose the smaller of the two quantities; whichever
		// reaches zero expires (both if equal).
		q := min(want, m.remaining)
		takerQ, makerQ = q, q
		expireMaker = q == m.remaining
		expireTaker = q == o.remaining
		if o.byQuote {
			pn, _ := mulNotional(price, q)
			o.quoteLeft -= pn
		}
	}
	ev := e.push(EvPrevented)
	ev.OrderID, ev.Account, ev.Side = o.id, o.account, o.side
	ev.MakerOrderID, ev.MakerAccount = m.id, m.account
	ev.Price, ev.Qty, ev.MakerQty = price, takerQ, makerQ
	o.remaining -= takerQ
	o.prevented += takerQ
	m.remaining -= makerQ
	m.prevented += makerQ
	if expireMaker {
		e.expire(ms, ExpireSTP)
		e.unlink(l, ms)
		e.release(ms)
	} else if m.visible > m.remaining {
		l.visible -= m.visible - m.remaining
		m.visible = m.remaining
	}
	if expireTaker {
		o.remaining = 0
		e.expire(s, ExpireSTP)
		o.quoteLeft = 0
		return true
	}
	return false
}

// fokItem is an iceberg part a FOK dry run expects to see again at the back
// of a level.
type fokItem struct {
	slot    int32
	visible int64
	hidden  int64
}

// fokFillable reports whether taker s would execute its whole quantity. It
// walks the crossing levels as match would, without changing anything:
// iceberg refills are replayed from a scratch queue, EXPIRE_MAKER self
// matches are skipped, and any other self-match ends the run (the taker
// would expire or be decremented, so it cannot fill completely).
func (e *Engine) fokFillable(s int32) bool {
	o := &e.orders[s]
	need := o.remaining
	lt := e.tickOf(o.price)
	for t := e.bestTick(o.side.Opposite()); t >= 0; t = e.nextTick(o.side.Opposite(), t) {
		if (o.side == Buy && t > lt) || (o.side == Sell && t < lt) {
			return false
		}
		l := e.lvl(t)
		e.scratch = e.scratch[:0]
		take := func(ms int32, vis, hidden int64) (stop bool) {
			m := &e.orders[ms]
			if m.account == o.account && o.stp != STPNone {
				return o.stp != STPExpireMaker
			}
			q := min(need, vis)
			need -= q
			if q == vis && hidden > 0 {
				e.scratch = append(e.scratch, fokItem{ms, min(m.iceberg, hidden), hidden - min(m.iceberg, hidden)})
			}
			return false
		}
		for ms := l.head; ms != nilSlot && need > 0; ms = e.orders[ms].next {
			m := &e.orders[ms]
			if take(ms, m.visible, m.remaining-m.visible) {
				return false
			}
		}
		for i := 0; i < len(e.scratch) && need > 0; i++ {
			it := e.scratch[i]
			if take(it.slot, it.visible, it.hidden) {
				return false
			}
		}
		if need == 0 {
			return true
		}
	}
	return false
}

func (e *Engine) bestTick(side Side) int32 {
	if side == Buy {
		return e.bestBid
	}
	return e.bestAsk
}

// nextTick returns the next worse level of side after t, or -1.
func (e *Engine) nextTick(side Side, t int32) int32 {
	if side == Buy {
		return int32(e.bits.prev(int(t) - 1))
	}
	return int32(e.bits.next(int(t) + 1))
}

// stopLess orders a stop list: by stop price in trigger order, then by id.
func (e *Engine) stopLess(up bool, a, b int32) bool {
	x, y := &e.orders[a], &e.orders[b]
	if x.stopPrice != y.stopPrice {
		return (x.stopPrice < y.stopPrice) == up
	}
	return x.id < y.id
}

func (e *Engine) stopList(s int32) (*[]int32, bool) {
	o := &e.orders[s]
	if triggersUp(o.side, o.typ) {
		return &e.stopsUp, true
	}
	return &e.stopsDown, false
}

func (e *Engine) addStop(s int32) {
	list, up := e.stopList(s)
	i := sort.Search(len(*list), func(i int) bool { return e.stopLess(up, s, (*list)[i]) })
	*list = append(*list, 0)
	copy((*list)[i+1:], (*list)[i:])
	(*list)[i] = s
}

func (e *Engine) removeStop(s int32) {
	list, up := e.stopList(s)
	i := sort.Search(len(*list), func(i int) bool { return !e.stopLess(up, (*list)[i], s) })
	*list = append((*list)[:i], (*list)[i+1:]...)
}

// runStops fires every stop order whose trigger the last trade price has
// reached. When several are due, the oldest (lowest id) fires first; each
// firing can trade and move the price, so the due set is recomputed after
// every one. A fired order keeps its id and works as its triggered type.
func (e *Engine) runStops() {
	for e.lastPrice != 0 {
		best, bestList := -1, (*[]int32)(nil)
		var bestID uint64
		for i, s := range e.stopsUp {
			o := &e.orders[s]
			if o.stopPrice > e.lastPrice {
				break
			}
			if best < 0 || o.id < bestID {
				best, bestList, bestID = i, &e.stopsUp, o.id
			}
		}
		for i, s := range e.stopsDown {
			o := &e.orders[s]
			if o.stopPrice < e.lastPrice {
				break
			}
			if best < 0 || o.id < bestID {
				best, bestList, bestID = i, &e.stopsDown, o.id
			}
		}
		if best < 0 {
			return
		}
		s := (*bestList)[best]
		*bestList = append((*bestList)[:best], (*bestList)[best+1:]...)
		o := &e.orders[s]
		o.typ = o.typ.triggered()
		o.state = stateTaking
		ev := e.push(EvTriggered)
		ev.OrderID, ev.Account, ev.Ref = o.id, o.account, o.ref
		ev.Side, ev.Type, ev.TIF, ev.Price, ev.StopPrice = o.side, o.typ, o.tif, e.lastPrice, o.stopPrice
		e.execute(s)
	}
}
