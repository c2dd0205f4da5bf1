package matching

// priceOK applies PRICE_FILTER. Markets usually count prices in ticks
// (TickSize 1), and skipping the division then is worth the branch.
func (e *Engine) priceOK(p int64) bool {
	c := &e.cfg
	return p >= c.MinPrice && p <= c.MaxPrice && (c.TickSize == 1 || (p-c.MinPrice)%c.TickSize == 0)
}

// lotOK applies LOT_SIZE; like priceOK it skips the division for unit
// steps.
func (e *Engine) lotOK(q int64) bool {
	c := &e.cfg
	return q >= c.MinQty && q <= c.MaxQty && (c.StepSize == 1 || (q-c.MinQty)%c.StepSize == 0)
}

func (e *Engine) notionalOK(n int64) bool {
	return n >= e.cfg.MinNotional && (e.cfg.MaxNotional == 0 || n <= e.cfg.MaxNotional)
}

// validate runs the checks that depend only on the command and the market
// configuration, in a fixed order so the first failure is the one reported.
func (e *Engine) validate(c *Command) Reason {
	t := c.Type
	switch {
	case !c.Side.valid():
		return RejectInvalidSide
	case !t.valid():
		return RejectInvalidType
	case c.STP > STPDecrement:
		return RejectInvalidSTP
	}
	if t == Limit || t == StopLossLimit || t == TakeProfitLimit {
		if c.TIF < GTC || c.TIF > FOK {
			return RejectInvalidTIF
		}
	} else if c.TIF != TIFNone {
		return RejectInvalidTIF
	}
	switch {
	case t.hasPrice() && c.Price == 0, t.isStop() && c.StopPrice == 0:
		return RejectMissingParameter
	case !t.hasPrice() && c.Price != 0, !t.isStop() && c.StopPrice != 0:
		return RejectUnsupportedCombination
	}
	if t == Market {
		switch {
		case c.Qty == 0 && c.QuoteQty == 0:
			return RejectMissingParameter
		case c.Qty != 0 && c.QuoteQty != 0:
			return RejectUnsupportedCombination
		}
	} else {
		switch {
		case c.Qty == 0:
			return RejectMissingParameter
		case c.QuoteQty != 0:
			return RejectUnsupportedCombination
		}
	}
	if c.IcebergQty != 0 {
		gtc := c.TIF == GTC && (t == Limit || t == StopLossLimit || t == TakeProfitLimit)
		if !(gtc || t == LimitMaker) || e.cfg.IcebergParts == 0 {
			return RejectUnsupportedCombination
		}
	}
	if (t.hasPrice() && !e.priceOK(c.Price)) || (t.isStop() && !e.priceOK(c.StopPrice)) {
		return RejectPriceFilter
	}
	if (c.Qty != 0 && !e.lotOK(c.Qty)) || (c.IcebergQty != 0 && !e.lotOK(c.IcebergQty)) {
		return RejectLotSize
	}
	if c.IcebergQty != 0 {
		if c.IcebergQty >= c.Qty {
			return RejectIcebergExceedsQty
		}
		if (c.Qty+c.IcebergQty-1)/c.IcebergQty > e.cfg.IcebergParts {
			return RejectIcebergParts
		}
	}
	if t.hasPrice() {
		// Both factors passed their filters, so Config.Validate's bound
		// guarantees the product fits.
		n, _ := mulNotional(c.Price, c.Qty)
		if !e.notionalOK(n) {
			return RejectNotional
		}
	} else if c.QuoteQty != 0 && !e.notionalOK(c.QuoteQty) {
		return RejectNotional
	}
	return ReasonNone
}

// triggersUp reports whether a stop order fires when the price rises to its
// stop price (STOP_LOSS buy, TAKE_PROFIT sell) rather than falls to it.
func triggersUp(side Side, t OrderType) bool {
	stopLoss := t == StopLoss || t == StopLossLimit
	return stopLoss == (side == Buy)
}

// place validates and executes a new order.
func (e *Engine) place(c *Command) {
	if r := e.validate(c); r != ReasonNone {
		e.reject(c, r)
		return
	}
	e.placeValid(c)
}

