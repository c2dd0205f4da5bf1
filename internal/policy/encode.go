package policy

import (
	"encoding/binary"

	"github.com/ballast-chain/ballast/internal/chainhash"
	"github.com/ballast-chain/ballast/internal/wire"
)

// HashTag is the BIP340 tag of the policy hash that a policy lock holds.
const HashTag = "Ballast/Policy"

// minNodeSize is the smallest encoded node (after and older: kind and u32),
// used to bound a child count by the bytes that remain.
const minNodeSize = 5

// EncodedLen returns the size of n's encoding.
func (n *Node) EncodedLen() int {
	if n == nil {
		return 0
	}
	switch n.Kind {
	case KindKey, KindSha256:
		return 1 + 32
	case KindAfter, KindOlder:
		return 1 + 4
	}
	size := 1 + wire.CompactSizeLen(uint64(len(n.Children)))
	if n.Kind == KindThresh {
		size += wire.CompactSizeLen(uint64(n.K))
	}
	for _, c := range n.Children {
		size += c.EncodedLen()
	}
	return size
}

// AppendTo appends n's canonical encoding to b. It encodes whatever tree it
// is given (a nil node as nothing); only a tree that passes Validate encodes
// to a valid policy.
//
// Encoding, in preorder (docs/protocol.md §5.4 has the details):
//
//	key     0x01 | x-only key (32)
//	thresh  0x02 | CompactSize k | CompactSize n | n children
//	and     0x03 | CompactSize n | n children
//	or      0x04 | CompactSize n | n children
//	after   0x05 | u32 little-endian
//	older   0x06 | u32 little-endian
//	sha256  0x07 | digest (32)
func (n *Node) AppendTo(b []byte) []byte {
	if n == nil {
		return b
	}
	b = append(b, byte(n.Kind))
	switch n.Kind {
	case KindKey:
		return append(b, n.Key[:]...)
	case KindSha256:
		return append(b, n.Digest[:]...)
	case KindAfter, KindOlder:
		return binary.LittleEndian.AppendUint32(b, n.Value)
	case KindThresh:
		b = wire.AppendCompactSize(b, uint64(n.K))
	}
	b = wire.AppendCompactSize(b, uint64(len(n.Children)))
	for _, c := range n.Children {
		b = c.AppendTo(b)
	}
	return b
}

// Encode returns n's canonical encoding.
func (n *Node) Encode() []byte { return n.AppendTo(make([]byte, 0, n.EncodedLen())) }

// Hash returns the policy hash a policy lock holds:
// TaggedHash("Ballast/Policy", encoding).
func (n *Node) Hash() chainhash.Hash { return HashEncoding(n.Encode()) }

// HashEncoding returns the policy hash of an encoded policy.
func HashEncoding(enc []byte) chainhash.Hash { return chainhash.TaggedHash(HashTag, enc) }

// Decode decodes exactly one canonical policy. It rejects every encoding that
// Encode would not produce, and checks the limits before allocating.
func Decode(b []byte) (*Node, error) { return decode(b, true) }

// decode decodes a policy; checkKeys false skips the public-key validity
// check, for callers that only need the structure (CountSigChecks).
func decode(b []byte, checkKeys bool) (*Node, error) {
	if len(b) > MaxPolicySize {
		return nil, ruleErr(ErrPolicyLimits, "policy of %d bytes exceeds limit %d", len(b), MaxPolicySize)
	}
	d := decoder{byteReader: byteReader{buf: b, kind: ErrPolicyEncoding}, checkKeys: checkKeys}
	n, err := d.node(1)
	if err != nil {
		return nil, err
	}
	if err := d.finish("policy"); err != nil {
		return nil, err
	}
	return n, nil
}

type decoder struct {
	byteReader
	checkKeys bool
	lim       limits
}

func (d *decoder) node(depth int) (*Node, error) {
	start := d.off
	p, err := d.take(1, "node kind")
	if err != nil {
		return nil, err
	}
	n := &Node{Kind: Kind(p[0])}
	if n.Kind < KindKey || n.Kind > KindSha256 {
		return nil, ruleErr(ErrPolicyEncoding, "unknown node kind %#02x at offset %d", p[0], start)
	}
	if err := d.lim.enter(n.Kind, depth); err != nil {
		return nil, err
	}
	switch n.Kind {
	case KindKey, KindSha256:
		if p, err = d.take(32, n.Kind.String()); err != nil {
			return nil, err
		}
		if n.Kind == KindKey {
			copy(n.Key[:], p)
		} else {
			copy(n.Digest[:], p)
		}
	case KindAfter, KindOlder:
		if p, err = d.take(4, n.Kind.String()); err != nil {
			return nil, err
		}
		n.Value = binary.LittleEndian.Uint32(p)
	default:
		if err := d.children(n, depth); err != nil {
			return nil, err
		}
	}
	if err := checkFields(n, d.checkKeys); err != nil {
		return nil, annotate(err, "node at offset %d", start)
	}
	return n, nil
}

// children reads an inner node's k (for thresh), child count and children.
func (d *decoder) children(n *Node, depth int) error {
	if n.Kind == KindThresh {
		k, err := d.compactSize("thresh k")
		if err != nil {
			return err
		}
		if k > MaxPolicyNodes {
			return ruleErr(ErrPolicyEncoding, "thresh k=%d out of range", k)
		}
		n.K = int(k)
	}
	count, err := d.compactSize("child count")
	if err != nil {
		return err
	}
	if err := d.lim.reserve(count); err != nil {
		return err
	}
	if count > uint64(d.remaining()/minNodeSize) {
		return ruleErr(ErrPolicyEncoding, "%d children cannot fit in %d bytes", count, d.remaining())
	}
	// The field checks (k range, at least two children) run after the
	// children in node(); checking the count here first avoids decoding
	// children of a node that is already invalid.
	switch {
	case n.Kind == KindThresh && (n.K < 1 || uint64(n.K) > count):
		return ruleErr(ErrPolicyEncoding, "thresh k=%d out of range [1, %d]", n.K, count)
	case n.Kind != KindThresh && count < 2:
		return ruleErr(ErrPolicyEncoding, "%s needs at least 2 children, has %d", n.Kind, count)
	}
	n.Children = make([]*Node, count)
	for i := range n.Children {
		c, err := d.node(depth + 1)
		if err != nil {
			return err
		}
		n.Children[i] = c
	}
	return nil
}
