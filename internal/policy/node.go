package policy

import (
	"crypto/sha256"

	"github.com/btcsuite/btcd/btcec/v2/schnorr"
)

// Limits on a policy. They are consensus: a policy over any of them cannot be
// revealed in a valid spend, and Decode rejects it before allocating for it.
const (
	// MaxPolicySize bounds the encoding of one policy in bytes.
	MaxPolicySize = 8192
	// MaxPolicyDepth bounds the nesting of a policy: a single leaf has
	// depth 1, and(key, key) has depth 2.
	MaxPolicyDepth = 16
	// MaxPolicyNodes bounds the nodes of a policy, leaves and inner nodes
	// together.
	MaxPolicyNodes = 256
	// MaxPolicyKeys bounds the key nodes of a policy, and so the signature
	// checks one policy spend can cost.
	MaxPolicyKeys = 100
	// MaxPolicyTextSize bounds the text form ParseText accepts. Every policy
	// within the other limits prints in well under this.
	MaxPolicyTextSize = 32768
)

// Sizes of fixed fields.
const (
	// KeySize is the size of a BIP340 x-only public key.
	KeySize = 32
	// SignatureSize is the size of a BIP340 signature. Only 64-byte
	// signatures (SIGHASH_ALL) are valid; a 65-byte form is reserved for
	// future hash types.
	SignatureSize = 64
	// PreimageSize is the only valid size of a hash-lock preimage.
	PreimageSize = 32
)

// Lock-time and sequence rules shared with the consensus package, as Bitcoin
// defines them (BIP65, BIP68, BIP112).
const (
	// LockTimeThreshold: lock times below it are block heights, at or above
	// it Unix times.
	LockTimeThreshold = 500_000_000
	// SequenceFinal is the input sequence that disables the transaction's
	// lock time for that input (and so fails every after node).
	SequenceFinal = 0xffffffff
	// SequenceLockTimeDisabled: set in an input's sequence, relative lock
	// times do not apply to it (and every older node fails).
	SequenceLockTimeDisabled = 1 << 31
	// SequenceLockTimeIsSeconds: set, a relative lock counts units of 512
	// seconds; clear, it counts blocks.
	SequenceLockTimeIsSeconds = 1 << 22
	// SequenceLockTimeMask selects the relative lock's amount.
	SequenceLockTimeMask = 0x0000ffff
)

// Kind is a policy node kind. Its value is the node's first byte in the
// encoding.
type Kind uint8

// Node kinds. Byte 0x00 and bytes above 0x07 are not node kinds.
const (
	// KindKey is satisfied by a BIP340 signature under Key.
	KindKey Kind = 0x01
	// KindThresh is satisfied by satisfying exactly K of its Children.
	KindThresh Kind = 0x02
	// KindAnd is satisfied by satisfying all of its (at least two) Children.
	KindAnd Kind = 0x03
	// KindOr is satisfied by satisfying one of its (at least two) Children.
	KindOr Kind = 0x04
	// KindAfter is an absolute lock time (BIP65 CHECKLOCKTIMEVERIFY rules)
	// of Value: a height below LockTimeThreshold, a Unix time at or above.
	KindAfter Kind = 0x05
	// KindOlder is a relative lock time (BIP112 CHECKSEQUENCEVERIFY rules)
	// of Value, in BIP68's sequence format.
	KindOlder Kind = 0x06
	// KindSha256 is satisfied by a 32-byte preimage whose SHA-256 is Digest.
	KindSha256 Kind = 0x07
)

func (k Kind) String() string {
	switch k {
	case KindKey:
		return "key"
	case KindThresh:
		return "thresh"
	case KindAnd:
		return "and"
	case KindOr:
		return "or"
	case KindAfter:
		return "after"
	case KindOlder:
		return "older"
	case KindSha256:
		return "sha256"
	}
	return "unknown"
}

// Node is one node of a policy tree. Which fields are meaningful depends on
// Kind; the others are zero in a decoded or parsed policy:
//
//	KindKey     Key
//	KindThresh  K, Children
//	KindAnd     Children
//	KindOr      Children
//	KindAfter   Value
//	KindOlder   Value
//	KindSha256  Digest
//
// A tree from Decode or ParseText is valid. A tree built by hand should be
// checked with Validate before it is encoded or used to lock funds; it must
// be a tree (Encode and String do not terminate on a cycle, Validate and
// VerifyPolicy reject one). The same key may appear in several nodes:
// or(and(A,B),and(A,older(N))) is a normal vault. Wallets should still warn
// when one key appears twice under a thresh, where it counts twice.
type Node struct {
	Kind     Kind
	Key      [32]byte // x-only public key
	K        int      // threshold
	Children []*Node
	Value    uint32   // lock time or relative lock
	Digest   [32]byte // SHA-256 hash lock
}

// NewKey returns a key node.
func NewKey(pub [32]byte) *Node { return &Node{Kind: KindKey, Key: pub} }

// NewThresh returns a k-of-n threshold node over children.
func NewThresh(k int, children ...*Node) *Node {
	return &Node{Kind: KindThresh, K: k, Children: children}
}

// NewAnd returns a node satisfied when all children are.
func NewAnd(children ...*Node) *Node { return &Node{Kind: KindAnd, Children: children} }

// NewOr returns a node satisfied when any one child is.
func NewOr(children ...*Node) *Node { return &Node{Kind: KindOr, Children: children} }

