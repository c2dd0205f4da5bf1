package exchangedb

import (
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"strings"

	_ "modernc.org/sqlite" // registers "sqlite"
)

// Driver selects the database engine.
type Driver string

// Drivers.
const (
	SQLite   Driver = "sqlite"
	Postgres Driver = "postgres"
)

// DSN is a data source name; it may hold a password, so it logs redacted.
type DSN string

// LogValue redacts the DSN.
func (DSN) LogValue() slog.Value { return slog.StringValue("[REDACTED]") }

// Config selects and locates the database.
type Config struct {
	// Driver is SQLite (the zero value means SQLite) or Postgres.
	Driver Driver
	// DSN is a file path for SQLite, a connection string for PostgreSQL.
	DSN DSN
}

// Validate checks the configuration.
func (c *Config) Validate() error {
	switch c.Driver {
	case "", SQLite, Postgres:
	default:
		return ruleError(ErrInvalidConfig, nil, "unknown driver %q (sqlite or postgres)", c.Driver)
	}
	if c.DSN == "" {
		return ruleError(ErrInvalidConfig, nil, "DSN is required")
	}
	return nil
}

// DB is the venue's store.
type DB struct {
	db     *sql.DB
	driver Driver
	// hist carries the order and trade history writes (WriteHistory): a
	// connection of its own, so a large history transaction never holds
	// up the venue's other queries (SQLite; for PostgreSQL it is db, a
	// pool).
	hist  *sql.DB
	stmts historyStmts
}

// Open opens (and migrates) the database.
func Open(ctx context.Context, cfg Config) (*DB, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	d := &DB{driver: cfg.Driver}
	var err error
	if d.driver == "" {
		d.driver = SQLite
	}
	if d.driver == SQLite {
		dsn := "file:" + string(cfg.DSN) + "?_pragma=journal_mode(WAL)&_pragma=busy_timeout(5000)&_pragma=synchronous(FULL)"
		d.db, err = sql.Open("sqlite", dsn)
		if err == nil {
			d.db.SetMaxOpenConns(1) // one writer; SQLite serialises anyway
			d.hist, err = sql.Open("sqlite", dsn)
		}
		if err == nil {
			d.hist.SetMaxOpenConns(1)
		}
	} else {
		d.db = sql.OpenDB(pgConnector{string(cfg.DSN)})
		d.hist = d.db
	}
	if err != nil {
		return nil, ruleError(ErrInvalidConfig, err, "open %s", d.driver)
	}
	if err := d.migrate(ctx); err != nil {
		d.Close()
		return nil, err
	}
	return d, nil
}

// Close closes the database.
func (d *DB) Close() error {
	d.stmts.close()
	err := d.db.Close()
	if d.hist != nil && d.hist != d.db {
		if herr := d.hist.Close(); err == nil {
			err = herr
		}
	}
	return err
}

// Driver returns the engine in use.
func (d *DB) Driver() Driver { return d.driver }

func (d *DB) migrate(ctx context.Context) error {
	id := "INTEGER PRIMARY KEY"
	blob := "BLOB"
	if d.driver == Postgres {
		id = "BIGSERIAL PRIMARY KEY"
		blob = "BYTEA"
	}
	schema := []string{
		`CREATE TABLE IF NOT EXISTS users (id ` + id + `, email TEXT NOT NULL UNIQUE, password_hash TEXT NOT NULL,
			totp_secret TEXT NOT NULL DEFAULT '', totp_last_step BIGINT NOT NULL DEFAULT 0,
			anti_phishing TEXT NOT NULL DEFAULT '', created_ms BIGINT NOT NULL)`,
		`CREATE TABLE IF NOT EXISTS sessions (token_hash TEXT PRIMARY KEY, user_id BIGINT NOT NULL, expires_ms BIGINT NOT NULL)`,
		`CREATE TABLE IF NOT EXISTS api_keys (key_id TEXT PRIMARY KEY, user_id BIGINT NOT NULL, label TEXT NOT NULL,
			sealed_secret ` + blob + ` NOT NULL, permissions INTEGER NOT NULL, allow_ips TEXT NOT NULL, created_ms BIGINT NOT NULL)`,
		`CREATE TABLE IF NOT EXISTS markets (symbol TEXT PRIMARY KEY, spec TEXT NOT NULL)`,
		`CREATE TABLE IF NOT EXISTS transfers (id ` + id + `, user_id BIGINT NOT NULL, asset TEXT NOT NULL,
			amount BIGINT NOT NULL, reason TEXT NOT NULL, created_ms BIGINT NOT NULL)`,
		`CREATE TABLE IF NOT EXISTS audit (seq BIGINT PRIMARY KEY, time_ms BIGINT NOT NULL, kind TEXT NOT NULL,
			user_id BIGINT NOT NULL, detail TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL)`,
		`CREATE TABLE IF NOT EXISTS totp_pending (user_id BIGINT PRIMARY KEY, secret TEXT NOT NULL, created_ms BIGINT NOT NULL)`,
		`CREATE TABLE IF NOT EXISTS orders (symbol TEXT NOT NULL, order_id BIGINT NOT NULL, account BIGINT NOT NULL,
			client_id TEXT NOT NULL, side INTEGER NOT NULL, api_type TEXT NOT NULL, tif INTEGER NOT NULL,
			price BIGINT NOT NULL, stop_price BIGINT NOT NULL, qty BIGINT NOT NULL, quote_qty BIGINT NOT NULL,
			iceberg BIGINT NOT NULL, filled BIGINT NOT NULL, cum_quote BIGINT NOT NULL, status TEXT NOT NULL,
			working INTEGER NOT NULL, time_ms BIGINT NOT NULL, update_ms BIGINT NOT NULL, PRIMARY KEY (symbol, order_id))`,
		`CREATE INDEX IF NOT EXISTS orders_account ON orders (account, symbol, order_id)`,
		`CREATE TABLE IF NOT EXISTS trades (symbol TEXT NOT NULL, trade_id BIGINT NOT NULL, price BIGINT NOT NULL,
			qty BIGINT NOT NULL, quote BIGINT NOT NULL, time_ms BIGINT NOT NULL, buyer_is_maker INTEGER NOT NULL,
			taker_order BIGINT NOT NULL, maker_order BIGINT NOT NULL, buyer BIGINT NOT NULL, seller BIGINT NOT NULL,
			buyer_fee BIGINT NOT NULL, seller_fee BIGINT NOT NULL, PRIMARY KEY (symbol, trade_id))`,
		`CREATE INDEX IF NOT EXISTS trades_buyer ON trades (buyer, symbol, trade_id)`,
		`CREATE INDEX IF NOT EXISTS trades_seller ON trades (seller, symbol, trade_id)`,
		`CREATE INDEX IF NOT EXISTS trades_time ON trades (symbol, time_ms)`,
	}
	for _, s := range schema {
		if _, err := d.db.ExecContext(ctx, s); err != nil {
			return ruleError(ErrInvalidConfig, err, "migrate")
		}
	}
	return nil
}

func isUnique(err error) bool {
	if err == nil {
		return false
	}
	s := err.Error()
	return strings.Contains(s, "UNIQUE") || strings.Contains(s, "duplicate key") || strings.Contains(s, "23505")
}

func notFound(err error, what string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return ruleError(ErrNotFound, nil, "%s not found", what)
	}
	return ruleError(ErrNotFound, err, "read %s", what)
}
