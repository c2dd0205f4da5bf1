package exchangedb

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
)

// Order is an order's latest state as the venue last applied it. Prices
// and quantities are the market's integer units.
type Order struct {
	Symbol        string
	ID            uint64
	Account       uint64
	ClientOrderID string
	Side          int
	Type          string // the API type
	TIF           int
	Price         int64
	StopPrice     int64
	Qty           int64
	QuoteQty      int64
	Iceberg       int64
	Filled        int64
	CumQuote      int64
	Status        string
	Working       bool
	TimeMS        int64
	UpdateMS      int64
}

// Trade is one fill.
type Trade struct {
	Symbol       string
	ID           uint64
	Price, Qty   int64
	Quote        int64
	TimeMS       int64
	BuyerIsMaker bool
	TakerOrder   uint64
	MakerOrder   uint64
	Buyer        uint64
	Seller       uint64
	BuyerFee     int64
	SellerFee    int64
}

const (
	orderCols = `symbol, order_id, account, client_id, side, api_type, tif, price, stop_price, qty, quote_qty,
		iceberg, filled, cum_quote, status, working, time_ms, update_ms`
	tradeCols = `symbol, trade_id, price, qty, quote, time_ms, buyer_is_maker, taker_order, maker_order, buyer,
		seller, buyer_fee, seller_fee`
	// historyChunk rows per INSERT keeps a statement's parameters well
	// under SQLite's limit (32766) and PostgreSQL's (65535).
	historyChunk = 200
)

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// placeholders returns "($1,...,$n),($n+1,...)" for rows of cols values,
// or "(?,...),(...)" for SQLite, whose lookup of numbered parameters is
// linear in their count (quadratic for a multi-row insert).
func (d *DB) placeholders(rows, cols int) string {
	var b strings.Builder
	n := 1
	for r := range rows {
		if r > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('(')
		for c := range cols {
			if c > 0 {
				b.WriteByte(',')
			}
			if d.driver == SQLite {
				b.WriteByte('?')
			} else {
				b.WriteByte('$')
				b.WriteString(strconv.Itoa(n))
			}
			n++
		}
		b.WriteByte(')')
	}
	return b.String()
}

// WriteHistory upserts orders (their latest state wins) and inserts trades
// (idempotent: a trade id already stored is kept) in one transaction. The
// venue calls it off the order path, in the order it applied the events.
func (d *DB) WriteHistory(ctx context.Context, orders []Order, trades []Trade) error {
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for len(orders) > 0 {
		n := min(len(orders), historyChunk)
		args := make([]any, 0, n*18)
		for _, o := range orders[:n] {
			args = append(args, o.Symbol, o.ID, o.Account, o.ClientOrderID, o.Side, o.Type, o.TIF, o.Price, o.StopPrice,
				o.Qty, o.QuoteQty, o.Iceberg, o.Filled, o.CumQuote, o.Status, b2i(o.Working), o.TimeMS, o.UpdateMS)
		}
		q := `INSERT INTO orders (` + orderCols + `) VALUES ` + d.placeholders(n, 18) + `
			ON CONFLICT (symbol, order_id) DO UPDATE SET client_id = excluded.client_id, api_type = excluded.api_type,
			qty = excluded.qty, filled = excluded.filled, cum_quote = excluded.cum_quote, status = excluded.status,
			working = excluded.working, time_ms = excluded.time_ms, update_ms = excluded.update_ms`
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return ruleError(ErrInvalidConfig, err, "write orders")
		}
		orders = orders[n:]
	}
	for len(trades) > 0 {
		n := min(len(trades), historyChunk)
		args := make([]any, 0, n*13)
		for _, t := range trades[:n] {
			args = append(args, t.Symbol, t.ID, t.Price, t.Qty, t.Quote, t.TimeMS, b2i(t.BuyerIsMaker), t.TakerOrder,
				t.MakerOrder, t.Buyer, t.Seller, t.BuyerFee, t.SellerFee)
		}
		q := `INSERT INTO trades (` + tradeCols + `) VALUES ` + d.placeholders(n, 13) + ` ON CONFLICT (symbol, trade_id) DO NOTHING`
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return ruleError(ErrInvalidConfig, err, "write trades")
		}
		trades = trades[n:]
	}
	return tx.Commit()
}

