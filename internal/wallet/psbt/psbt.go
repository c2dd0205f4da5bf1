package psbt

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"sort"

	"github.com/ballast-chain/ballast/internal/policy"
	"github.com/ballast-chain/ballast/internal/wire"
)

// Magic starts every packet.
var Magic = []byte{'b', 'p', 's', 'b', 't', 0xff}

// Version is the only version this package writes and reads.
const Version = 1

// Limits checked while decoding.
const (
	MaxPacketSize = 8 << 20
	MaxPathDepth  = 16
)

// ErrMalformed is returned (wrapped) for a packet that does not decode.
var ErrMalformed = errors.New("psbt: malformed")

// Derivation says which wallet key (by master fingerprint and path) owns an
// x-only public key.
type Derivation struct {
	Key         [32]byte
	Fingerprint [4]byte
	Path        []uint32
}

// Input is what a signer needs for one input, and what signers added.
type Input struct {
	Prev        wire.TxOut
	Policy      []byte // policy encoding for a policy lock
	Derivations []Derivation
	PartialSigs map[[32]byte][64]byte
	Final       [][]byte // the finished witness, once finalized
}

// Output carries the derivations of outputs paying the wallet itself
// (change), so a signer can recognise them.
type Output struct {
	Derivations []Derivation
}

// Packet is a partially signed transaction.
type Packet struct {
	Tx      *wire.Tx // witnesses empty
	Inputs  []Input
	Outputs []Output
}

// New returns a packet for tx (its witnesses are dropped) spending prevs.
func New(tx *wire.Tx, prevs []wire.TxOut) (*Packet, error) {
	if len(prevs) != len(tx.TxIn) {
		return nil, fmt.Errorf("psbt: %d spent outputs for %d inputs", len(prevs), len(tx.TxIn))
	}
	c := *tx
	c.TxIn = append([]wire.TxIn(nil), tx.TxIn...)
	for i := range c.TxIn {
		c.TxIn[i].Witness = nil
	}
	p := &Packet{Tx: &c, Inputs: make([]Input, len(prevs)), Outputs: make([]Output, len(tx.TxOut))}
	for i := range prevs {
		p.Inputs[i].Prev = prevs[i]
	}
	return p, nil
}

// Encode returns the packet's canonical encoding.
func (p *Packet) Encode() []byte {
	b := append([]byte(nil), Magic...)
	b = append(b, Version)
	b = wire.AppendVarBytes(b, p.Tx.AppendTo(nil, false))
	for i := range p.Inputs {
		in := &p.Inputs[i]
		b = wire.AppendVarBytes(b, in.Prev.AppendTo(nil))
		b = wire.AppendVarBytes(b, in.Policy)
		b = appendDerivations(b, in.Derivations)
		keys := sortedKeys(in.PartialSigs)
		b = wire.AppendCompactSize(b, uint64(len(keys)))
		for _, k := range keys {
			s := in.PartialSigs[k]
			b = append(append(b, k[:]...), s[:]...)
		}
		b = wire.AppendCompactSize(b, uint64(len(in.Final)))
		for _, it := range in.Final {
			b = wire.AppendVarBytes(b, it)
		}
	}
	for i := range p.Outputs {
		b = appendDerivations(b, p.Outputs[i].Derivations)
	}
	return b
}

// Base64 returns the encoding in base64, the form RPCs and files use.
func (p *Packet) Base64() string { return base64.StdEncoding.EncodeToString(p.Encode()) }

// ParseBase64 decodes the base64 form.
func ParseBase64(s string) (*Packet, error) {
	if len(s) > MaxPacketSize*4/3+4 {
		return nil, fmt.Errorf("%w: too large", ErrMalformed)
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("%w: not base64", ErrMalformed)
	}
	return Decode(b)
}

func appendDerivations(b []byte, ds []Derivation) []byte {
	ds = sortedDerivations(ds)
	b = wire.AppendCompactSize(b, uint64(len(ds)))
	for _, d := range ds {
		b = append(b, d.Key[:]...)
		b = append(b, d.Fingerprint[:]...)
		b = wire.AppendCompactSize(b, uint64(len(d.Path)))
		for _, i := range d.Path {
			b = binary.LittleEndian.AppendUint32(b, i)
		}
	}
	return b
}

