package matching

import "sort"

// refBook is the naive reference model: maps and sorted slices, written for
// obviousness rather than speed, sharing no matching code with Engine. FOK
// is decided by running the order on a deep copy and looking at the result.
// Differential tests require identical event streams from both.
type refBook struct {
	cfg         Config
	orders      map[uint64]*refOrder // open orders
	bids, asks  []*refLevel          // best first
	stops       []*refOrder          // untriggered, in acceptance order
	seq         uint64
	lastOrderID uint64
	lastTradeID uint64
	lastPrice   int64
	out         []Event
}

type refOrder struct {
	id, account, ref                                    uint64
	side                                                Side
	typ                                                 OrderType
	tif                                                 TimeInForce
	stp                                                 STPMode
	price, stop, qty, filled, prevented, remaining, vis int64
	iceberg, quoteLeft                                  int64
	byQuote                                             bool
}

type refLevel struct {
	price int64
	q     []*refOrder
}

func newRefBook(cfg Config) *refBook {
	return &refBook{cfg: cfg, orders: map[uint64]*refOrder{}}
}

func (r *refBook) clone() *refBook {
	c := *r
	c.orders = map[uint64]*refOrder{}
	copied := map[*refOrder]*refOrder{}
	cp := func(o *refOrder) *refOrder {
		if n, ok := copied[o]; ok {
			return n
		}
		n := *o
		copied[o] = &n
		c.orders[n.id] = &n
		return &n
	}
	for _, o := range r.orders {
		cp(o)
	}
	levels := func(ls []*refLevel) []*refLevel {
		var out []*refLevel
		for _, l := range ls {
			nl := &refLevel{price: l.price}
			for _, o := range l.q {
				nl.q = append(nl.q, cp(o))
			}
			out = append(out, nl)
		}
		return out
	}
	c.bids, c.asks = levels(r.bids), levels(r.asks)
	c.stops = nil
	for _, o := range r.stops {
		c.stops = append(c.stops, cp(o))
	}
	c.out = nil
	return &c
}

func (r *refBook) emit(ev Event) {
	r.seq++
	ev.Seq = r.seq
	r.out = append(r.out, ev)
}

func (r *refBook) apply(c Command) []Event {
	r.out = r.out[:0]
	switch c.Kind {
	case CmdNew:
		r.place(c)
	case CmdCancel:
		o := r.find(c.OrderID, c.Account)
		if o == nil {
			r.reject(c, RejectUnknownOrder)
			return r.out
		}
		r.cancel(o, c.Ref, CancelUser)
	case CmdCancelAll:
		var mine []*refOrder
		for _, o := range r.orders {
			if o.account == c.Account {
				mine = append(mine, o)
			}
		}
		if len(mine) == 0 {
			r.reject(c, RejectUnknownOrder)
			return r.out
		}
		sort.Slice(mine, func(i, j int) bool { return mine[i].id < mine[j].id })
		for _, o := range mine {
			r.cancel(o, c.Ref, CancelAll)
		}
	case CmdAmend:
		r.amend(c)
	case CmdCancelReplace:
		if rs := r.validate(c); rs != ReasonNone {
			r.reject(c, rs)
			return r.out
		}
		o := r.find(c.OrderID, c.Account)
		if o == nil {
			r.reject(c, RejectUnknownOrder)
			return r.out
		}
		r.cancel(o, c.Ref, CancelReplaced)
		r.place(c)
	default:
		r.reject(c, RejectInvalidCommand)
	}
	return r.out
}

func (r *refBook) find(id, account uint64) *refOrder {
	o := r.orders[id]
	if o == nil || o.account != account {
		return nil
	}
	return o
}

func (r *refBook) reject(c Command, rs Reason) {
	r.emit(Event{Kind: EvRejected, Reason: rs, OrderID: c.OrderID, Account: c.Account, Ref: c.Ref,
		Side: c.Side, Type: c.Type, TIF: c.TIF, STP: c.STP})
}

func (r *refBook) side(s Side) *[]*refLevel {
	if s == Buy {
		return &r.bids
	}
	return &r.asks
}

func (r *refBook) levelAt(s Side, price int64) *refLevel {
	for _, l := range *r.side(s) {
		if l.price == price {
			return l
		}
	}
	return nil
}

func levelVis(l *refLevel) int64 {
	var v int64
	for _, o := range l.q {
		v += o.vis
	}
	return v
}

func (r *refBook) delta(s Side, price int64) {
	var v int64
	if l := r.levelAt(s, price); l != nil {
		v = levelVis(l)
	}
	r.emit(Event{Kind: EvBookDelta, Side: s, Price: price, Qty: v})
}

