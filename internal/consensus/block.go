package consensus

import (
	"github.com/ballast-chain/ballast/internal/chainhash"
	"github.com/ballast-chain/ballast/internal/wire"
)

// Block is a wire block with its hash and txids computed once, since every
// stage needs them.
type Block struct {
	Msg   *wire.Block
	Hash  chainhash.Hash
	TxIDs []chainhash.Hash
}

// NewBlock wraps m, computing its hash and txids.
func NewBlock(m *wire.Block) *Block {
	return &Block{Msg: m, Hash: m.BlockHash(), TxIDs: m.TxHashes()}
}
