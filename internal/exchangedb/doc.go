// Package exchangedb stores the venue's durable records that are not in the
// matching journals: users, sessions, API keys, markets, admin ledger
// transfers and the hash-chained audit log. SQLite (modernc.org/sqlite) is
// the default; PostgreSQL (pgx) is selected by Config.Driver. Both run the
// same SQL apart from the schema's id columns; queries use $n placeholders,
// which both accept.
package exchangedb
