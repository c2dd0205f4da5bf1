// Package node wires a full node: storage, chain state, mempool, JSON-RPC,
// metrics and (on test networks) block generation. It is one of the two
// packages that import everything; each service runs under one errgroup and
// is torn down in reverse order.
package node
