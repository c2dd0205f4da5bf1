package wire

import (
	"encoding/binary"
	"math"
)

// CompactSizeLen returns the encoded length of n as a CompactSize integer.
func CompactSizeLen(n uint64) int {
	switch {
	case n < 0xfd:
		return 1
	case n <= math.MaxUint16:
		return 3
	case n <= math.MaxUint32:
		return 5
	default:
		return 9
	}
}

// AppendCompactSize appends n in Bitcoin's CompactSize encoding.
func AppendCompactSize(b []byte, n uint64) []byte {
	switch {
	case n < 0xfd:
		return append(b, byte(n))
	case n <= math.MaxUint16:
		return binary.LittleEndian.AppendUint16(append(b, 0xfd), uint16(n))
	case n <= math.MaxUint32:
		return binary.LittleEndian.AppendUint32(append(b, 0xfe), uint32(n))
	default:
		return binary.LittleEndian.AppendUint64(append(b, 0xff), n)
	}
}

// AppendVarBytes appends a CompactSize length followed by p.
func AppendVarBytes(b, p []byte) []byte {
	return append(AppendCompactSize(b, uint64(len(p))), p...)
}

// reader is a cursor over an input slice. Every method checks the bytes that
// remain; the first failure sticks so decoders can read a whole structure and
// check the error once at the end of a section.
type reader struct {
	buf []byte
	off int
	err error
}

func (r *reader) remaining() int { return len(r.buf) - r.off }

func (r *reader) fail(err error) {
	if r.err == nil {
		r.err = err
	}
}

func (r *reader) bytes(n int, what string) []byte {
	if r.err != nil {
		return nil
	}
	if n < 0 || n > r.remaining() {
		r.fail(msgErr(ErrTruncated, "%s: need %d bytes, have %d", what, n, r.remaining()))
		return nil
	}
	p := r.buf[r.off : r.off+n : r.off+n]
	r.off += n
	return p
}

func (r *reader) u8(what string) byte {
	p := r.bytes(1, what)
	if p == nil {
		return 0
	}
	return p[0]
}

func (r *reader) u32(what string) uint32 {
	p := r.bytes(4, what)
	if p == nil {
		return 0
	}
	return binary.LittleEndian.Uint32(p)
}

func (r *reader) u64(what string) uint64 {
	p := r.bytes(8, what)
	if p == nil {
		return 0
	}
	return binary.LittleEndian.Uint64(p)
}

func (r *reader) hash(dst *[32]byte, what string) {
	if p := r.bytes(32, what); p != nil {
		copy(dst[:], p)
	}
}

// compactSize reads a canonical (minimally encoded) CompactSize integer.
func (r *reader) compactSize(what string) uint64 {
	d := r.u8(what)
	if r.err != nil {
		return 0
	}
	var n, min uint64
	switch d {
	case 0xfd:
		p := r.bytes(2, what)
		if p == nil {
			return 0
		}
		n, min = uint64(binary.LittleEndian.Uint16(p)), 0xfd
	case 0xfe:
		n, min = uint64(r.u32(what)), math.MaxUint16+1
	case 0xff:
		n, min = r.u64(what), math.MaxUint32+1
	default:
		return uint64(d)
	}
	if r.err == nil && n < min {
		r.fail(msgErr(ErrNonCanonical, "%s: non-minimal CompactSize %d", what, n))
		return 0
	}
	return n
}

// count reads a CompactSize element count and checks it against max and
// against the number of elements of at least minSize bytes that the remaining
// input could hold, so a hostile count never causes a large allocation.
func (r *reader) count(max, minSize int, what string) int {
	n := r.compactSize(what)
	if r.err != nil {
		return 0
	}
	if n > uint64(max) {
		r.fail(msgErr(ErrTooMany, "%s: %d exceeds limit %d", what, n, max))
		return 0
	}
	if minSize > 0 && n > uint64(r.remaining()/minSize) {
		r.fail(msgErr(ErrTruncated, "%s: %d elements cannot fit in %d bytes", what, n, r.remaining()))
		return 0
	}
	return int(n)
}

// varBytes reads a CompactSize length (at most max) and that many bytes. The
// result aliases the input.
func (r *reader) varBytes(max int, what string) []byte {
	n := r.compactSize(what)
	if r.err != nil {
		return nil
	}
	if n > uint64(max) {
		r.fail(msgErr(ErrTooLarge, "%s: length %d exceeds limit %d", what, n, max))
		return nil
	}
	return r.bytes(int(n), what)
}

func (r *reader) finish(what string) error {
	if r.err == nil && r.remaining() != 0 {
		r.fail(msgErr(ErrTrailingBytes, "%s: %d bytes after the end", what, r.remaining()))
	}
	return r.err
}
