package exchangedb

import (
	"context"
	"database/sql/driver"
	"errors"
	"io"

	"github.com/jackc/pgx/v5"
)

// A minimal database/sql driver over a pgx connection, so both engines run
// through database/sql with the same queries. (pgx's own stdlib adapter
// pulls in its pool and a module this build does not carry.) It supports
// what this package uses: context queries and execs without prepared
// statements, and transactions.

type pgConnector struct{ dsn string }

func (c pgConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := pgx.Connect(ctx, c.dsn)
	if err != nil {
		return nil, err
	}
	return &pgConn{c: conn}, nil
}

func (c pgConnector) Driver() driver.Driver { return pgDriver{} }

type pgDriver struct{}

func (pgDriver) Open(dsn string) (driver.Conn, error) {
	return pgConnector{dsn}.Connect(context.Background())
}

type pgConn struct {
	c  *pgx.Conn
	tx pgx.Tx
}

var errNoPrepare = errors.New("exchangedb: prepared statements are not supported")

func (c *pgConn) Prepare(string) (driver.Stmt, error) { return nil, errNoPrepare }
func (c *pgConn) Close() error                        { return c.c.Close(context.Background()) }
func (c *pgConn) Begin() (driver.Tx, error) {
	return c.BeginTx(context.Background(), driver.TxOptions{})
}

func (c *pgConn) BeginTx(ctx context.Context, _ driver.TxOptions) (driver.Tx, error) {
	tx, err := c.c.Begin(ctx)
	if err != nil {
		return nil, err
	}
	c.tx = tx
	return pgTx{c}, nil
}

type pgTx struct{ c *pgConn }

func (t pgTx) Commit() error {
	err := t.c.tx.Commit(context.Background())
	t.c.tx = nil
	return err
}

func (t pgTx) Rollback() error {
	err := t.c.tx.Rollback(context.Background())
	t.c.tx = nil
	return err
}

func args(named []driver.NamedValue) []any {
	a := make([]any, len(named))
	for i, n := range named {
		a[i] = n.Value
	}
	return a
}

func (c *pgConn) ExecContext(ctx context.Context, q string, named []driver.NamedValue) (driver.Result, error) {
	tag, err := c.c.Exec(ctx, q, args(named)...)
	if err != nil {
		return nil, err
	}
	return driver.RowsAffected(tag.RowsAffected()), nil
}

func (c *pgConn) QueryContext(ctx context.Context, q string, named []driver.NamedValue) (driver.Rows, error) {
	rows, err := c.c.Query(ctx, q, args(named)...)
	if err != nil {
		return nil, err
	}
	return &pgRows{r: rows}, nil
}

type pgRows struct{ r pgx.Rows }

func (r *pgRows) Columns() []string {
	fs := r.r.FieldDescriptions()
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.Name
	}
	return out
}

func (r *pgRows) Close() error { r.r.Close(); return r.r.Err() }

func (r *pgRows) Next(dest []driver.Value) error {
	if !r.r.Next() {
		if err := r.r.Err(); err != nil {
			return err
		}
		return io.EOF
	}
	vals, err := r.r.Values()
	if err != nil {
		return err
	}
	for i, v := range vals {
		switch x := v.(type) {
		case int32:
			dest[i] = int64(x)
		case int16:
			dest[i] = int64(x)
		default:
			dest[i] = v
		}
	}
	return nil
}
