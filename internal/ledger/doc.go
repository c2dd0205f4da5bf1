// Package ledger is the exchange's double-entry ledger. Every movement of
// value (deposit, withdrawal, hold, release, trade, fee) is a set of entries
// in integer base units that sums to zero per asset; balances (free and
// locked per account and asset) are the running sums of the entries.
//
// Two system accounts take the other side of movements that cross the
// venue's boundary: External (custody: deposits come from it, withdrawals go
// to it, so its balance is minus what the venue owes its users) and Fees.
// Every other account's free and locked balances never go negative; the
// ledger refuses a movement that would make them so, atomically.
//
// The ledger does no I/O and reads no clock: the venue persists the
// movements that are not derived from the matching journal and replays the
// rest.
package ledger
