// Package matching is Ballast's exchange matching engine: one order book per
// market with price-time priority, the Binance spot order types (LIMIT with
// GTC/IOC/FOK, MARKET by base quantity or quote amount, LIMIT_MAKER, the four
// stop/take-profit types, iceberg quantities), self-trade prevention, market
// filters, and a deterministic output stream of sequenced events.
//
// The package is a pure core: it does no I/O, reads no clock and logs
// nothing. An Engine consumes Commands one at a time and produces Events;
// the same command sequence applied to the same starting state always yields
// the same events, byte for byte. That property is what makes the journal
// (package journal) able to recover by replaying commands, and what the
// differential tests against the naive reference model rely on.
//
// Prices are integers in price units and quantities are integers in quantity
// units; decimal strings exist only at the API edge. Every product of a price
// and a quantity is bounded by Config.Validate so it fits in an int64, and the
// remaining arithmetic is checked where it is not bounded by construction.
//
// The hot path allocates nothing in steady state: orders live in a pool
// indexed by dense slots, each price level is an intrusive doubly linked
// FIFO, levels are addressed by tick offset through a lazily filled page
// table, a hierarchical bitset finds the next best price, and events are
// written into a buffer the engine reuses for every command.
package matching
