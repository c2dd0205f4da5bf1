package message

import (
	"encoding/binary"

	"github.com/ballast-chain/ballast/internal/chainhash"
	"github.com/ballast-chain/ballast/internal/wire"
)

// ProtocolVersion is the version this implementation speaks.
const ProtocolVersion = 1

// Limits on counts inside payloads.
const (
	MaxInv        = 50_000 // inventory vectors in inv, getdata, notfound
	MaxAddrs      = 1_000  // addresses in one addr message
	MaxHeaders    = 2_000  // headers in one headers message
	MaxLocator    = 101    // hashes in a block locator
	MaxUserAgent  = 256    // bytes of a user agent
	invVectSize   = 4 + 32 // type, hash
	addrEntrySize = 4 + netAddressSize
)

// Commands.
const (
	CmdVersion     = "version"
	CmdVerack      = "verack"
	CmdPing        = "ping"
	CmdPong        = "pong"
	CmdGetAddr     = "getaddr"
	CmdAddr        = "addr"
	CmdInv         = "inv"
	CmdGetData     = "getdata"
	CmdNotFound    = "notfound"
	CmdGetHeaders  = "getheaders"
	CmdHeaders     = "headers"
	CmdBlock       = "block"
	CmdTx          = "tx"
	CmdSendHeaders = "sendheaders"
)

// limits holds each command's maximum payload size; a command not listed is
// unknown.
var limits = map[string]int{
	CmdVersion:     4 + 8 + 8 + 2*netAddressSize + 8 + 3 + MaxUserAgent + 4 + 32 + 1,
	CmdVerack:      0,
	CmdPing:        8,
	CmdPong:        8,
	CmdGetAddr:     0,
	CmdAddr:        3 + MaxAddrs*addrEntrySize,
	CmdInv:         5 + MaxInv*invVectSize,
	CmdGetData:     5 + MaxInv*invVectSize,
	CmdNotFound:    5 + MaxInv*invVectSize,
	CmdGetHeaders:  4 + 1 + MaxLocator*32 + 32,
	CmdHeaders:     3 + MaxHeaders*wire.HeaderSize,
	CmdBlock:       wire.MaxBlockSize,
	CmdTx:          wire.MaxTxSize,
	CmdSendHeaders: 0,
}

// MaxPayload returns the largest payload a command may carry (0 for an
// unknown command).
func MaxPayload(cmd string) int { return limits[cmd] }

// Message is one decoded payload.
type Message interface {
	Command() string
	// AppendPayload appends the payload's encoding to b.
	AppendPayload(b []byte) []byte
}

// Decode decodes a frame's payload.
func Decode(f Frame) (Message, error) {
	r := &reader{cmd: f.Command, buf: f.Payload}
	var m Message
	switch f.Command {
	case CmdVersion:
		m = decodeVersion(r)
	case CmdVerack:
		m = &Verack{}
	case CmdPing:
		m = &Ping{Nonce: r.u64()}
	case CmdPong:
		m = &Pong{Nonce: r.u64()}
	case CmdGetAddr:
		m = &GetAddr{}
	case CmdAddr:
		m = decodeAddr(r)
	case CmdInv:
		m = &Inv{List: decodeInvList(r)}
	case CmdGetData:
		m = &GetData{List: decodeInvList(r)}
	case CmdNotFound:
		m = &NotFound{List: decodeInvList(r)}
	case CmdGetHeaders:
		m = decodeGetHeaders(r)
	case CmdHeaders:
		m = decodeHeaders(r)
	case CmdBlock:
		b, err := wire.DecodeBlock(f.Payload)
		if err != nil {
			return nil, msgErr(ErrMalformed, f.Command, "%v", err)
		}
		return &Block{Block: b}, nil
	case CmdTx:
		tx, err := wire.DecodeTx(f.Payload)
		if err != nil {
			return nil, msgErr(ErrMalformed, f.Command, "%v", err)
		}
		return &Tx{Tx: tx}, nil
	case CmdSendHeaders:
		m = &SendHeaders{}
	case CmdSendCmpct:
		m = decodeSendCmpct(r)
	case CmdCmpctBlock:
		m = decodeCmpctBlock(r)
	case CmdGetBlockTxn:
		m = decodeGetBlockTxn(r)
	case CmdBlockTxn:
		m = decodeBlockTxn(r)
	default:
		return nil, msgErr(ErrUnknownCommand, f.Command, "no decoder")
	}
	if err := r.finish(); err != nil {
		return nil, err
	}
	return m, nil
}

