package policy

import "math"

// byteReader is a cursor over policy or satisfaction bytes. Its failures
// are RuleErrors of kind.
type byteReader struct {
	buf  []byte
	off  int
	kind ErrorKind
}

func (r *byteReader) remaining() int { return len(r.buf) - r.off }

func (r *byteReader) take(n int, what string) ([]byte, error) {
	if n < 0 || n > r.remaining() {
		return nil, ruleErr(r.kind, "%s at offset %d: need %d bytes, have %d", what, r.off, n, r.remaining())
	}
	p := r.buf[r.off : r.off+n : r.off+n]
	r.off += n
	return p, nil
}

// compactSize reads a minimally encoded CompactSize integer.
func (r *byteReader) compactSize(what string) (uint64, error) {
	p, err := r.take(1, what)
	if err != nil {
		return 0, err
	}
	var size int
	var min uint64
	switch p[0] {
	case 0xfd:
		size, min = 2, 0xfd
	case 0xfe:
		size, min = 4, math.MaxUint16+1
	case 0xff:
		size, min = 8, math.MaxUint32+1
	default:
		return uint64(p[0]), nil
	}
	if p, err = r.take(size, what); err != nil {
		return 0, err
	}
	var v uint64
	for i := size - 1; i >= 0; i-- {
		v = v<<8 | uint64(p[i])
	}
	if v < min {
		return 0, ruleErr(r.kind, "%s at offset %d: non-minimal CompactSize %d", what, r.off-size-1, v)
	}
	return v, nil
}

// finish rejects bytes after a complete structure.
func (r *byteReader) finish(what string) error {
	if r.remaining() != 0 {
		return ruleErr(r.kind, "%d bytes after the %s", r.remaining(), what)
	}
	return nil
}
