// Package rpc is the node's JSON-RPC interface in Bitcoin Core's dialect:
// the same transport (HTTP POST, JSON-RPC 1.0 and 2.0, batches), the same
// authentication (a cookie file in the data directory, rpcuser/rpcpassword,
// rpcauth salted hashes), the same method names, parameters (positional or
// named), result shapes and error codes, so that tools written for
// bitcoind work against a Ballast node.
//
// The package has four parts:
//
//   - the server (Server, Config): HTTP handling, authentication, request
//     parsing, batches, the method registry (Method, Param) that maps
//     positional and named parameters the same way and generates help;
//   - the client (Client) that "ballast rpc" and tests use;
//   - Core-shaped JSON encoders (TxResult, BlockResult, HeaderResult, Amount)
//     for Ballast's transactions and blocks: pure functions of their input;
//   - the standard handlers (StandardMethods), written against small consumer
//     interfaces (ChainBackend, MempoolBackend, FeeEstimator, NetworkBackend,
//     MiningBackend) that the node implements with thin adapters. Methods
//     whose backend is missing are not registered, so a server without a
//     chain still offers help, decoderawtransaction, createrawtransaction,
//     validateaddress and the policy methods.
//
// docs/rpc.md documents the transport, authentication, the data directory
// layout and every method.
package rpc