// Version opens a connection. GenesisHash must equal the receiver's: peers
// of another network are dropped.
type Version struct {
	Protocol    uint32
	Services    uint64
	Timestamp   int64
	AddrRecv    NetAddress
	AddrFrom    NetAddress
	Nonce       uint64 // detects connections to self
	UserAgent   string
	StartHeight int32
	GenesisHash chainhash.Hash
	Relay       bool
}

// Command implements Message.
func (*Version) Command() string { return CmdVersion }

// AppendPayload implements Message.
func (m *Version) AppendPayload(b []byte) []byte {
	b = binary.LittleEndian.AppendUint32(b, m.Protocol)
	b = binary.LittleEndian.AppendUint64(b, m.Services)
	b = binary.LittleEndian.AppendUint64(b, uint64(m.Timestamp))
	b = appendNetAddress(b, m.AddrRecv)
	b = appendNetAddress(b, m.AddrFrom)
	b = binary.LittleEndian.AppendUint64(b, m.Nonce)
	b = appendVarString(b, m.UserAgent)
	b = binary.LittleEndian.AppendUint32(b, uint32(m.StartHeight))
	b = append(b, m.GenesisHash[:]...)
	if m.Relay {
		return append(b, 1)
	}
	return append(b, 0)
}

func decodeVersion(r *reader) *Version {
	m := &Version{Protocol: r.u32(), Services: r.u64(), Timestamp: int64(r.u64())}
	m.AddrRecv, m.AddrFrom = r.netAddress(), r.netAddress()
	m.Nonce = r.u64()
	m.UserAgent = r.varString(MaxUserAgent)
	m.StartHeight = int32(r.u32())
	m.GenesisHash = r.hash()
	switch r.u8() {
	case 0:
	case 1:
		m.Relay = true
	default:
		r.fail(ErrMalformed, "relay flag not 0 or 1")
	}
	return m
}

// Verack acknowledges a version.
type Verack struct{}

// Command implements Message.
func (*Verack) Command() string { return CmdVerack }

// AppendPayload implements Message.
func (*Verack) AppendPayload(b []byte) []byte { return b }

// Ping asks for a Pong with the same nonce (latency measurement, liveness).
type Ping struct{ Nonce uint64 }

// Command implements Message.
func (*Ping) Command() string { return CmdPing }

// AppendPayload implements Message.
func (m *Ping) AppendPayload(b []byte) []byte { return binary.LittleEndian.AppendUint64(b, m.Nonce) }

// Pong answers a Ping.
type Pong struct{ Nonce uint64 }

// Command implements Message.
func (*Pong) Command() string { return CmdPong }

// AppendPayload implements Message.
func (m *Pong) AppendPayload(b []byte) []byte { return binary.LittleEndian.AppendUint64(b, m.Nonce) }

// GetAddr asks for known addresses.
type GetAddr struct{}

// Command implements Message.
func (*GetAddr) Command() string { return CmdGetAddr }

// AppendPayload implements Message.
func (*GetAddr) AppendPayload(b []byte) []byte { return b }

// SendHeaders asks the peer to announce new blocks with headers, not inv.
type SendHeaders struct{}

// Command implements Message.
func (*SendHeaders) Command() string { return CmdSendHeaders }

// AppendPayload implements Message.
func (*SendHeaders) AppendPayload(b []byte) []byte { return b }

// TimedAddress is an address with the time it was last seen.
type TimedAddress struct {
	Time uint32
	NetAddress
}

// Addr gossips addresses.
type Addr struct{ List []TimedAddress }

// Command implements Message.
func (*Addr) Command() string { return CmdAddr }

// AppendPayload implements Message.
func (m *Addr) AppendPayload(b []byte) []byte {
	b = wire.AppendCompactSize(b, uint64(len(m.List)))
	for _, a := range m.List {
		b = binary.LittleEndian.AppendUint32(b, a.Time)
		b = appendNetAddress(b, a.NetAddress)
	}
	return b
}

func decodeAddr(r *reader) *Addr {
	n := r.count(MaxAddrs, addrEntrySize)
	m := &Addr{List: make([]TimedAddress, n)}
	for i := range m.List {
		m.List[i].Time = r.u32()
		m.List[i].NetAddress = r.netAddress()
	}
	return m
}
