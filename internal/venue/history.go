package venue

import (
	"context"
	"log/slog"
	"sort"
	"sync"
	"time"

	"github.com/ballast-chain/ballast/internal/exchangedb"
)

// historyWriter persists order states and trades to the database off the
// order path: markets append what each command changed (after the journal
// acknowledged it, under the market's lock, in apply order) and a single
// goroutine writes the accumulated batch in one transaction. The journal
// stays the source of truth: a crash loses at most the unwritten tail,
// which the next start rewrites from the replayed state (restoreHistory).
type historyWriter struct {
	db  *exchangedb.DB
	log *slog.Logger

	mu     sync.Mutex
	orders []exchangedb.Order
	trades []exchangedb.Trade
	kick   chan struct{}
}

func newHistoryWriter(db *exchangedb.DB, log *slog.Logger) *historyWriter {
	return &historyWriter{db: db, log: log, kick: make(chan struct{}, 1)}
}

func orderRecord(o *Order) exchangedb.Order {
	return exchangedb.Order{Symbol: o.Symbol, ID: o.ID, Account: o.Account, ClientOrderID: o.ClientOrderID, Side: int(o.Side),
		Type: o.Type, TIF: int(o.TIF), Price: o.Price, StopPrice: o.StopPrice, Qty: o.Qty, QuoteQty: o.QuoteQty,
		Iceberg: o.Iceberg, Filled: o.Filled, CumQuote: o.CumQuote, Status: o.Status, Working: o.Working,
		TimeMS: o.TimeMS, UpdateMS: o.UpdateMS}
}

func tradeRecord(sym string, t *Trade) exchangedb.Trade {
	return exchangedb.Trade{Symbol: sym, ID: t.ID, Price: t.Price, Qty: t.Qty, Quote: t.Quote, TimeMS: t.TimeMS,
		BuyerIsMaker: t.BuyerIsMaker, TakerOrder: t.TakerOrder, MakerOrder: t.MakerOrder, Buyer: t.Buyer, Seller: t.Seller,
		BuyerFee: t.BuyerFee, SellerFee: t.SellerFee}
}

func tradeFromRecord(r *exchangedb.Trade) Trade {
	return Trade{ID: r.ID, Price: r.Price, Qty: r.Qty, Quote: r.Quote, TimeMS: r.TimeMS, BuyerIsMaker: r.BuyerIsMaker,
		TakerOrder: r.TakerOrder, MakerOrder: r.MakerOrder, Buyer: r.Buyer, Seller: r.Seller, BuyerFee: r.BuyerFee, SellerFee: r.SellerFee}
}

// add queues one command's changes; called under the market's lock.
func (h *historyWriter) add(sym string, touched []*Order, trades []Trade) {
	if len(touched) == 0 && len(trades) == 0 {
		return
	}
	h.mu.Lock()
	for _, o := range touched {
		h.orders = append(h.orders, orderRecord(o))
	}
	for i := range trades {
		h.trades = append(h.trades, tradeRecord(sym, &trades[i]))
	}
	h.mu.Unlock()
	select {
	case h.kick <- struct{}{}:
	default:
	}
}

