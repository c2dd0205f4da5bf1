package matching

// CheckInvariants verifies the engine's internal consistency: the book is
// not crossed, every level's list, count and visible total agree with its
// orders, every open order is in exactly one place (one level or one stop
// list) and in the id index, every order's quantity is conserved
// (qty = filled + prevented + remaining), and every account's open-order
// list and count agree with the orders. It costs O(open orders) and is run
// after every command only in builds with the invariants tag; tests call it
// directly at checkpoints.
func (e *Engine) CheckInvariants() error {
	seen := make([]bool, len(e.orders))
	bid, ask := int32(-1), int32(-1)
	placed := 0
	for t := e.bits.next(0); t >= 0; t = e.bits.next(t + 1) {
		l := e.lvl(int32(t))
		if l.count == 0 || l.head == nilSlot {
			return ruleError(ErrInvariant, "tick %d set but level empty", t)
		}
		if l.side == Buy {
			if ask >= 0 {
				return ruleError(ErrInvariant, "bid at tick %d above ask at %d", t, ask)
			}
			bid = int32(t)
		} else if ask < 0 {
			ask = int32(t)
		}
		var n int32
		var vis int64
		prev := int32(nilSlot)
		for s := l.head; s != nilSlot; s = e.orders[s].next {
			o := &e.orders[s]
			if seen[s] {
				return ruleError(ErrInvariant, "order %d linked twice", o.id)
			}
			seen[s] = true
			if o.prev != prev || o.state != stateResting || o.tick != int32(t) || o.side != l.side {
				return ruleError(ErrInvariant, "order %d misplaced in level %d", o.id, t)
			}
			if err := e.checkOrder(s); err != nil {
				return err
			}
			if o.visible <= 0 || o.visible > o.remaining ||
				(o.iceberg == 0 && o.visible != o.remaining) || (o.iceberg != 0 && o.visible > o.iceberg) {
				return ruleError(ErrInvariant, "order %d visible %d of remaining %d (iceberg %d)", o.id, o.visible, o.remaining, o.iceberg)
			}
			if e.priceOf(int32(t)) != o.price {
				return ruleError(ErrInvariant, "order %d price %d at tick %d", o.id, o.price, t)
			}
			n++
			vis += o.visible
			prev = s
		}
		if n != l.count || vis != l.visible || l.tail != prev {
			return ruleError(ErrInvariant, "level %d count %d/%d visible %d/%d", t, l.count, n, l.visible, vis)
		}
		placed += int(n)
	}
	if bid != e.bestBid || ask != e.bestAsk {
		return ruleError(ErrInvariant, "best bid/ask %d/%d, want %d/%d", e.bestBid, e.bestAsk, bid, ask)
	}
	for i, list := range [2][]int32{e.stopsUp, e.stopsDown} {
		up := i == 0
		for j, s := range list {
			o := &e.orders[s]
			if seen[s] || o.state != stateStop || triggersUp(o.side, o.typ) != up {
				return ruleError(ErrInvariant, "stop order %d misplaced", o.id)
			}
			seen[s] = true
			if j > 0 && !e.stopLess(up, list[j-1], s) {
				return ruleError(ErrInvariant, "stop list out of order at %d", o.id)
			}
			if err := e.checkOrder(s); err != nil {
				return err
			}
			placed++
		}
	}
	if placed != e.ids.count || placed+len(e.free) != len(e.orders) {
		return ruleError(ErrInvariant, "%d orders placed, %d indexed, %d free of %d", placed, e.ids.count, len(e.free), len(e.orders))
	}
	for _, s := range e.free {
		if seen[s] || e.orders[s].state != stateFree {
			return ruleError(ErrInvariant, "free slot %d in use", s)
		}
	}
	total := 0
	for a := range e.accts.list {
		acc := &e.accts.list[a]
		var n int32
		var lastID uint64
		prev := int32(nilSlot)
		for s := acc.head; s != nilSlot; s = e.orders[s].accNext {
			o := &e.orders[s]
			if !seen[s] || o.acct != int32(a) || o.account != acc.id || o.accPrev != prev || o.id <= lastID {
				return ruleError(ErrInvariant, "account %d list broken at order %d", acc.id, o.id)
			}
			lastID, prev = o.id, s
			n++
		}
		if n != acc.open || acc.tail != prev {
			return ruleError(ErrInvariant, "account %d open %d, listed %d", acc.id, acc.open, n)
		}
		total += int(n)
	}
	if total != placed {
		return ruleError(ErrInvariant, "accounts list %d orders, book holds %d", total, placed)
	}
	return nil
}

func (e *Engine) checkOrder(s int32) error {
	o := &e.orders[s]
	if e.ids.get(o.id) != s || o.id > e.lastOrderID {
		return ruleError(ErrInvariant, "order %d not indexed at its slot", o.id)
	}
	if o.remaining <= 0 || o.filled < 0 || o.prevented < 0 || o.qty != o.filled+o.prevented+o.remaining {
		return ruleError(ErrInvariant, "order %d quantity not conserved: qty %d filled %d prevented %d remaining %d",
			o.id, o.qty, o.filled, o.prevented, o.remaining)
	}
	return nil
}
