// Package params defines Ballast's networks: mainnet, testnet, regtest and
// networks generated from a parameters file. Each has its own genesis block,
// magic bytes, ports, address prefix and consensus constants. It is pure data
// and pure functions: no I/O.
//
// Every constructor returns a fresh *Params, so no caller can change another's
// network. docs/protocol.md (§8) lists the constants, the genesis construction and the
// parameters-file format.
package params

import (
	"math/big"

	"github.com/ballast-chain/ballast/internal/chainhash"
	"github.com/ballast-chain/ballast/internal/wire"
)

// Amounts of the native coin are integers in base units; one coin is Coin
// base units on every network (8 decimals, as Bitcoin, so Bitcoin Core's
// RPC amount format fits unchanged).
const (
	Decimals = 8
	Coin     = 100_000_000
)

// Params are the constants that define one network.
type Params struct {
	// Name is the network's name ("mainnet", "testnet", "regtest" or the
	// name given in a parameters file).
	Name string
	// Magic starts every P2P message, so nodes of different networks never
	// mistake each other's traffic.
	Magic [4]byte
	// Bech32HRP is the human-readable prefix of addresses ("bal", "tbal", "rbal").
	Bech32HRP string
	// DefaultPort is the P2P port; RPCPort the JSON-RPC port.
	DefaultPort uint16
	RPCPort     uint16
	// SeedAddrs are host:port addresses dialed when the address book is empty.
	SeedAddrs []string

	// Genesis is the recipe of block 0 (header fields and coinbase message);
	// GenesisBlock is the block NewGenesisBlock builds from it and
	// GenesisHash that block's hash. SetGenesis sets all three.
	Genesis      GenesisSpec
	GenesisBlock *wire.Block
	GenesisHash  chainhash.Hash

	// PowLimit is the easiest allowed target; PowLimitBits its compact form.
	PowLimit     *big.Int
	PowLimitBits uint32
	// PowNoRetargeting keeps every block at PowLimitBits (regtest).
	PowNoRetargeting bool
	// TargetSpacing is the intended seconds between blocks; ASERTHalfLife
	// the seconds of schedule deviation that double or halve the target.
	TargetSpacing int64
	ASERTHalfLife int64

	// InitialSubsidy is the block reward at height 0, in base units, halved
	// every SubsidyHalvingInterval blocks.
	InitialSubsidy         int64
	SubsidyHalvingInterval int32
	// MaxMoney bounds any native amount and any sum of native amounts.
	MaxMoney int64
	// CoinbaseMaturity is the confirmations a coinbase output needs before it
	// can be spent.
	CoinbaseMaturity int32
}

// SetGenesis sets p.Genesis to g and p.GenesisBlock and p.GenesisHash to the
// block built from it. It does not check the block's proof of work; Validate
// does.
func (p *Params) SetGenesis(g GenesisSpec) {
	p.Genesis = g
	p.GenesisBlock = NewGenesisBlock(g)
	p.GenesisHash = p.GenesisBlock.BlockHash()
}
