package chain

import (
	"encoding/binary"
	"math/big"

	"github.com/ballast-chain/ballast/internal/chainhash"
	"github.com/ballast-chain/ballast/internal/consensus"
	"github.com/ballast-chain/ballast/internal/pow"
	"github.com/ballast-chain/ballast/internal/wire"
)

// status records what is known about a block.
type status uint8

const (
	// statusDataStored: the full block is in the database.
	statusDataStored status = 1 << iota
	// statusValid: the block was fully validated (connected) at least once.
	statusValid
	// statusFailed: the block broke a consensus rule.
	statusFailed
	// statusFailedChild: an ancestor broke a consensus rule.
	statusFailedChild
)

func (s status) invalid() bool { return s&(statusFailed|statusFailedChild) != 0 }

// blockNode is one block in the in-memory block index.
type blockNode struct {
	hash       chainhash.Hash
	parent     *blockNode
	header     wire.BlockHeader
	height     int32
	work       *big.Int // cumulative chain work up to and including this block
	medianTime uint32   // median time past of this block and its ten ancestors
	nTx        uint32
	status     status
	children   []*blockNode
}

// info returns what consensus needs to know of this block as a parent.
func (n *blockNode) info() consensus.HeaderInfo {
	return consensus.HeaderInfo{Hash: n.hash, Height: n.height, Timestamp: n.header.Timestamp,
		Bits: n.header.Bits, MedianTime: n.medianTime}
}

// ancestor returns the ancestor of n at height (n itself at its height).
func (n *blockNode) ancestor(height int32) *blockNode {
	if height < 0 || height > n.height {
		return nil
	}
	for n != nil && n.height > height {
		n = n.parent
	}
	return n
}

// newNode builds an index node for header as a child of parent.
func newNode(header *wire.BlockHeader, hash chainhash.Hash, parent *blockNode) *blockNode {
	n := &blockNode{hash: hash, parent: parent, header: *header}
	n.work = pow.CalcWork(header.Bits)
	if parent != nil {
		n.height = parent.height + 1
		n.work.Add(n.work, parent.work)
	}
	var times [pow.MedianTimeBlocks]uint32
	k := 0
	for it := n; it != nil && k < len(times); it = it.parent {
		times[k] = it.header.Timestamp
		k++
	}
	n.medianTime = pow.MedianTime(times[:k])
	return n
}

// Index entry: header (80) ‖ height u32 ‖ status u8 ‖ nTx u32.
func (n *blockNode) encode() []byte {
	b := n.header.AppendTo(make([]byte, 0, wire.HeaderSize+9))
	b = binary.LittleEndian.AppendUint32(b, uint32(n.height))
	b = append(b, byte(n.status))
	return binary.LittleEndian.AppendUint32(b, n.nTx)
}

type indexEntry struct {
	header wire.BlockHeader
	height int32
	status status
	nTx    uint32
}

func decodeIndexEntry(b []byte) (indexEntry, error) {
	if len(b) != wire.HeaderSize+9 {
		return indexEntry{}, chainErr(ErrCorrupt, "index entry of %d bytes", len(b))
	}
	h, err := wire.DecodeHeader(b[:wire.HeaderSize])
	if err != nil {
		return indexEntry{}, chainErr(ErrCorrupt, "index entry header: %v", err)
	}
	return indexEntry{
		header: h,
		height: int32(binary.LittleEndian.Uint32(b[80:])),
		status: status(b[84]),
		nTx:    binary.LittleEndian.Uint32(b[85:]),
	}, nil
}

// findFork returns the last common ancestor of a and b.
func findFork(a, b *blockNode) *blockNode {
	for a.height > b.height {
		a = a.parent
	}
	for b.height > a.height {
		b = b.parent
	}
	for a != b {
		a, b = a.parent, b.parent
	}
	return a
}