func scanOrders(rows *sql.Rows, err error) ([]Order, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Order
	for rows.Next() {
		var o Order
		var working int
		if err := rows.Scan(&o.Symbol, &o.ID, &o.Account, &o.ClientOrderID, &o.Side, &o.Type, &o.TIF, &o.Price, &o.StopPrice,
			&o.Qty, &o.QuoteQty, &o.Iceberg, &o.Filled, &o.CumQuote, &o.Status, &working, &o.TimeMS, &o.UpdateMS); err != nil {
			return nil, err
		}
		o.Working = working != 0
		out = append(out, o)
	}
	return out, rows.Err()
}

func scanTrades(rows *sql.Rows, err error) ([]Trade, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Trade
	for rows.Next() {
		var t Trade
		var bm int
		if err := rows.Scan(&t.Symbol, &t.ID, &t.Price, &t.Qty, &t.Quote, &t.TimeMS, &bm, &t.TakerOrder, &t.MakerOrder,
			&t.Buyer, &t.Seller, &t.BuyerFee, &t.SellerFee); err != nil {
			return nil, err
		}
		t.BuyerIsMaker = bm != 0
		out = append(out, t)
	}
	return out, rows.Err()
}

// MarketOrders returns every stored order of a market in id order (the
// venue restores client order ids, API types and times after replaying
// its journal).
func (d *DB) MarketOrders(ctx context.Context, symbol string) ([]Order, error) {
	return scanOrders(d.db.QueryContext(ctx, `SELECT `+orderCols+` FROM orders WHERE symbol = $1 ORDER BY order_id`, symbol))
}

// AccountOrders returns an account's orders in a market with id >= fromID,
// oldest first, at most limit (the first limit from fromID, or the latest
// limit when fromID is 0, as Binance's allOrders).
func (d *DB) AccountOrders(ctx context.Context, symbol string, account, fromID uint64, limit int) ([]Order, error) {
	if fromID == 0 {
		os, err := scanOrders(d.db.QueryContext(ctx, `SELECT `+orderCols+` FROM orders WHERE account = $1 AND symbol = $2
			ORDER BY order_id DESC LIMIT $3`, account, symbol, limit))
		reverse(os)
		return os, err
	}
	return scanOrders(d.db.QueryContext(ctx, `SELECT `+orderCols+` FROM orders WHERE account = $1 AND symbol = $2
		AND order_id >= $3 ORDER BY order_id LIMIT $4`, account, symbol, fromID, limit))
}

// MarketTrades returns a market's trades with id >= fromID, oldest first,
// at most limit (the latest limit when fromID is 0).
func (d *DB) MarketTrades(ctx context.Context, symbol string, fromID uint64, limit int) ([]Trade, error) {
	if fromID == 0 {
		ts, err := scanTrades(d.db.QueryContext(ctx, `SELECT `+tradeCols+` FROM trades WHERE symbol = $1
			ORDER BY trade_id DESC LIMIT $2`, symbol, limit))
		reverse(ts)
		return ts, err
	}
	return scanTrades(d.db.QueryContext(ctx, `SELECT `+tradeCols+` FROM trades WHERE symbol = $1 AND trade_id >= $2
		ORDER BY trade_id LIMIT $3`, symbol, fromID, limit))
}

// TradesBetween returns a market's trades with time in [startMS, endMS],
// oldest first, at most limit.
func (d *DB) TradesBetween(ctx context.Context, symbol string, startMS, endMS int64, limit int) ([]Trade, error) {
	return scanTrades(d.db.QueryContext(ctx, `SELECT `+tradeCols+` FROM trades WHERE symbol = $1 AND time_ms >= $2
		AND time_ms <= $3 ORDER BY trade_id LIMIT $4`, symbol, startMS, endMS, limit))
}

// AccountTrades returns an account's trades in a market (as buyer or
// seller) with id >= fromID, oldest first, at most limit (the latest limit
// when fromID is 0).
func (d *DB) AccountTrades(ctx context.Context, symbol string, account, fromID uint64, limit int) ([]Trade, error) {
	if fromID == 0 {
		ts, err := scanTrades(d.db.QueryContext(ctx, `SELECT `+tradeCols+` FROM trades WHERE symbol = $1
			AND (buyer = $2 OR seller = $2) ORDER BY trade_id DESC LIMIT $3`, symbol, account, limit))
		reverse(ts)
		return ts, err
	}
	return scanTrades(d.db.QueryContext(ctx, `SELECT `+tradeCols+` FROM trades WHERE symbol = $1
		AND (buyer = $2 OR seller = $2) AND trade_id >= $3 ORDER BY trade_id LIMIT $4`, symbol, account, fromID, limit))
}

func reverse[T any](s []T) {
	for i, j := 0, len(s)-1; i < j; i, j = i+1, j-1 {
		s[i], s[j] = s[j], s[i]
	}
}