// run writes batches until ctx ends; then flush writes the rest.
func (h *historyWriter) run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-h.kick:
		}
		h.flush()
		// Let a busy market accumulate a larger batch.
		select {
		case <-ctx.Done():
			return
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// flush writes what is queued; on failure the batch is kept for the next
// try (the writes are idempotent).
func (h *historyWriter) flush() {
	h.mu.Lock()
	orders, trades := h.orders, h.trades
	h.orders, h.trades = nil, nil
	h.mu.Unlock()
	if len(orders) == 0 && len(trades) == 0 {
		return
	}
	// An order touched by several commands in the batch: its last state.
	last := make(map[[2]any]int, len(orders))
	for i, o := range orders {
		last[[2]any{o.Symbol, o.ID}] = i
	}
	dedup := orders[:0]
	for i, o := range orders {
		if last[[2]any{o.Symbol, o.ID}] == i {
			dedup = append(dedup, o)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := h.db.WriteHistory(ctx, dedup, trades); err != nil {
		h.log.Error("history write failed", "orders", len(dedup), "trades", len(trades), "err", err)
		h.mu.Lock()
		h.orders, h.trades = append(dedup, h.orders...), append(trades, h.trades...)
		h.mu.Unlock()
		select {
		case h.kick <- struct{}{}:
		default:
		}
	}
}

// FlushHistory writes queued history now (tests and shutdown).
func (v *Venue) FlushHistory() { v.hist.flush() }

// restoreHistory runs after a market's journal replay: the replayed orders
// get back their client order ids, API types and times from the database,
// the replayed trades their times; whatever the database lacks (the tail
// a crash left unwritten) is queued for writing.
func (m *Market) restoreHistory(ctx context.Context, db *exchangedb.DB, h *historyWriter) error {
	recs, err := db.MarketOrders(ctx, m.Spec.Symbol)
	if err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	seen := make(map[uint64]bool, len(recs))
	for i := range recs {
		r := &recs[i]
		o := m.orders[r.ID]
		if o == nil {
			continue
		}
		seen[r.ID] = true
		if o.ClientOrderID != r.ClientOrderID {
			delete(m.byClient, clientKey{o.Account, o.ClientOrderID})
			o.ClientOrderID = r.ClientOrderID
			m.byClient[clientKey{o.Account, o.ClientOrderID}] = o.ID
		}
		o.Type, o.TimeMS = r.Type, r.TimeMS
		if r.Status == o.Status && r.Filled == o.Filled {
			o.UpdateMS = r.UpdateMS
		}
	}
	var missing []*Order
	for id, o := range m.orders {
		if !seen[id] {
			missing = append(missing, o)
		}
	}
	sort.Slice(missing, func(i, j int) bool { return missing[i].ID < missing[j].ID })
	var newTrades []Trade
	if len(m.trades) > 0 {
		stored, err := db.MarketTrades(ctx, m.Spec.Symbol, m.trades[0].ID, len(m.trades))
		if err != nil {
			return err
		}
		byID := make(map[uint64]int64, len(stored))
		for _, t := range stored {
			byID[t.ID] = t.TimeMS
		}
		for i := range m.trades {
			if ms, ok := byID[m.trades[i].ID]; ok {
				m.trades[i].TimeMS = ms
			} else {
				newTrades = append(newTrades, m.trades[i])
			}
		}
	}
	h.add(m.Spec.Symbol, missing, newTrades)
	return nil
}

// storedTrades reads trades beyond the in-memory window from the database.
func (m *Market) storedTrades(fromID uint64, limit int) []Trade {
	if m.db == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	recs, err := m.db.MarketTrades(ctx, m.Spec.Symbol, fromID, limit)
	if err != nil {
		return nil
	}
	out := make([]Trade, len(recs))
	for i := range recs {
		out[i] = tradeFromRecord(&recs[i])
	}
	return out
}

// memoryFrom reports whether the in-memory window covers trade ids from
// fromID on (callers hold m.mu).
func (m *Market) memoryFrom(fromID uint64) bool {
	return len(m.trades) == 0 || m.trades[0].ID <= max(fromID, 1)
}

// storedTradesBetween reads trades with time in [startMS, endMS] (0: no
// end) and id below beforeID from the database.
func (m *Market) storedTradesBetween(startMS, endMS int64, beforeID uint64) []Trade {
	if m.db == nil {
		return nil
	}
	if endMS <= 0 {
		endMS = 1<<62 - 1
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	recs, err := m.db.TradesBetween(ctx, m.Spec.Symbol, startMS, endMS, maxKlineTrades)
	if err != nil {
		return nil
	}
	out := make([]Trade, 0, len(recs))
	for i := range recs {
		if recs[i].ID < beforeID {
			out = append(out, tradeFromRecord(&recs[i]))
		}
	}
	return out
}

// maxKlineTrades bounds the stored trades one klines request aggregates.
const maxKlineTrades = 1_000_000
