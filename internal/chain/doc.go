// Package chain is the node's chain state: the block index, the best chain by
// cumulative work, the UTXO set, undo data and the optional transaction and
// address indexes, all in one pebble database (package store).
//
// Every block connect or disconnect is one atomic, synced batch that moves the
// UTXO set, the undo data, the height index, the indexes and the tip pointer
// together, so a crash at any instant leaves a consistent state: the tip a
// restart finds is exactly the last block whose batch committed. Blocks are
// stored (with their index entries) before they are connected, so a restart
// finishes any reorganisation the crash interrupted.
//
// Validation is delegated to package consensus; this package decides what to
// validate against what (which parent, which UTXO view, which clock) and
// records the outcome: blocks that fail are marked invalid, with their
// descendants, and never retried unless reconsidered.
package chain
