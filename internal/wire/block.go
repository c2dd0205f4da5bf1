package wire

import "github.com/ballast-chain/ballast/internal/chainhash"

// Block is a header and its transactions, the first being the coinbase.
type Block struct {
	Header       BlockHeader
	Transactions []*Tx
}

// BlockHash returns the hash of the block's header.
func (b *Block) BlockHash() chainhash.Hash { return b.Header.BlockHash() }

// TxHashes returns the txid of every transaction, in order.
func (b *Block) TxHashes() []chainhash.Hash {
	hs := make([]chainhash.Hash, len(b.Transactions))
	for i, tx := range b.Transactions {
		hs[i] = tx.TxHash()
	}
	return hs
}

// BaseSize returns the block's size without witnesses.
func (b *Block) BaseSize() int {
	n := HeaderSize + CompactSizeLen(uint64(len(b.Transactions)))
	for _, tx := range b.Transactions {
		n += tx.BaseSize()
	}
	return n
}

// SerializeSize returns the block's full size.
func (b *Block) SerializeSize() int {
	n := HeaderSize + CompactSizeLen(uint64(len(b.Transactions)))
	for _, tx := range b.Transactions {
		n += tx.SerializeSize()
	}
	return n
}

// Weight returns 3*base size + total size.
func (b *Block) Weight() int { return 3*b.BaseSize() + b.SerializeSize() }

// AppendTo appends the block's full encoding.
func (b *Block) AppendTo(dst []byte) []byte {
	dst = b.Header.AppendTo(dst)
	dst = AppendCompactSize(dst, uint64(len(b.Transactions)))
	for _, tx := range b.Transactions {
		dst = tx.AppendTo(dst, true)
	}
	return dst
}

// Bytes returns the block's full encoding.
func (b *Block) Bytes() []byte { return b.AppendTo(make([]byte, 0, b.SerializeSize())) }

// DecodeBlock decodes exactly one block from buf. The result aliases buf.
func DecodeBlock(buf []byte) (*Block, error) {
	if len(buf) > MaxBlockSize {
		return nil, msgErr(ErrTooLarge, "block: %d bytes exceeds limit %d", len(buf), MaxBlockSize)
	}
	if len(buf) < HeaderSize {
		return nil, msgErr(ErrTruncated, "block: %d bytes, header needs %d", len(buf), HeaderSize)
	}
	blk := new(Block)
	blk.Header.decodeFrom(buf)
	r := reader{buf: buf, off: HeaderSize}
	n := r.count(MaxBlockSize/minTxSize, minTxSize, "block tx count")
	if r.err == nil && n > 0 {
		blk.Transactions = make([]*Tx, n)
		txs := make([]Tx, n)
		for i := 0; i < n && r.err == nil; i++ {
			txs[i].decodeFrom(&r)
			blk.Transactions[i] = &txs[i]
		}
	}
	if err := r.finish("block"); err != nil {
		return nil, err
	}
	return blk, nil
}
