// Package mempool is Ballast's transaction memory pool: the valid
// unconfirmed transactions a node relays and mines, kept by Bitcoin Core's
// rules and with Core's reject strings.
//
// Accept runs, cheapest first: consensus sanity, standardness (version,
// weight, dust, burn outputs, size floor), finality at the next block,
// duplicates, conflicts, inputs against the chain's UTXO set plus the pool's
// outputs (so unconfirmed parents may be spent), BIP68 and coinbase maturity
// at the next height, per-asset conservation (consensus.CheckTxInputs), the
// relay and rolling minimum fee rates, ancestor and descendant limits, the
// replace-by-fee rules (full RBF), and last, outside the pool's lock, the
// signatures (consensus.VerifyTxSpends).
//
// The pool keeps the dependency graph with cached ancestor and descendant
// aggregates, as Core does: block templates take transactions by ancestor
// package fee rate (child pays for parent, SelectForBlock), and the size
// limit evicts by descendant package fee rate, raising a rolling minimum fee
// that decays after blocks. BlockConnected and BlockDisconnected follow the
// chain; Expire drops old transactions; Save and Load persist the pool; the
// FeeEstimator learns from confirmations and answers estimatesmartfee.
//
// docs/mempool.md describes the policy, its reject strings and the file
// formats. The pool reads the clock and logs only through its Config.
package mempool
