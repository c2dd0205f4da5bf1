package venue

import (
	"context"
	"sort"
	"time"

	"github.com/ballast-chain/ballast/internal/exchangedb"
	"github.com/ballast-chain/ballast/internal/ledger"
	"github.com/ballast-chain/ballast/internal/matching"
)

// NewOrder is a validated order request in integer units.
type NewOrder struct {
	Account       uint64
	ClientOrderID string
	Side          matching.Side
	Type          matching.OrderType
	TIF           matching.TimeInForce
	STP           matching.STPMode
	Price         int64
	StopPrice     int64
	Qty           int64
	QuoteQty      int64
	Iceberg       int64
}

// Result is what an order request produced: the order as it stands once
// its events are applied, and the fills it took as taker.
type Result struct {
	Order Order
	Fills []Trade
}

// PlaceOrder holds the funds the order can spend, journals it (durable
// before this returns), and applies its events.
func (v *Venue) PlaceOrder(ctx context.Context, symbol string, n NewOrder) (Result, error) {
	m, ok := v.Market(symbol)
	if !ok {
		return Result{}, errUnknownSymbol()
	}
	return m.place(ctx, v.ref.Add(1), n, nil)
}

func (m *Market) place(ctx context.Context, ref uint64, n NewOrder, cancel *matching.Command) (Result, error) {
	apiType := n.Type.String()
	cmd := matching.Command{Kind: matching.CmdNew, Account: n.Account, Ref: ref, Side: n.Side, Type: n.Type, TIF: n.TIF, STP: n.STP,
		Price: n.Price, StopPrice: n.StopPrice, Qty: n.Qty, QuoteQty: n.QuoteQty, IcebergQty: n.Iceberg}
	if cancel != nil {
		cmd.Kind, cmd.OrderID = matching.CmdCancelReplace, cancel.OrderID
	}
	if n.Type == matching.Market && n.Side == matching.Buy && n.Qty != 0 {
		// The quote a market buy by quantity spends is unbounded; run it
		// as an IOC limit at the best ask plus the protection margin.
		p, ok := m.protectPrice()
		if !ok {
			return Result{}, errNoLiquidity()
		}
		cmd.Type, cmd.TIF, cmd.Price = matching.Limit, matching.IOC, p
	}
	asset, amount, err := m.Spec.hold(cmd.Side, cmd.Type, cmd.Price, cmd.Qty, cmd.QuoteQty)
	if err != nil {
		return Result{}, err
	}
	if n.ClientOrderID == "" {
		n.ClientOrderID = "x-" + formatFixed(int64(ref&(1<<62-1)), 0)
	}
	if m.hist != nil && !m.hist.hasRoom() {
		// Backpressure from the history writer, bounded: a database that
		// stays down answers Binance's "overloaded" instead of holding
		// requests without end.
		wctx, cancel := context.WithTimeoutCause(ctx, m.hist.waitMax, errOverloaded())
		err := m.hist.wait(wctx)
		cancel()
		if err != nil {
			if cause := context.Cause(wctx); ctx.Err() == nil && cause != nil {
				err = cause
			}
			return Result{}, err
		}
	}
	m.mu.Lock()
	if id, dup := m.byClient[clientKey{n.Account, n.ClientOrderID}]; dup && !m.orders[id].done {
		m.mu.Unlock()
		return Result{}, errDupClientID()
	}
	if err := m.l.Post(ledger.Lock(ledger.AccountID(n.Account), ledger.Asset(asset), amount)); err != nil {
		m.mu.Unlock()
		return Result{}, errBalance()
	}
	m.meta[ref] = pendingMeta{clientID: n.ClientOrderID, apiType: apiType, timeMS: m.now(), account: n.Account, asset: asset, hold: amount}
	m.mu.Unlock()

	evs, _, err := m.j.Submit(ctx, &cmd, nil)
	if err != nil {
		m.mu.Lock()
		if _, ok := m.meta[ref]; ok {
			delete(m.meta, ref)
			m.release(n.Account, asset, amount)
		}
		m.mu.Unlock()
		return Result{}, err
	}
	return m.result(evs, ref)
}

