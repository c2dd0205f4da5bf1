package exchangedb

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"sync"
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
	orderArgs = 18
	tradeArgs = 13
)

// historyRows are the row counts of the multi-row inserts WriteHistory
// uses, largest first: a batch is cut greedily into these, so only a few
// distinct statements exist and each is parsed once (SQLite: prepared and
// kept; PostgreSQL: pgx's statement cache). 256 rows keep a statement's
// parameters well under SQLite's limit (32766) and PostgreSQL's (65535).
var historyRows = [...]int{256, 64, 16, 4, 1}

func chunkRows(n int) int {
	for _, r := range historyRows {
		if r <= n {
			return r
		}
	}
	return n
}

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

type historyKind int

const (
	historyOrders historyKind = iota
	historyTrades
)

func (d *DB) historyQuery(kind historyKind, rows int) string {
	if kind == historyTrades {
		return `INSERT INTO trades (` + tradeCols + `) VALUES ` + d.placeholders(rows, tradeArgs) + ` ON CONFLICT (symbol, trade_id) DO NOTHING`
	}
	return `INSERT INTO orders (` + orderCols + `) VALUES ` + d.placeholders(rows, orderArgs) + `
		ON CONFLICT (symbol, order_id) DO UPDATE SET client_id = excluded.client_id, api_type = excluded.api_type,
		qty = excluded.qty, filled = excluded.filled, cum_quote = excluded.cum_quote, status = excluded.status,
		working = excluded.working, time_ms = excluded.time_ms, update_ms = excluded.update_ms`
}

// historyStmts holds SQLite's prepared history inserts by kind and rows.
type historyStmts struct {
	mu sync.Mutex
	m  map[[2]int]*sql.Stmt
}

// prepare prepares every history insert once. It must run outside a
// transaction: the history pool has one connection, which a transaction
// holds.
func (c *historyStmts) prepare(ctx context.Context, d *DB) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m != nil {
		return nil
	}
	m := map[[2]int]*sql.Stmt{}
	for _, kind := range []historyKind{historyOrders, historyTrades} {
		for _, rows := range historyRows {
			st, err := d.hist.PrepareContext(ctx, d.historyQuery(kind, rows))
			if err != nil {
				for _, st := range m {
					st.Close()
				}
				return err
			}
			m[[2]int{int(kind), rows}] = st
		}
	}
	c.m = m
	return nil
}

func (c *historyStmts) get(kind historyKind, rows int) *sql.Stmt {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.m[[2]int{int(kind), rows}]
}

func (c *historyStmts) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, st := range c.m {
		st.Close()
	}
	c.m = nil
}

func (d *DB) execHistory(ctx context.Context, tx *sql.Tx, kind historyKind, rows int, args []any) error {
	if d.driver != SQLite {
		_, err := tx.ExecContext(ctx, d.historyQuery(kind, rows), args...)
		return err
	}
	_, err := tx.StmtContext(ctx, d.stmts.get(kind, rows)).ExecContext(ctx, args...)
	return err
}

// WriteHistory upserts orders (their latest state wins) and inserts trades
// (idempotent: a trade id already stored is kept) in one transaction, on
// the history connection. The venue calls it off the order path, in the
// order it applied the events.
func (d *DB) WriteHistory(ctx context.Context, orders []Order, trades []Trade) error {
	if d.driver == SQLite {
		if err := d.stmts.prepare(ctx, d); err != nil {
			return ruleError(ErrInvalidConfig, err, "prepare history inserts")
		}
	}
	tx, err := d.hist.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	args := make([]any, 0, historyRows[0]*orderArgs)
	for len(orders) > 0 {
		n := chunkRows(len(orders))
		args = args[:0]
		for _, o := range orders[:n] {
			args = append(args, o.Symbol, o.ID, o.Account, o.ClientOrderID, o.Side, o.Type, o.TIF, o.Price, o.StopPrice,
				o.Qty, o.QuoteQty, o.Iceberg, o.Filled, o.CumQuote, o.Status, b2i(o.Working), o.TimeMS, o.UpdateMS)
		}
		if err := d.execHistory(ctx, tx, historyOrders, n, args); err != nil {
			return ruleError(ErrInvalidConfig, err, "write orders")
		}
		orders = orders[n:]
	}
	for len(trades) > 0 {
		n := chunkRows(len(trades))
		args = args[:0]
		for _, t := range trades[:n] {
			args = append(args, t.Symbol, t.ID, t.Price, t.Qty, t.Quote, t.TimeMS, b2i(t.BuyerIsMaker), t.TakerOrder,
				t.MakerOrder, t.Buyer, t.Seller, t.BuyerFee, t.SellerFee)
		}
		if err := d.execHistory(ctx, tx, historyTrades, n, args); err != nil {
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
