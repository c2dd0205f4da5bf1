package message

import (
	"encoding/binary"

	"github.com/ballast-chain/ballast/internal/chainhash"
	"github.com/ballast-chain/ballast/internal/wire"
)

// Compact block relay (BIP152-style). Transactions inside these messages are
// length-prefixed (CompactSize ‖ transaction with witnesses), unlike BIP152,
// so each is decoded by wire.DecodeTx on its own bytes.

// Compact block commands.
const (
	CmdSendCmpct   = "sendcmpct"
	CmdCmpctBlock  = "cmpctblock"
	CmdGetBlockTxn = "getblocktxn"
	CmdBlockTxn    = "blocktxn"
)

// CompactVersion is the compact block version spoken: short ids of wtxids.
const CompactVersion = 1

// MaxCompactTxs bounds the transactions a compact block or a getblocktxn
// names (a block cannot hold more transactions of the smallest size).
const MaxCompactTxs = wire.MaxBlockSize / 60

// shortIDSize is the bytes of a short transaction id.
const shortIDSize = 6

func init() {
	limits[CmdSendCmpct] = 1 + 8
	limits[CmdCmpctBlock] = wire.MaxBlockSize + 1<<20
	limits[CmdGetBlockTxn] = 32 + 5 + MaxCompactTxs*3
	limits[CmdBlockTxn] = wire.MaxBlockSize + 1<<20
}

// SendCmpct says the sender understands compact blocks of Version; Announce
// asks the receiver to push new blocks as cmpctblock without announcing them
// first (high-bandwidth mode).
type SendCmpct struct {
	Announce bool
	Version  uint64
}

// Command implements Message.
func (*SendCmpct) Command() string { return CmdSendCmpct }

// AppendPayload implements Message.
func (m *SendCmpct) AppendPayload(b []byte) []byte {
	a := byte(0)
	if m.Announce {
		a = 1
	}
	return binary.LittleEndian.AppendUint64(append(b, a), m.Version)
}

func decodeSendCmpct(r *reader) *SendCmpct {
	m := &SendCmpct{}
	switch r.u8() {
	case 0:
	case 1:
		m.Announce = true
	default:
		r.fail(ErrMalformed, "announce flag not 0 or 1")
	}
	m.Version = r.u64()
	return m
}

// PrefilledTx is a transaction sent in full inside a compact block, at its
// index in the block.
type PrefilledTx struct {
	Index int
	Tx    *wire.Tx
}

// CmpctBlock is a block as its header, a nonce, the short ids of the
// transactions the receiver probably has, and the others in full (at least
// the coinbase). Prefilled indexes are sent as differences, as in BIP152.
type CmpctBlock struct {
	Header    wire.BlockHeader
	Nonce     uint64
	ShortIDs  []uint64
	Prefilled []PrefilledTx
}

// Command implements Message.
func (*CmpctBlock) Command() string { return CmdCmpctBlock }

// AppendPayload implements Message.
func (m *CmpctBlock) AppendPayload(b []byte) []byte {
	b = m.Header.AppendTo(b)
	b = binary.LittleEndian.AppendUint64(b, m.Nonce)
	b = wire.AppendCompactSize(b, uint64(len(m.ShortIDs)))
	for _, id := range m.ShortIDs {
		var w [8]byte
		binary.LittleEndian.PutUint64(w[:], id)
		b = append(b, w[:shortIDSize]...)
	}
	b = wire.AppendCompactSize(b, uint64(len(m.Prefilled)))
	last := -1
	for _, p := range m.Prefilled {
		b = wire.AppendCompactSize(b, uint64(p.Index-last-1))
		last = p.Index
		b = appendTx(b, p.Tx)
	}
	return b
}

// TxCount is the number of transactions in the block.
func (m *CmpctBlock) TxCount() int { return len(m.ShortIDs) + len(m.Prefilled) }

