package asset

import (
	"encoding/binary"

	"github.com/ballast-chain/ballast/internal/wire"
)

// reader reads canonical encodings; the first error sticks and every later
// read returns zero values.
type reader struct {
	buf []byte
	off int
	err error
}

func (r *reader) fail(k ErrorKind, format string, args ...any) {
	if r.err == nil {
		r.err = errf(k, format, args...)
	}
}

func (r *reader) take(n int, what string) []byte {
	if r.err != nil {
		return nil
	}
	if n < 0 || len(r.buf)-r.off < n {
		r.fail(ErrEncoding, "%s: need %d bytes, have %d", what, n, len(r.buf)-r.off)
		return nil
	}
	b := r.buf[r.off : r.off+n]
	r.off += n
	return b
}

func (r *reader) u8(what string) byte {
	b := r.take(1, what)
	if b == nil {
		return 0
	}
	return b[0]
}

func (r *reader) u32(what string) uint32 {
	b := r.take(4, what)
	if b == nil {
		return 0
	}
	return binary.LittleEndian.Uint32(b)
}

func (r *reader) u64(what string) uint64 {
	b := r.take(8, what)
	if b == nil {
		return 0
	}
	return binary.LittleEndian.Uint64(b)
}

func (r *reader) hash(what string) (h [32]byte) {
	copy(h[:], r.take(32, what))
	return h
}

// compactSize reads a canonical CompactSize no larger than max.
func (r *reader) compactSize(max uint64, what string) uint64 {
	start := r.off
	first := r.u8(what)
	var v uint64
	switch first {
	case 0xfd:
		if b := r.take(2, what); b != nil {
			v = uint64(binary.LittleEndian.Uint16(b))
		}
	case 0xfe:
		v = uint64(r.u32(what))
	case 0xff:
		v = r.u64(what)
	default:
		v = uint64(first)
	}
	if r.err != nil {
		return 0
	}
	if wire.CompactSizeLen(v) != r.off-start {
		r.fail(ErrEncoding, "%s: non-canonical length", what)
		return 0
	}
	if v > max {
		r.fail(ErrLimits, "%s: %d exceeds %d", what, v, max)
		return 0
	}
	return v
}

// varBytes reads a CompactSize length (<= max) and that many bytes.
func (r *reader) varBytes(max int, what string) []byte {
	n := r.compactSize(uint64(max), what)
	return r.take(int(n), what)
}

func (r *reader) finish(what string) error {
	if r.err == nil && r.off != len(r.buf) {
		r.fail(ErrEncoding, "%s: %d trailing bytes", what, len(r.buf)-r.off)
	}
	return r.err
}