// result builds the response from a command's events.
func (m *Market) result(evs []matching.Event, ref uint64) (Result, error) {
	var res Result
	var id uint64
	for i := range evs {
		ev := &evs[i]
		switch {
		case ev.Kind == matching.EvRejected && ev.Ref == ref:
			return res, apiErr(int(ev.Reason.Code()), ev.Reason.Message())
		case ev.Kind == matching.EvAccepted && ev.Ref == ref:
			id = ev.OrderID
		case ev.Kind == matching.EvTrade && id != 0 && ev.OrderID == id:
			res.Fills = append(res.Fills, m.tradeFromEvent(ev))
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if o := m.orders[id]; o != nil {
		res.Order = *o
	}
	return res, nil
}

func (m *Market) tradeFromEvent(ev *matching.Event) Trade {
	t := Trade{ID: ev.TradeID, Price: ev.Price, Qty: ev.Qty, Quote: ev.Quote, TakerOrder: ev.OrderID, MakerOrder: ev.MakerOrderID}
	if ev.Side == matching.Buy {
		t.BuyerFee, t.SellerFee = ev.TakerFee*m.Spec.BaseScale(), ev.MakerFee*m.Spec.QuoteScale()
	} else {
		t.BuyerFee, t.SellerFee, t.BuyerIsMaker = ev.MakerFee*m.Spec.BaseScale(), ev.TakerFee*m.Spec.QuoteScale(), true
	}
	return t
}

func (m *Market) protectPrice() (int64, bool) {
	m.mu.Lock()
	best := int64(0)
	for p := range m.asks {
		if best == 0 || p < best {
			best = p
		}
	}
	m.mu.Unlock()
	if best == 0 {
		return 0, false
	}
	c := m.Spec.Engine
	pct := m.Spec.ProtectionPct
	if pct == 0 {
		pct = 10
	}
	p := best + best*pct/100
	if p > c.MaxPrice {
		p = c.MaxPrice
	}
	p -= (p - c.MinPrice) % c.TickSize
	return p, true
}

// CancelOrder cancels an open order by id or client order id.
func (v *Venue) CancelOrder(ctx context.Context, symbol string, account, id uint64, clientID string) (Order, error) {
	m, ok := v.Market(symbol)
	if !ok {
		return Order{}, errUnknownSymbol()
	}
	if id == 0 {
		m.mu.Lock()
		id = m.byClient[clientKey{account, clientID}]
		m.mu.Unlock()
		if id == 0 {
			return Order{}, apiErr(-2011, "Unknown order sent.")
		}
	}
	evs, _, err := m.j.Submit(ctx, &matching.Command{Kind: matching.CmdCancel, Account: account, OrderID: id}, nil)
	if err != nil {
		return Order{}, err
	}
	for _, ev := range evs {
		if ev.Kind == matching.EvRejected {
			return Order{}, apiErr(int(ev.Reason.Code()), ev.Reason.Message())
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return *m.orders[id], nil
}

// CancelAll cancels every open order of account in the market.
func (v *Venue) CancelAll(ctx context.Context, symbol string, account uint64) ([]Order, error) {
	m, ok := v.Market(symbol)
	if !ok {
		return nil, errUnknownSymbol()
	}
	evs, _, err := m.j.Submit(ctx, &matching.Command{Kind: matching.CmdCancelAll, Account: account}, nil)
	if err != nil {
		return nil, err
	}
	var out []Order
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, ev := range evs {
		if ev.Kind == matching.EvRejected {
			return nil, apiErr(int(ev.Reason.Code()), ev.Reason.Message())
		}
		if ev.Kind == matching.EvCancelled {
			out = append(out, *m.orders[ev.OrderID])
		}
	}
	return out, nil
}

// CancelReplace atomically cancels an order and places a new one
// (STOP_ON_FAILURE).
func (v *Venue) CancelReplace(ctx context.Context, symbol string, cancelID uint64, n NewOrder) (Result, error) {
	m, ok := v.Market(symbol)
	if !ok {
		return Result{}, errUnknownSymbol()
	}
	return m.place(ctx, v.ref.Add(1), n, &matching.Command{OrderID: cancelID})
}

// GetOrder returns an order of account by id or client order id.
func (m *Market) GetOrder(account, id uint64, clientID string) (Order, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if id == 0 {
		id = m.byClient[clientKey{account, clientID}]
	}
	o := m.orders[id]
	if o == nil || o.Account != account {
		return Order{}, errNoOrder()
	}
	return *o, nil
}

// Orders returns account's orders (open only if openOnly), oldest first,
// with ids >= fromID, at most limit.
func (m *Market) Orders(account uint64, openOnly bool, fromID uint64, limit int) []Order {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []Order
	for _, id := range m.accounts[account] {
		o := m.orders[id]
		if id < fromID || (openOnly && o.done) {
			continue
		}
		out = append(out, *o)
	}
	if limit > 0 && len(out) > limit {
		out = out[len(out)-limit:]
	}
	return out
}

// AccountTrades returns account's trades in the market, oldest first:
// from fromID on (at most limit), or the latest limit when fromID is 0.
// Trades older than the in-memory window come from the database.
func (m *Market) AccountTrades(account uint64, fromID uint64, limit int) []Trade {
	m.mu.Lock()
	var out []Trade
	for _, t := range m.trades {
		if (t.Buyer == account || t.Seller == account) && t.ID >= fromID {
			out = append(out, t)
		}
	}
	inMemory := m.memoryFrom(fromID)
	m.mu.Unlock()
	if !inMemory && (fromID > 0 || len(out) < limit) && m.db != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		recs, err := m.db.AccountTrades(ctx, m.Spec.Symbol, account, fromID, limit)
		cancel()
		if err == nil {
			out = mergeTrades(recs, out)
		}
	}
	return clip(out, fromID, limit)
}

// mergeTrades puts stored trades before the in-memory ones they do not
// overlap.
func mergeTrades(stored []exchangedb.Trade, mem []Trade) []Trade {
	out := make([]Trade, 0, len(stored)+len(mem))
	for i := range stored {
		out = append(out, tradeFromRecord(&stored[i]))
	}
	var last uint64
	if len(out) > 0 {
		last = out[len(out)-1].ID
	}
	for _, t := range mem {
		if t.ID > last {
			out = append(out, t)
		}
	}
	return out
}

// clip keeps the first limit trades from fromID, or the last limit.
func clip(ts []Trade, fromID uint64, limit int) []Trade {
	if limit > 0 && len(ts) > limit {
		if fromID > 0 {
			return ts[:limit]
		}
		return ts[len(ts)-limit:]
	}
	return ts
}

// Depth returns up to limit levels per side, best first, and the last
// applied event seq (Binance's lastUpdateId).
func (m *Market) Depth(limit int) (bids, asks []matching.Level, seq uint64) {
	m.mu.Lock()
	for p, q := range m.bids {
		bids = append(bids, matching.Level{Price: p, Qty: q})
	}
	for p, q := range m.asks {
		asks = append(asks, matching.Level{Price: p, Qty: q})
	}
	seq = m.nextSeq - 1
	m.mu.Unlock()
	sort.Slice(bids, func(i, j int) bool { return bids[i].Price > bids[j].Price })
	sort.Slice(asks, func(i, j int) bool { return asks[i].Price < asks[j].Price })
	if limit > 0 && len(bids) > limit {
		bids = bids[:limit]
	}
	if limit > 0 && len(asks) > limit {
		asks = asks[:limit]
	}
	return bids, asks, seq
}

// Trades returns recent trades with id >= fromID (0: the latest limit);
// trades older than the in-memory window come from the database.
func (m *Market) Trades(fromID uint64, limit int) []Trade {
	m.mu.Lock()
	ts := m.trades
	if fromID > 0 {
		i := sort.Search(len(ts), func(i int) bool { return ts[i].ID >= fromID })
		ts = ts[i:]
		if len(ts) > limit {
			ts = ts[:limit]
		}
	} else if len(ts) > limit {
		ts = ts[len(ts)-limit:]
	}
	out := append([]Trade(nil), ts...)
	inMemory := m.memoryFrom(fromID)
	m.mu.Unlock()
	if !inMemory && (fromID > 0 || len(out) < limit) {
		if stored := m.storedTrades(fromID, limit); stored != nil {
			merged := stored
			var last uint64
			if len(merged) > 0 {
				last = merged[len(merged)-1].ID
			}
			for _, t := range out {
				if t.ID > last {
					merged = append(merged, t)
				}
			}
			out = clip(merged, fromID, limit)
		}
	}
	return out
}
