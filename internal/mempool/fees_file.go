package mempool

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"io"
	"math"
)

// The fee-estimates file (Core's fee_estimates.dat), integers and float64
// bits little-endian:
//
//	magic    4   "BMFE"
//	version  u32 1
//	buckets  u32 number of fee-rate buckets (the layout must match)
//	best     i32 last block processed
//	first    i32 first block with a confirmation, 0 for none
//	per horizon (medium, long): periods u32, scale u32, decay f64, then
//	         txCt[buckets], feeSum[buckets], conf[periods][buckets],
//	         fail[periods][buckets], all f64
//	checksum 32  SHA-256 of everything before it
//
// Transactions still waiting are not saved; after a restart the estimator
// follows the new ones.
const (
	feeFileMagic   = "BMFE"
	feeFileVersion = 1
	maxFeeFileSize = 1 << 20
)

// Save writes the estimator's statistics.
func (f *FeeEstimator) Save(w io.Writer) error {
	f.mu.Lock()
	b := []byte(feeFileMagic)
	b = binary.LittleEndian.AppendUint32(b, feeFileVersion)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(f.bounds)))
	b = binary.LittleEndian.AppendUint32(b, uint32(f.best))
	b = binary.LittleEndian.AppendUint32(b, uint32(f.first))
	for _, h := range f.hz {
		b = binary.LittleEndian.AppendUint32(b, uint32(h.periods))
		b = binary.LittleEndian.AppendUint32(b, uint32(h.scale))
		b = appendFloats(b, []float64{h.decay})
		b = appendFloats(b, h.txCt)
		b = appendFloats(b, h.feeSum)
		for p := range h.conf {
			b = appendFloats(b, h.conf[p])
		}
		for p := range h.fail {
			b = appendFloats(b, h.fail[p])
		}
	}
	f.mu.Unlock()
	sum := sha256.Sum256(b)
	_, err := w.Write(append(b, sum[:]...))
	return err
}

func appendFloats(b []byte, fs []float64) []byte {
	for _, v := range fs {
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
	}
	return b
}

// Load replaces the estimator's statistics with a saved file's. A corrupted
// file, or one of another version or bucket layout, is refused
// (ErrMalformedFile) and changes nothing.
func (f *FeeEstimator) Load(r io.Reader) error {
	data, err := io.ReadAll(io.LimitReader(r, maxFeeFileSize+1))
	if err != nil {
		return err
	}
	if len(data) > maxFeeFileSize || len(data) < 20+sha256.Size {
		return ruleError(ErrMalformedFile, "fee estimates file of %d bytes", len(data))
	}
	body, sum := data[:len(data)-sha256.Size], data[len(data)-sha256.Size:]
	if got := sha256.Sum256(body); !bytes.Equal(got[:], sum) {
		return ruleError(ErrMalformedFile, "fee estimates checksum mismatch")
	}
	fresh := NewFeeEstimator()
	d := floatReader{buf: body}
	if string(d.take(4)) != feeFileMagic || d.u32() != feeFileVersion || int(d.u32()) != len(fresh.bounds) {
		return ruleError(ErrMalformedFile, "not a fee estimates file of this version and bucket layout")
	}
	best, first := int32(d.u32()), int32(d.u32())
	for _, h := range fresh.hz {
		if int(d.u32()) != h.periods || int(d.u32()) != h.scale || d.f64() != h.decay {
			return ruleError(ErrMalformedFile, "fee estimates horizon layout differs")
		}
		d.floats(h.txCt)
		d.floats(h.feeSum)
		for p := range h.conf {
			d.floats(h.conf[p])
		}
		for p := range h.fail {
			d.floats(h.fail[p])
		}
	}
	if d.bad || len(d.buf) != 0 {
		return ruleError(ErrMalformedFile, "fee estimates file is truncated, has bad values or trailing bytes")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.hz, f.best, f.first = fresh.hz, best, first
	return nil
}

// floatReader reads the file's fields, noting any shortfall or value that
// is negative or not finite instead of failing at each step.
type floatReader struct {
	buf []byte
	bad bool
}

func (d *floatReader) take(n int) []byte {
	if len(d.buf) < n {
		d.bad = true
		d.buf = nil
		return make([]byte, n)
	}
	b := d.buf[:n]
	d.buf = d.buf[n:]
	return b
}

func (d *floatReader) u32() uint32 { return binary.LittleEndian.Uint32(d.take(4)) }

func (d *floatReader) f64() float64 {
	return math.Float64frombits(binary.LittleEndian.Uint64(d.take(8)))
}

func (d *floatReader) floats(dst []float64) {
	for i := range dst {
		v := d.f64()
		if v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
			d.bad = true
		}
		dst[i] = v
	}
}

// EstimateSmartFee answers estimatesmartfee: the estimator's fee rate for
// target, raised to the pool's current minimum fee and the relay minimum
// (as Core's RPC does).
func (p *Pool) EstimateSmartFee(target int, conservative bool) (FeeEstimate, error) {
	est, err := p.fees.EstimateSmartFee(target, conservative)
	if err != nil {
		return est, err
	}
	p.mu.Lock()
	floor := max(p.minFeeRate(p.cfg.Now()), p.cfg.MinRelayFeeRate)
	p.mu.Unlock()
	est.FeeRate = max(est.FeeRate, floor)
	return est, nil
}
