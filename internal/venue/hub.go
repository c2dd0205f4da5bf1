package venue

import (
	"sync"
	"sync/atomic"

	"github.com/ballast-chain/ballast/internal/matching"
)

// Update is what one command changed in a market, published in event-seq
// order. Depth streams use FirstSeq/LastSeq as Binance's U/u: the REST
// depth snapshot's lastUpdateId is the seq of the last applied event, so a
// client syncs by dropping updates with LastSeq <= lastUpdateId.
type Update struct {
	Symbol            string
	FirstSeq, LastSeq uint64
	TimeMS            int64
	Trades            []Trade
	Bids, Asks        []matching.Level // levels whose quantity changed (0: removed)
	Orders            []OrderUpdate    // orders whose state changed
	// Balance is set (and the rest empty) for a balance change outside
	// trading: an admin credit or debit (later: deposits, withdrawals).
	Balance *BalanceChange
}

// BalanceChange is a change of an account's free balance outside trading,
// in the asset's ledger units (Binance's balanceUpdate).
type BalanceChange struct {
	Account uint64
	Asset   string
	Delta   int64
	TimeMS  int64
}

// OrderUpdate is an order after a command, with the command's last fill of
// it (for executionReport).
type OrderUpdate struct {
	Order
	LastQty, LastPrice, LastQuote int64
	TradeID                       uint64
	Maker                         bool
	Commission                    int64
	CommissionAsset               string
}

// Subscriber receives updates. It is called under the market's lock, in
// order, and must not block or call back into the market: copy and queue.
type Subscriber func(*Update)

// hub fans market updates out to subscribers.
type hub struct {
	n    atomic.Int32
	mu   sync.RWMutex
	next uint64
	subs map[uint64]Subscriber
}

// Subscribe registers fn for every market's updates; cancel removes it.
func (v *Venue) Subscribe(fn Subscriber) (cancel func()) {
	h := v.hub
	h.mu.Lock()
	if h.subs == nil {
		h.subs = map[uint64]Subscriber{}
	}
	h.next++
	id := h.next
	h.subs[id] = fn
	h.n.Add(1)
	h.mu.Unlock()
	return func() {
		h.mu.Lock()
		if _, ok := h.subs[id]; ok {
			delete(h.subs, id)
			h.n.Add(-1)
		}
		h.mu.Unlock()
	}
}

func (h *hub) publish(m *Market, evs []matching.Event, now int64) {
	if h.n.Load() == 0 || len(evs) == 0 {
		return
	}
	u := &Update{Symbol: m.Spec.Symbol, FirstSeq: evs[0].Seq, LastSeq: evs[len(evs)-1].Seq, TimeMS: now}
	last := map[uint64]*matching.Event{}
	for i := range evs {
		ev := &evs[i]
		switch ev.Kind {
		case matching.EvTrade:
			u.Trades = append(u.Trades, m.trades[len(m.trades)-1-countTradesAfter(evs, i)])
			last[ev.OrderID], last[ev.MakerOrderID] = ev, ev
		case matching.EvBookDelta:
			l := matching.Level{Price: ev.Price, Qty: ev.Qty}
			if ev.Side == matching.Sell {
				u.Asks = append(u.Asks, l)
			} else {
				u.Bids = append(u.Bids, l)
			}
		}
	}
	for _, o := range m.touched {
		ou := OrderUpdate{Order: *o}
		if ev := last[o.ID]; ev != nil {
			ou.LastQty, ou.LastPrice, ou.LastQuote, ou.TradeID = ev.Qty, ev.Price, ev.Quote, ev.TradeID
			ou.Maker = ev.MakerOrderID == o.ID
			fee := ev.TakerFee
			if ou.Maker {
				fee = ev.MakerFee
			}
			if o.Side == matching.Buy {
				ou.Commission, ou.CommissionAsset = fee*m.Spec.BaseScale(), m.Spec.Base
			} else {
				ou.Commission, ou.CommissionAsset = fee*m.Spec.QuoteScale(), m.Spec.Quote
			}
		}
		u.Orders = append(u.Orders, ou)
	}
	h.mu.RLock()
	for _, fn := range h.subs {
		fn(u)
	}
	h.mu.RUnlock()
}

func (h *hub) publishBalance(b *BalanceChange) {
	if h.n.Load() == 0 {
		return
	}
	u := &Update{Balance: b, TimeMS: b.TimeMS}
	h.mu.RLock()
	for _, fn := range h.subs {
		fn(u)
	}
	h.mu.RUnlock()
}

// countTradesAfter counts trade events after index i (the trades of this
// command are the last ones appended to the market's history).
func countTradesAfter(evs []matching.Event, i int) int {
	n := 0
	for j := i + 1; j < len(evs); j++ {
		if evs[j].Kind == matching.EvTrade {
			n++
		}
	}
	return n
}