// removeFromLevel takes o out of its level, dropping the level when empty.
func (r *refBook) removeFromLevel(o *refOrder) {
	ls := r.side(o.side)
	for i, l := range *ls {
		if l.price != o.price {
			continue
		}
		for j, x := range l.q {
			if x == o {
				l.q = append(l.q[:j:j], l.q[j+1:]...)
				break
			}
		}
		if len(l.q) == 0 {
			*ls = append((*ls)[:i:i], (*ls)[i+1:]...)
		}
		return
	}
}

func (r *refBook) isStop(o *refOrder) bool {
	for _, s := range r.stops {
		if s == o {
			return true
		}
	}
	return false
}

func (r *refBook) cancel(o *refOrder, ref uint64, rs Reason) {
	r.emit(Event{Kind: EvCancelled, Reason: rs, OrderID: o.id, Account: o.account, Ref: ref,
		Side: o.side, Type: o.typ, Price: o.price, Qty: o.remaining})
	if r.isStop(o) {
		for i, s := range r.stops {
			if s == o {
				r.stops = append(r.stops[:i:i], r.stops[i+1:]...)
				break
			}
		}
	} else {
		r.removeFromLevel(o)
		r.delta(o.side, o.price)
	}
	delete(r.orders, o.id)
}

func (r *refBook) amend(c Command) {
	o := r.find(c.OrderID, c.Account)
	if o == nil {
		r.reject(c, RejectAmendUnknownOrder)
		return
	}
	cf := r.cfg
	if c.Qty < cf.MinQty || c.Qty > cf.MaxQty || (c.Qty-cf.MinQty)%cf.StepSize != 0 {
		r.reject(c, RejectLotSize)
		return
	}
	if c.Qty >= o.qty || c.Qty <= o.filled+o.prevented {
		r.reject(c, RejectAmendQty)
		return
	}
	o.remaining -= o.qty - c.Qty
	o.qty = c.Qty
	r.emit(Event{Kind: EvAmended, OrderID: o.id, Account: o.account, Ref: c.Ref, Side: o.side, Type: o.typ,
		Price: o.price, Qty: o.qty, Remaining: o.remaining})
	if !r.isStop(o) && o.vis > o.remaining {
		o.vis = o.remaining
		r.delta(o.side, o.price)
	}
}

func (r *refBook) validate(c Command) Reason {
	cf := r.cfg
	t := c.Type
	price := func(p int64) bool { return p >= cf.MinPrice && p <= cf.MaxPrice && (p-cf.MinPrice)%cf.TickSize == 0 }
	lot := func(q int64) bool { return q >= cf.MinQty && q <= cf.MaxQty && (q-cf.MinQty)%cf.StepSize == 0 }
	limitish := t == Limit || t == StopLossLimit || t == TakeProfitLimit
	hasPrice := limitish || t == LimitMaker
	stop := t == StopLoss || t == StopLossLimit || t == TakeProfit || t == TakeProfitLimit
	switch {
	case c.Side != Buy && c.Side != Sell:
		return RejectInvalidSide
	case t < Limit || t > TakeProfitLimit:
		return RejectInvalidType
	case c.STP > STPDecrement:
		return RejectInvalidSTP
	case limitish && (c.TIF < GTC || c.TIF > FOK), !limitish && c.TIF != TIFNone:
		return RejectInvalidTIF
	case hasPrice && c.Price == 0, stop && c.StopPrice == 0:
		return RejectMissingParameter
	case !hasPrice && c.Price != 0, !stop && c.StopPrice != 0:
		return RejectUnsupportedCombination
	case t == Market && c.Qty == 0 && c.QuoteQty == 0, t != Market && c.Qty == 0:
		return RejectMissingParameter
	case t == Market && c.Qty != 0 && c.QuoteQty != 0, t != Market && c.QuoteQty != 0:
		return RejectUnsupportedCombination
	case c.IcebergQty != 0 && (cf.IcebergParts == 0 || !(t == LimitMaker || limitish && c.TIF == GTC)):
		return RejectUnsupportedCombination
	case hasPrice && !price(c.Price), stop && !price(c.StopPrice):
		return RejectPriceFilter
	case c.Qty != 0 && !lot(c.Qty), c.IcebergQty != 0 && !lot(c.IcebergQty):
		return RejectLotSize
	case c.IcebergQty != 0 && c.IcebergQty >= c.Qty:
		return RejectIcebergExceedsQty
	case c.IcebergQty != 0 && (c.Qty+c.IcebergQty-1)/c.IcebergQty > cf.IcebergParts:
		return RejectIcebergParts
	}
	n := c.QuoteQty
	if hasPrice {
		n = c.Price * c.Qty
	}
	if (hasPrice || c.QuoteQty != 0) && (n < cf.MinNotional || cf.MaxNotional != 0 && n > cf.MaxNotional) {
		return RejectNotional
	}
	return ReasonNone
}

