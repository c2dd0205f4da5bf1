package message

import (
	"encoding/binary"

	"github.com/ballast-chain/ballast/internal/chainhash"
	"github.com/ballast-chain/ballast/internal/wire"
)

// InvType says what an inventory vector names.
type InvType uint32

// Inventory types.
const (
	InvTx    InvType = 1
	InvBlock InvType = 2
)

// InvVect names a transaction (by txid) or a block.
type InvVect struct {
	Type InvType
	Hash chainhash.Hash
}

func appendInvList(b []byte, l []InvVect) []byte {
	b = wire.AppendCompactSize(b, uint64(len(l)))
	for _, v := range l {
		b = binary.LittleEndian.AppendUint32(b, uint32(v.Type))
		b = append(b, v.Hash[:]...)
	}
	return b
}

func decodeInvList(r *reader) []InvVect {
	n := r.count(MaxInv, invVectSize)
	l := make([]InvVect, n)
	for i := range l {
		l[i].Type = InvType(r.u32())
		l[i].Hash = r.hash()
		if r.err == nil && l[i].Type != InvTx && l[i].Type != InvBlock {
			r.fail(ErrMalformed, "inventory type %d", l[i].Type)
		}
	}
	return l
}

// Inv announces inventory.
type Inv struct{ List []InvVect }

// Command implements Message.
func (*Inv) Command() string { return CmdInv }

// AppendPayload implements Message.
func (m *Inv) AppendPayload(b []byte) []byte { return appendInvList(b, m.List) }

// GetData requests inventory.
type GetData struct{ List []InvVect }

// Command implements Message.
func (*GetData) Command() string { return CmdGetData }

// AppendPayload implements Message.
func (m *GetData) AppendPayload(b []byte) []byte { return appendInvList(b, m.List) }

// NotFound answers the part of a GetData the peer cannot serve.
type NotFound struct{ List []InvVect }

// Command implements Message.
func (*NotFound) Command() string { return CmdNotFound }

// AppendPayload implements Message.
func (m *NotFound) AppendPayload(b []byte) []byte { return appendInvList(b, m.List) }

// GetHeaders asks for up to MaxHeaders headers following the first locator
// hash the peer has on its best chain, ending at Stop (zero: no stop).
type GetHeaders struct {
	Protocol uint32
	Locator  []chainhash.Hash
	Stop     chainhash.Hash
}

// Command implements Message.
func (*GetHeaders) Command() string { return CmdGetHeaders }

// AppendPayload implements Message.
func (m *GetHeaders) AppendPayload(b []byte) []byte {
	b = binary.LittleEndian.AppendUint32(b, m.Protocol)
	b = wire.AppendCompactSize(b, uint64(len(m.Locator)))
	for _, h := range m.Locator {
		b = append(b, h[:]...)
	}
	return append(b, m.Stop[:]...)
}

func decodeGetHeaders(r *reader) *GetHeaders {
	m := &GetHeaders{Protocol: r.u32()}
	n := r.count(MaxLocator, 32)
	m.Locator = make([]chainhash.Hash, n)
	for i := range m.Locator {
		m.Locator[i] = r.hash()
	}
	m.Stop = r.hash()
	return m
}

// Headers carries block headers, each linking to the one before.
type Headers struct{ List []wire.BlockHeader }

// Command implements Message.
func (*Headers) Command() string { return CmdHeaders }

// AppendPayload implements Message.
func (m *Headers) AppendPayload(b []byte) []byte {
	b = wire.AppendCompactSize(b, uint64(len(m.List)))
	for i := range m.List {
		b = m.List[i].AppendTo(b)
	}
	return b
}

func decodeHeaders(r *reader) *Headers {
	n := r.count(MaxHeaders, wire.HeaderSize)
	m := &Headers{List: make([]wire.BlockHeader, n)}
	for i := range m.List {
		raw := r.bytes(wire.HeaderSize)
		if raw == nil {
			break
		}
		h, err := wire.DecodeHeader(raw)
		if err != nil {
			r.fail(ErrMalformed, "header %d: %v", i, err)
			break
		}
		m.List[i] = h
	}
	return m
}

// Block carries a full block.
type Block struct{ Block *wire.Block }

// Command implements Message.
func (*Block) Command() string { return CmdBlock }

// AppendPayload implements Message.
func (m *Block) AppendPayload(b []byte) []byte { return m.Block.AppendTo(b) }

// Tx carries a transaction with its witnesses.
type Tx struct{ Tx *wire.Tx }

// Command implements Message.
func (*Tx) Command() string { return CmdTx }

// AppendPayload implements Message.
func (m *Tx) AppendPayload(b []byte) []byte { return m.Tx.AppendTo(b, true) }

// Raw is a payload encoded elsewhere (a stored block served as is).
type Raw struct {
	Cmd     string
	Payload []byte
}

// Command implements Message.
func (m *Raw) Command() string { return m.Cmd }

// AppendPayload implements Message.
func (m *Raw) AppendPayload(b []byte) []byte { return append(b, m.Payload...) }