// NewAfter returns an absolute lock-time node.
func NewAfter(lockTime uint32) *Node { return &Node{Kind: KindAfter, Value: lockTime} }

// NewOlder returns a relative lock-time node (BIP68 sequence format).
func NewOlder(sequence uint32) *Node { return &Node{Kind: KindOlder, Value: sequence} }

// NewSha256 returns a hash-lock node.
func NewSha256(digest [32]byte) *Node { return &Node{Kind: KindSha256, Digest: digest} }

// NewSha256Preimage returns the hash-lock node a preimage satisfies.
func NewSha256Preimage(preimage []byte) *Node { return NewSha256(sha256.Sum256(preimage)) }

// limits counts what a policy uses while it is decoded, parsed or validated.
type limits struct {
	nodes, keys int
}

// enter accounts for one node at depth (the root is at depth 1).
func (l *limits) enter(kind Kind, depth int) error {
	if depth > MaxPolicyDepth {
		return ruleErr(ErrPolicyLimits, "depth exceeds limit %d", MaxPolicyDepth)
	}
	l.nodes++
	if l.nodes > MaxPolicyNodes {
		return ruleErr(ErrPolicyLimits, "more than %d nodes", MaxPolicyNodes)
	}
	if kind == KindKey {
		l.keys++
		if l.keys > MaxPolicyKeys {
			return ruleErr(ErrPolicyLimits, "more than %d keys", MaxPolicyKeys)
		}
	}
	return nil
}

// reserve checks that n more nodes (children about to be read) fit in the
// node limit, before anything is allocated for them.
func (l *limits) reserve(n uint64) error {
	if n > uint64(MaxPolicyNodes-l.nodes) {
		return ruleErr(ErrPolicyLimits, "%d children exceed the node limit %d", n, MaxPolicyNodes)
	}
	return nil
}

// checkFields checks one node's own fields (not its children's). The
// public key check is the expensive part (a field square root), so it can be
// skipped when only the structure matters.
func checkFields(n *Node, checkKey bool) error {
	switch n.Kind {
	case KindKey:
		if checkKey {
			if _, err := schnorr.ParsePubKey(n.Key[:]); err != nil {
				return ruleErr(ErrPolicyEncoding, "key %x is not a valid x-only public key", n.Key)
			}
		}
	case KindThresh:
		if n.K < 1 || n.K > len(n.Children) {
			return ruleErr(ErrPolicyEncoding, "thresh k=%d out of range [1, %d]", n.K, len(n.Children))
		}
	case KindAnd, KindOr:
		if len(n.Children) < 2 {
			return ruleErr(ErrPolicyEncoding, "%s needs at least 2 children, has %d", n.Kind, len(n.Children))
		}
	case KindAfter:
		if n.Value == 0 {
			return ruleErr(ErrPolicyEncoding, "after(0) is always satisfied")
		}
	case KindOlder:
		if n.Value&^(SequenceLockTimeIsSeconds|SequenceLockTimeMask) != 0 {
			return ruleErr(ErrPolicyEncoding, "older(%#x) sets bits other than the type flag and the low 16", n.Value)
		}
		if n.Value&SequenceLockTimeMask == 0 {
			return ruleErr(ErrPolicyEncoding, "older(%#x) has a zero relative lock", n.Value)
		}
	case KindSha256:
	default:
		return ruleErr(ErrPolicyEncoding, "unknown node kind %#02x", byte(n.Kind))
	}
	return nil
}

// Validate checks a tree against every rule Decode enforces: node kinds and
// fields, valid public keys, the limits, and the encoded size. A tree that
// passes encodes to bytes that Decode accepts and returns unchanged.
func (n *Node) Validate() error {
	var l limits
	if err := validate(n, 1, &l); err != nil {
		return err
	}
	if size := n.EncodedLen(); size > MaxPolicySize {
		return ruleErr(ErrPolicyLimits, "encoding of %d bytes exceeds limit %d", size, MaxPolicySize)
	}
	return nil
}

func validate(n *Node, depth int, l *limits) error {
	if n == nil {
		return ruleErr(ErrPolicyEncoding, "nil node")
	}
	if err := l.enter(n.Kind, depth); err != nil {
		return err
	}
	if err := checkFields(n, true); err != nil {
		return err
	}
	if err := checkUnused(n); err != nil {
		return err
	}
	switch n.Kind {
	case KindThresh, KindAnd, KindOr:
		if err := l.reserve(uint64(len(n.Children))); err != nil {
			return err
		}
		for _, c := range n.Children {
			if err := validate(c, depth+1, l); err != nil {
				return err
			}
		}
	default:
		if len(n.Children) != 0 {
			return ruleErr(ErrPolicyEncoding, "%s node has children", n.Kind)
		}
	}
	return nil
}

// checkUnused rejects a hand-built node with fields its kind does not use,
// which the encoding would silently drop.
func checkUnused(n *Node) error {
	var zero [32]byte
	usesKey, usesK, usesValue, usesDigest := false, false, false, false
	switch n.Kind {
	case KindKey:
		usesKey = true
	case KindThresh:
		usesK = true
	case KindAfter, KindOlder:
		usesValue = true
	case KindSha256:
		usesDigest = true
	}
	if (!usesKey && n.Key != zero) || (!usesK && n.K != 0) ||
		(!usesValue && n.Value != 0) || (!usesDigest && n.Digest != zero) {
		return ruleErr(ErrPolicyEncoding, "%s node sets fields its kind does not use", n.Kind)
	}
	return nil
}