// placeValid executes a new order that passed validate: the book-dependent
// checks, then acceptance and matching.
func (e *Engine) placeValid(c *Command) {
	if max := e.cfg.MaxOpenOrders; max > 0 {
		if a := e.accts.find(c.Account); a >= 0 && e.accts.list[a].open >= max {
			e.reject(c, RejectMaxNumOrders)
			return
		}
	}
	switch {
	case c.Type == LimitMaker && e.crosses(c.Side, e.tickOf(c.Price)):
		e.reject(c, RejectWouldMatch)
		return
	case c.Type.isStop() && e.lastPrice != 0:
		up := triggersUp(c.Side, c.Type)
		if (up && e.lastPrice >= c.StopPrice) || (!up && e.lastPrice <= c.StopPrice) {
			e.reject(c, RejectWouldTrigger)
			return
		}
	case c.Type == Market && c.QuoteQty != 0:
		if (c.Side == Buy && e.bestAsk < 0) || (c.Side == Sell && e.bestBid < 0) {
			e.reject(c, RejectNoLiquidity)
			return
		}
	}

	s := e.alloc()
	o := &e.orders[s]
	e.lastOrderID++
	stp := c.STP
	if stp == STPDefault {
		stp = e.cfg.defaultSTP()
	}
	// Field by field: the compiler builds a composite literal of this size
	// on the stack and copies it over, which profiled as the costliest
	// line of acceptance.
	*o = order{}
	o.id, o.account, o.ref = e.lastOrderID, c.Account, c.Ref
	o.price, o.stopPrice = c.Price, c.StopPrice
	o.qty, o.remaining, o.iceberg, o.quoteLeft = c.Qty, c.Qty, c.IcebergQty, c.QuoteQty
	o.side, o.typ, o.tif, o.stp, o.state = c.Side, c.Type, c.TIF, stp, stateTaking
	o.byQuote = c.QuoteQty != 0
	o.next, o.prev = nilSlot, nilSlot
	if o.byQuote {
		// The base quantity of a MARKET order by quote amount is bounded
		// by LOT_SIZE's maximum, as on Binance.
		o.remaining = e.cfg.MaxQty
	}
	e.ids.put(o.id, s)
	e.linkAccount(s)

	ev := e.push(EvAccepted)
	ev.OrderID, ev.Account, ev.Ref = o.id, o.account, o.ref
	ev.Side, ev.Type, ev.TIF, ev.STP = o.side, o.typ, o.tif, o.stp
	ev.Price, ev.Qty, ev.Quote, ev.StopPrice, ev.Iceberg = o.price, c.Qty, c.QuoteQty, o.stopPrice, o.iceberg

	if c.Type.isStop() {
		o.state = stateStop
		e.addStop(s)
		return
	}
	e.execute(s)
	e.runStops()
}

// execute runs an accepted (or just triggered) order as a taker, then rests
// or expires what is left.
func (e *Engine) execute(s int32) {
	o := &e.orders[s]
	if o.tif == FOK && !e.fokFillable(s) {
		e.expire(s, ExpireFOK)
		e.release(s)
		return
	}
	e.match(s)
	o = &e.orders[s]
	done := o.remaining == 0
	if o.byQuote {
		done = o.quoteLeft == 0
	}
	switch {
	case done:
		e.release(s)
	case o.typ == LimitMaker || (o.typ == Limit && o.tif == GTC):
		e.rest(s)
	default:
		e.expire(s, ExpireIOC)
		e.release(s)
	}
}

// expire reports that order s ends with its remaining quantity unfilled.
func (e *Engine) expire(s int32, r Reason) {
	o := &e.orders[s]
	ev := e.push(EvExpired)
	ev.Reason = r
	ev.OrderID, ev.Account, ev.Ref = o.id, o.account, o.ref
	ev.Side, ev.Type, ev.Price = o.side, o.typ, o.price
	if o.byQuote {
		ev.Quote = o.quoteLeft
	} else {
		ev.Qty = o.remaining
	}
}