func decodeCmpctBlock(r *reader) *CmpctBlock {
	m := &CmpctBlock{}
	if hb := r.bytes(wire.HeaderSize); hb != nil {
		m.Header, _ = wire.DecodeHeader(hb)
	}
	m.Nonce = r.u64()
	n := r.count(MaxCompactTxs, shortIDSize)
	m.ShortIDs = make([]uint64, n)
	for i := range m.ShortIDs {
		var w [8]byte
		copy(w[:], r.bytes(shortIDSize))
		m.ShortIDs[i] = binary.LittleEndian.Uint64(w[:])
	}
	np := r.count(MaxCompactTxs-n, 2)
	m.Prefilled = make([]PrefilledTx, np)
	last := -1
	for i := range m.Prefilled {
		d := r.compactSize()
		if r.err == nil && d >= uint64(MaxCompactTxs) {
			r.fail(ErrMalformed, "prefilled index out of range")
		}
		last += int(d) + 1
		if r.err == nil && last >= n+np {
			r.fail(ErrMalformed, "prefilled index %d beyond %d transactions", last, n+np)
		}
		m.Prefilled[i] = PrefilledTx{Index: last, Tx: r.tx()}
	}
	return m
}

// GetBlockTxn asks for the transactions of a block at the given indexes
// (ascending; sent as differences).
type GetBlockTxn struct {
	Block   chainhash.Hash
	Indexes []int
}

// Command implements Message.
func (*GetBlockTxn) Command() string { return CmdGetBlockTxn }

// AppendPayload implements Message.
func (m *GetBlockTxn) AppendPayload(b []byte) []byte {
	b = append(b, m.Block[:]...)
	b = wire.AppendCompactSize(b, uint64(len(m.Indexes)))
	last := -1
	for _, i := range m.Indexes {
		b = wire.AppendCompactSize(b, uint64(i-last-1))
		last = i
	}
	return b
}

func decodeGetBlockTxn(r *reader) *GetBlockTxn {
	m := &GetBlockTxn{Block: r.hash()}
	n := r.count(MaxCompactTxs, 1)
	m.Indexes = make([]int, n)
	last := -1
	for i := range m.Indexes {
		d := r.compactSize()
		if r.err == nil && d >= uint64(MaxCompactTxs) {
			r.fail(ErrMalformed, "index out of range")
		}
		last += int(d) + 1
		if r.err == nil && last >= MaxCompactTxs {
			r.fail(ErrMalformed, "index %d out of range", last)
		}
		m.Indexes[i] = last
	}
	return m
}

// BlockTxn answers a GetBlockTxn with the transactions asked for, in order.
type BlockTxn struct {
	Block chainhash.Hash
	Txs   []*wire.Tx
}

// Command implements Message.
func (*BlockTxn) Command() string { return CmdBlockTxn }

// AppendPayload implements Message.
func (m *BlockTxn) AppendPayload(b []byte) []byte {
	b = append(b, m.Block[:]...)
	b = wire.AppendCompactSize(b, uint64(len(m.Txs)))
	for _, tx := range m.Txs {
		b = appendTx(b, tx)
	}
	return b
}

func decodeBlockTxn(r *reader) *BlockTxn {
	m := &BlockTxn{Block: r.hash()}
	n := r.count(MaxCompactTxs, 2)
	m.Txs = make([]*wire.Tx, n)
	for i := range m.Txs {
		m.Txs[i] = r.tx()
	}
	return m
}

func appendTx(b []byte, tx *wire.Tx) []byte {
	b = wire.AppendCompactSize(b, uint64(tx.SerializeSize()))
	return tx.AppendTo(b, true)
}

// tx reads a length-prefixed transaction.
func (r *reader) tx() *wire.Tx {
	n := r.compactSize()
	if r.err != nil {
		return nil
	}
	if n > wire.MaxTxSize || n > uint64(len(r.buf)-r.off) {
		r.fail(ErrMalformed, "transaction of %d bytes", n)
		return nil
	}
	tx, err := wire.DecodeTx(r.bytes(int(n)))
	if err != nil {
		r.fail(ErrMalformed, "%v", err)
		return nil
	}
	return tx
}
