// Package venue wires the exchange: markets (a matching engine behind a
// durable journal each), the double-entry ledger (holds before an order
// reaches the engine, settlement of every fill), users and API keys, and
// the audit log. The API packages talk only to a *Venue.
//
// Durability: an order is acknowledged only after its journal has fsynced
// the command. The ledger is not stored: at start it is rebuilt from the
// admin transfers in the database plus a replay of every journal (holds are
// a pure function of the command, settlements of the events), so a crash
// loses nothing that was acknowledged. Journals therefore run without
// snapshots for now (see docs/exchange.md).
package venue