func refTriggersUp(s Side, t OrderType) bool {
	return (t == StopLoss || t == StopLossLimit) == (s == Buy)
}

func (r *refBook) place(c Command) {
	if rs := r.validate(c); rs != ReasonNone {
		r.reject(c, rs)
		return
	}
	if r.cfg.MaxOpenOrders > 0 {
		n := 0
		for _, o := range r.orders {
			if o.account == c.Account {
				n++
			}
		}
		if n >= int(r.cfg.MaxOpenOrders) {
			r.reject(c, RejectMaxNumOrders)
			return
		}
	}
	opp := *r.side(c.Side.Opposite())
	stop := c.Type >= StopLoss
	if c.Type == LimitMaker && len(opp) > 0 && (c.Side == Buy && c.Price >= opp[0].price || c.Side == Sell && c.Price <= opp[0].price) {
		r.reject(c, RejectWouldMatch)
		return
	}
	if stop && r.lastPrice != 0 {
		if up := refTriggersUp(c.Side, c.Type); up && r.lastPrice >= c.StopPrice || !up && r.lastPrice <= c.StopPrice {
			r.reject(c, RejectWouldTrigger)
			return
		}
	}
	if c.Type == Market && c.QuoteQty != 0 && len(opp) == 0 {
		r.reject(c, RejectNoLiquidity)
		return
	}
	r.lastOrderID++
	stp := c.STP
	if stp == STPDefault {
		stp = r.cfg.DefaultSTP
		if stp == STPDefault {
			stp = STPExpireTaker
		}
	}
	o := &refOrder{id: r.lastOrderID, account: c.Account, ref: c.Ref, side: c.Side, typ: c.Type, tif: c.TIF, stp: stp,
		price: c.Price, stop: c.StopPrice, qty: c.Qty, remaining: c.Qty, iceberg: c.IcebergQty,
		quoteLeft: c.QuoteQty, byQuote: c.QuoteQty != 0}
	if o.byQuote {
		o.remaining = r.cfg.MaxQty
	}
	r.orders[o.id] = o
	r.emit(Event{Kind: EvAccepted, OrderID: o.id, Account: o.account, Ref: o.ref, Side: o.side, Type: o.typ,
		TIF: o.tif, STP: o.stp, Price: o.price, Qty: c.Qty, Quote: c.QuoteQty, StopPrice: o.stop, Iceberg: o.iceberg})
	if stop {
		r.stops = append(r.stops, o)
		return
	}
	r.execute(o)
	r.runStops()
}

func (r *refBook) expire(o *refOrder, rs Reason) {
	ev := Event{Kind: EvExpired, Reason: rs, OrderID: o.id, Account: o.account, Ref: o.ref, Side: o.side,
		Type: o.typ, Price: o.price}
	if o.byQuote {
		ev.Quote = o.quoteLeft
	} else {
		ev.Qty = o.remaining
	}
	r.emit(ev)
}

func (r *refBook) execute(o *refOrder) {
	if o.tif == FOK {
		trial := r.clone()
		to := trial.orders[o.id]
		trial.match(to)
		if to.filled != to.qty {
			r.expire(o, ExpireFOK)
			delete(r.orders, o.id)
			return
		}
	}
	r.match(o)
	done := o.remaining == 0
	if o.byQuote {
		done = o.quoteLeft == 0
	}
	switch {
	case done:
		delete(r.orders, o.id)
	case o.typ == LimitMaker || o.typ == Limit && o.tif == GTC:
		o.vis = o.remaining
		if o.iceberg != 0 && o.iceberg < o.remaining {
			o.vis = o.iceberg
		}
		ls := r.side(o.side)
		l := r.levelAt(o.side, o.price)
		if l == nil {
			l = &refLevel{price: o.price}
			*ls = append(*ls, l)
			sort.Slice(*ls, func(i, j int) bool {
				if o.side == Buy {
					return (*ls)[i].price > (*ls)[j].price
				}
				return (*ls)[i].price < (*ls)[j].price
			})
		}
		l.q = append(l.q, o)
		r.delta(o.side, o.price)
	default:
		r.expire(o, ExpireIOC)
		delete(r.orders, o.id)
	}
}

func (r *refBook) match(o *refOrder) {
	for o.remaining > 0 {
		opp := *r.side(o.side.Opposite())
		if len(opp) == 0 {
			return
		}
		l := opp[0]
		if o.typ != Market && (o.side == Buy && l.price > o.price || o.side == Sell && l.price < o.price) {
			return
		}
		before := levelVis(l)
		stop := r.sweep(o, l)
		after := levelVis(l)
		if len(l.q) == 0 {
			r.removeLevel(o.side.Opposite(), l)
		}
		if after != before {
			r.emit(Event{Kind: EvBookDelta, Side: o.side.Opposite(), Price: l.price, Qty: after})
		}
		if stop {
			return
		}
	}
}