func sortedKeys(m map[[32]byte][64]byte) [][32]byte {
	ks := make([][32]byte, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Slice(ks, func(i, j int) bool { return bytes.Compare(ks[i][:], ks[j][:]) < 0 })
	return ks
}

func sortedDerivations(ds []Derivation) []Derivation {
	out := append([]Derivation(nil), ds...)
	sort.SliceStable(out, func(i, j int) bool { return bytes.Compare(out[i].Key[:], out[j].Key[:]) < 0 })
	return out
}

// Decode reads exactly one packet.
func Decode(b []byte) (*Packet, error) {
	if len(b) > MaxPacketSize {
		return nil, fmt.Errorf("%w: %d bytes", ErrMalformed, len(b))
	}
	r := &reader{b: b}
	if !bytes.Equal(r.take(len(Magic)), Magic) {
		return nil, fmt.Errorf("%w: bad magic", ErrMalformed)
	}
	if v := r.byte(); v != Version {
		return nil, fmt.Errorf("%w: version %d", ErrMalformed, v)
	}
	txb := r.varBytes()
	if r.err != nil {
		return nil, r.err
	}
	tx, err := wire.DecodeTx(txb)
	if err != nil {
		return nil, fmt.Errorf("%w: transaction: %v", ErrMalformed, err)
	}
	if tx.HasWitness() {
		return nil, fmt.Errorf("%w: transaction has witnesses", ErrMalformed)
	}
	p := &Packet{Tx: tx, Inputs: make([]Input, len(tx.TxIn)), Outputs: make([]Output, len(tx.TxOut))}
	for i := range p.Inputs {
		in := &p.Inputs[i]
		ob := r.varBytes()
		if r.err != nil {
			return nil, r.err
		}
		out, n, err := wire.DecodeTxOut(ob)
		if err != nil || n != len(ob) {
			return nil, fmt.Errorf("%w: input %d spent output", ErrMalformed, i)
		}
		in.Prev = out
		if pol := r.varBytes(); len(pol) > 0 {
			if _, err := policy.Decode(pol); err != nil {
				return nil, fmt.Errorf("%w: input %d policy: %v", ErrMalformed, i, err)
			}
			in.Policy = append([]byte(nil), pol...)
		}
		in.Derivations = r.derivations()
		n64 := r.count(96)
		if n64 > 0 {
			in.PartialSigs = make(map[[32]byte][64]byte, n64)
		}
		var last []byte
		for j := 0; j < n64 && r.err == nil; j++ {
			k := [32]byte(r.take(32))
			s := [64]byte(r.take(64))
			if last != nil && bytes.Compare(last, k[:]) >= 0 {
				r.fail("partial signatures not sorted")
			}
			last = k[:]
			in.PartialSigs[k] = s
		}
		w := r.count(1)
		for j := 0; j < w && r.err == nil; j++ {
			in.Final = append(in.Final, append([]byte(nil), r.varBytes()...))
		}
	}
	for i := range p.Outputs {
		p.Outputs[i].Derivations = r.derivations()
	}
	if r.err != nil {
		return nil, r.err
	}
	if len(r.b) != r.off {
		return nil, fmt.Errorf("%w: %d trailing bytes", ErrMalformed, len(r.b)-r.off)
	}
	return p, nil
}

type reader struct {
	b   []byte
	off int
	err error
}

func (r *reader) fail(msg string) {
	if r.err == nil {
		r.err = fmt.Errorf("%w: %s", ErrMalformed, msg)
	}
}

func (r *reader) take(n int) []byte {
	if r.err != nil || n < 0 || len(r.b)-r.off < n {
		r.fail("truncated")
		return make([]byte, max(n, 0))
	}
	s := r.b[r.off : r.off+n]
	r.off += n
	return s
}

func (r *reader) byte() byte { return r.take(1)[0] }

func (r *reader) compact() uint64 {
	first := r.byte()
	var v, min uint64
	switch first {
	case 0xfd:
		v, min = uint64(binary.LittleEndian.Uint16(r.take(2))), 0xfd
	case 0xfe:
		v, min = uint64(binary.LittleEndian.Uint32(r.take(4))), 0x10000
	case 0xff:
		v, min = binary.LittleEndian.Uint64(r.take(8)), 0x100000000
	default:
		return uint64(first)
	}
	if v < min {
		r.fail("non-minimal CompactSize")
	}
	return v
}

// count reads a count of items of at least unit bytes each and checks it
// against the bytes left.
func (r *reader) count(unit int) int {
	n := r.compact()
	if r.err != nil {
		return 0
	}
	if n > uint64(len(r.b)-r.off)/uint64(unit) {
		r.fail("count larger than the data")
		return 0
	}
	return int(n)
}

func (r *reader) varBytes() []byte { return r.take(r.count(1)) }

func (r *reader) derivations() []Derivation {
	n := r.count(37)
	var ds []Derivation
	var last []byte
	for i := 0; i < n && r.err == nil; i++ {
		d := Derivation{Key: [32]byte(r.take(32)), Fingerprint: [4]byte(r.take(4))}
		depth := r.count(4)
		if depth > MaxPathDepth {
			r.fail("derivation path too deep")
			return nil
		}
		for j := 0; j < depth; j++ {
			d.Path = append(d.Path, binary.LittleEndian.Uint32(r.take(4)))
		}
		if last != nil && bytes.Compare(last, d.Key[:]) >= 0 {
			r.fail("derivations not sorted")
		}
		last = d.Key[:]
		ds = append(ds, d)
	}
	return ds
}
