// Package chaingen builds valid (and deliberately invalid) regtest chains in
// memory for tests, benchmarks and the consensus self-check: coinbases with
// height and witness commitment, signed spends of key and policy locks,
// merkle roots and solved proof of work, with hooks to break exactly one rule.
// Chain is a minimal linear chain that runs every consensus stage over an
// in-memory UTXO set, so a block's acceptance can be tested without a node.
package chaingen
