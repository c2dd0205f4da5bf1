// Package stratum is a Stratum v1 mining pool server and client.
//
// The server hands out jobs built from the node's block work (package
// mining): coinb1 ‖ extranonce1 (4 bytes, per connection) ‖ extranonce2
// (4 bytes, the miner's) ‖ coinb2, a merkle branch, and the header fields in
// the byte orders SHA-256 mining software expects. It checks every share,
// submits blocks at once, adjusts difficulty per connection (vardiff), keeps
// per-worker statistics, bans clients that send only bad shares, and pays
// either the worker's address (solo mode) or the PPLNS window of recent
// shares (pool mode) in the coinbase itself.
package stratum