func (r *refBook) removeLevel(s Side, l *refLevel) {
	ls := r.side(s)
	for i, x := range *ls {
		if x == l {
			*ls = append((*ls)[:i:i], (*ls)[i+1:]...)
			return
		}
	}
}

func (r *refBook) sweep(o *refOrder, l *refLevel) bool {
	for o.remaining > 0 && len(l.q) > 0 {
		m := l.q[0]
		want := o.remaining
		if o.byQuote {
			afford := o.quoteLeft / l.price
			afford -= afford % r.cfg.StepSize
			want = min(want, afford)
			if want == 0 {
				return true
			}
		}
		if m.account == o.account && o.stp != STPNone {
			if r.prevent(o, m, l, want) {
				return true
			}
			continue
		}
		q := min(want, m.vis)
		notional := l.price * q
		r.lastTradeID++
		r.lastPrice = l.price
		o.remaining -= q
		o.filled += q
		if o.byQuote {
			o.quoteLeft -= notional
		}
		ev := Event{Kind: EvTrade, TradeID: r.lastTradeID, OrderID: o.id, Account: o.account, Side: o.side,
			MakerOrderID: m.id, MakerAccount: m.account, Price: l.price, Qty: q, Quote: notional,
			MakerFeePPM: r.cfg.MakerFeePPM, TakerFeePPM: r.cfg.TakerFeePPM}
		base, quote := q, notional
		if o.side == Buy {
			ev.TakerFee, ev.MakerFee = base*int64(r.cfg.TakerFeePPM)/1e6, quote*int64(r.cfg.MakerFeePPM)/1e6
		} else {
			ev.TakerFee, ev.MakerFee = quote*int64(r.cfg.TakerFeePPM)/1e6, base*int64(r.cfg.MakerFeePPM)/1e6
		}
		r.emit(ev)
		m.vis -= q
		m.remaining -= q
		m.filled += q
		if m.vis == 0 {
			l.q = l.q[1:]
			if m.remaining > 0 {
				m.vis = min(m.iceberg, m.remaining)
				l.q = append(l.q, m)
			} else {
				delete(r.orders, m.id)
			}
		}
	}
	return o.remaining == 0
}

func (r *refBook) prevent(o, m *refOrder, l *refLevel, want int64) bool {
	var tq, mq int64
	var xt, xm bool
	switch o.stp {
	case STPExpireTaker:
		tq, xt = want, true
	case STPExpireMaker:
		mq, xm = m.remaining, true
	case STPExpireBoth:
		tq, mq, xt, xm = want, m.remaining, true, true
	case STPDecrement:
		q := min(want, m.remaining)
		tq, mq = q, q
		xm, xt = q == m.remaining, q == o.remaining
		if o.byQuote {
			o.quoteLeft -= q * l.price
		}
	}
	r.emit(Event{Kind: EvPrevented, OrderID: o.id, Account: o.account, Side: o.side, MakerOrderID: m.id,
		MakerAccount: m.account, Price: l.price, Qty: tq, MakerQty: mq})
	o.remaining -= tq
	o.prevented += tq
	m.remaining -= mq
	m.prevented += mq
	if xm {
		r.expire(m, ExpireSTP)
		for j, x := range l.q {
			if x == m {
				l.q = append(l.q[:j:j], l.q[j+1:]...)
				break
			}
		}
		delete(r.orders, m.id)
	} else if m.vis > m.remaining {
		m.vis = m.remaining
	}
	if xt {
		o.remaining = 0
		r.expire(o, ExpireSTP)
		o.quoteLeft = 0
		return true
	}
	return false
}

func (r *refBook) runStops() {
	for r.lastPrice != 0 {
		var due *refOrder
		idx := -1
		for i, s := range r.stops {
			up := refTriggersUp(s.side, s.typ)
			if (up && r.lastPrice >= s.stop || !up && r.lastPrice <= s.stop) && (due == nil || s.id < due.id) {
				due, idx = s, i
			}
		}
		if due == nil {
			return
		}
		r.stops = append(r.stops[:idx:idx], r.stops[idx+1:]...)
		if due.typ == StopLoss || due.typ == TakeProfit {
			due.typ = Market
		} else {
			due.typ = Limit
		}
		r.emit(Event{Kind: EvTriggered, OrderID: due.id, Account: due.account, Ref: due.ref, Side: due.side,
			Type: due.typ, TIF: due.tif, Price: r.lastPrice, StopPrice: due.stop})
		r.execute(due)
	}
}
