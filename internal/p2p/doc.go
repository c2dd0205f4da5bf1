// Package p2p is the node's peer-to-peer network: connections (outbound
// targets, inbound limit, -connect and -addnode peers, seeds), the version
// handshake that keeps networks apart by genesis hash, address gossip,
// headers-first initial sync with parallel block download and stall
// detection, relay of transactions (trickled inventory, an orphan pool) and
// blocks (headers announcements), and the defence against hostile peers:
// size limits, per-peer rate limits, misbehaviour scores, bans and eviction.
//
// Messages and their framing live in package p2p/message, the address book
// in p2p/addrmgr and bans in p2p/banlist. docs/p2p.md specifies the
// protocol and describes the design.
package p2p
