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
// goroutine writes the accumulated batch in one transaction, on a database
// connection of its own (exchangedb.DB.WriteHistory). The journal stays
// the source of truth: a crash loses at most the unwritten tail, which the
// next start rewrites from the replayed state (restoreHistory).
//
// The queue (with the batch being written) is bounded by limit records.
// When it is full, new orders wait before taking their hold (backpressure,
// wait) until the writer has written a batch, so nothing acknowledged is
// ever dropped: a command already
// past that point (a cancel, an order already submitted) still queues its
// records, which bounds the queue at limit plus what the commands in
// flight produce. A writer that keeps failing (database down) thus stops
// new orders instead of growing memory without bound.
type historyWriter struct {
	db      *exchangedb.DB
	log     *slog.Logger
	limit   int
	waitMax time.Duration // historyWaitMax; tests shorten it

	flushMu sync.Mutex // one flush at a time
	mu      sync.Mutex
	orders  []exchangedb.Order
	trades  []exchangedb.Trade
	writing int           // records of the batch being written
	drained chan struct{} // closed when a batch is written
	kick    chan struct{} // something queued
	urgent  chan struct{} // half the limit queued: write now
}

// historyLimit bounds the queued history records (about 200 bytes each):
// several seconds of orders at 20,000 a second.
const historyLimit = 100_000

// historyWaitMax bounds how long an order waits for room in a full
// history queue before it is refused (errOverloaded).
const historyWaitMax = 10 * time.Second

func errOverloaded() *APIError {
	return apiErr(-1008, "Server is currently overloaded with other requests. Please try again later.")
}

func newHistoryWriter(db *exchangedb.DB, log *slog.Logger) *historyWriter {
	return &historyWriter{db: db, log: log, limit: historyLimit, waitMax: historyWaitMax,
		kick: make(chan struct{}, 1), urgent: make(chan struct{}, 1)}
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

// add queues one command's changes; called under the market's lock. It
// never blocks: backpressure is applied before an order is submitted
// (wait).
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
	n := len(h.orders) + len(h.trades)
	h.mu.Unlock()
	signal(h.kick)
	if n >= h.limit/2 {
		signal(h.urgent)
	}
}

func signal(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}

func (h *historyWriter) hasRoom() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.orders)+len(h.trades)+h.writing < h.limit
}

// wait returns once the queue has room (or ctx ends).
func (h *historyWriter) wait(ctx context.Context) error {
	for {
		h.mu.Lock()
		if len(h.orders)+len(h.trades)+h.writing < h.limit {
			h.mu.Unlock()
			return nil
		}
		if h.drained == nil {
			h.drained = make(chan struct{})
		}
		c := h.drained
		h.mu.Unlock()
		signal(h.urgent)
		select {
		case <-c:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// run writes batches until ctx ends; then flush writes the rest.
func (h *historyWriter) run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-h.kick:
		case <-h.urgent:
		}
		pause, urgent := 50*time.Millisecond, h.urgent
		if h.flush() != nil {
			pause, urgent = time.Second, nil // back off from a failing database
		}
		// Let a busy market accumulate a larger batch, unless the queue
		// is filling up.
		select {
		case <-ctx.Done():
			return
		case <-urgent:
		case <-time.After(pause):
		}
	}
}

type orderKey struct {
	sym string
	id  uint64
}

// flush writes what is queued; on failure the batch is kept for the next
// try (the writes are idempotent).
func (h *historyWriter) flush() error {
	h.flushMu.Lock()
	defer h.flushMu.Unlock()
	h.mu.Lock()
	orders, trades := h.orders, h.trades
	h.orders, h.trades = nil, nil
	h.writing = len(orders) + len(trades)
	h.mu.Unlock()
	if len(orders) == 0 && len(trades) == 0 {
		return nil
	}
	// An order touched by several commands in the batch: its last state.
	last := make(map[orderKey]int, len(orders))
	for i := range orders {
		last[orderKey{orders[i].Symbol, orders[i].ID}] = i
	}
	dedup := orders[:0]
	for i := range orders {
		if last[orderKey{orders[i].Symbol, orders[i].ID}] == i {
			dedup = append(dedup, orders[i])
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := h.db.WriteHistory(ctx, dedup, trades)
	h.mu.Lock()
	defer h.mu.Unlock()
	h.writing = 0
	if err != nil {
		h.log.Error("history write failed", "orders", len(dedup), "trades", len(trades), "err", err)
		h.orders, h.trades = append(dedup, h.orders...), append(trades, h.trades...)
		signal(h.kick)
		return err
	}
	if h.drained != nil {
		close(h.drained)
		h.drained = nil
	}
	return nil
}

// FlushHistory writes queued history now (tests and shutdown).
func (v *Venue) FlushHistory() { _ = v.hist.flush() }

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
