package message

import (
	"encoding/binary"
	"net/netip"

	"github.com/ballast-chain/ballast/internal/chainhash"
	"github.com/ballast-chain/ballast/internal/wire"
)

// reader decodes a payload, recording the first failure; later reads return
// zero values, so a decoder reads everything and checks err once.
type reader struct {
	cmd string
	buf []byte
	off int
	err error
}

func (r *reader) fail(kind ErrorKind, format string, args ...any) {
	if r.err == nil {
		r.err = msgErr(kind, r.cmd, format, args...)
	}
}

func (r *reader) bytes(n int) []byte {
	if r.err != nil {
		return nil
	}
	if n < 0 || len(r.buf)-r.off < n {
		r.fail(ErrMalformed, "truncated at byte %d", r.off)
		return nil
	}
	b := r.buf[r.off : r.off+n]
	r.off += n
	return b
}

func (r *reader) u8() byte {
	if b := r.bytes(1); b != nil {
		return b[0]
	}
	return 0
}

func (r *reader) u16be() uint16 {
	if b := r.bytes(2); b != nil {
		return binary.BigEndian.Uint16(b)
	}
	return 0
}

func (r *reader) u32() uint32 {
	if b := r.bytes(4); b != nil {
		return binary.LittleEndian.Uint32(b)
	}
	return 0
}

func (r *reader) u64() uint64 {
	if b := r.bytes(8); b != nil {
		return binary.LittleEndian.Uint64(b)
	}
	return 0
}

func (r *reader) hash() (h chainhash.Hash) {
	copy(h[:], r.bytes(32))
	return h
}

// compactSize reads a canonical CompactSize.
func (r *reader) compactSize() uint64 {
	first := r.u8()
	var v, min uint64
	switch first {
	case 0xfd:
		v, min = uint64(r.u16le()), 0xfd
	case 0xfe:
		v, min = uint64(r.u32()), 0x10000
	case 0xff:
		v, min = r.u64(), 0x100000000
	default:
		return uint64(first)
	}
	if r.err == nil && v < min {
		r.fail(ErrMalformed, "non-canonical CompactSize %d", v)
	}
	return v
}

func (r *reader) u16le() uint16 {
	if b := r.bytes(2); b != nil {
		return binary.LittleEndian.Uint16(b)
	}
	return 0
}

// count reads a CompactSize count, bounded by max and by the bytes left for
// elements of at least minSize bytes, so nothing is allocated for a lie.
func (r *reader) count(max, minSize int) int {
	n := r.compactSize()
	if r.err != nil {
		return 0
	}
	if n > uint64(max) {
		r.fail(ErrTooLarge, "count %d, limit %d", n, max)
		return 0
	}
	if n*uint64(minSize) > uint64(len(r.buf)-r.off) {
		r.fail(ErrMalformed, "count %d needs more than the %d bytes left", n, len(r.buf)-r.off)
		return 0
	}
	return int(n)
}

func (r *reader) varString(max int) string {
	n := r.count(max, 1)
	return string(r.bytes(n))
}

func (r *reader) finish() error {
	if r.err == nil && r.off != len(r.buf) {
		r.fail(ErrMalformed, "%d trailing bytes", len(r.buf)-r.off)
	}
	return r.err
}

// NetAddress is an address as peers exchange it: services, IPv6 (IPv4
// mapped) and port.
type NetAddress struct {
	Services uint64
	Addr     netip.AddrPort
}

const netAddressSize = 8 + 16 + 2

func appendNetAddress(b []byte, a NetAddress) []byte {
	b = binary.LittleEndian.AppendUint64(b, a.Services)
	ip := a.Addr.Addr().As16()
	b = append(b, ip[:]...)
	return binary.BigEndian.AppendUint16(b, a.Addr.Port())
}

func (r *reader) netAddress() NetAddress {
	s := r.u64()
	var ip [16]byte
	copy(ip[:], r.bytes(16))
	port := r.u16be()
	return NetAddress{Services: s, Addr: netip.AddrPortFrom(netip.AddrFrom16(ip).Unmap(), port)}
}

func appendVarString(b []byte, s string) []byte {
	b = wire.AppendCompactSize(b, uint64(len(s)))
	return append(b, s...)
}
