package policy

import (
	"crypto/sha256"
	"fmt"
	"math"
	"sort"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcec/v2/schnorr"

	"github.com/ballast-chain/ballast/internal/chainhash"
	"github.com/ballast-chain/ballast/internal/wire"
)

// Signer holds the secrets Satisfy may use: private keys and hash-lock
// preimages. A wallet, a hardware device or a test generator implements it.
type Signer interface {
	// HasKey reports whether Sign can sign for pub. Satisfy asks first and
	// signs only with the keys of the branches it chooses.
	HasKey(pub [32]byte) bool
	// Sign returns a BIP340 signature of sigHash under pub.
	Sign(pub [32]byte, sigHash [32]byte) ([64]byte, error)
	// Preimage returns a preimage whose SHA-256 is digest, if known.
	Preimage(digest [32]byte) ([]byte, bool)
}

// unsatisfiable is the cost of a node the signer cannot satisfy.
const unsatisfiable = math.MaxInt

// Satisfy returns a satisfaction of n under env, made with the signer's
// keys and preimages and using as few signatures as possible: an or takes
// the child needing the fewest signatures, a thresh the k children needing
// the fewest (the earlier child on a tie). After and older nodes count as
// satisfiable when env meets them. n must pass Validate. Signatures are not
// verified after signing; a Signer that returns bad ones yields a
// satisfaction that VerifyPolicy rejects.
func Satisfy(n *Node, s Signer, env *SpendEnv) ([]byte, error) {
	if n == nil || s == nil || env == nil {
		return nil, ruleErr(ErrInvalidArgument, "nil policy, signer or spend environment")
	}
	if err := n.Validate(); err != nil {
		return nil, err
	}
	return satisfyValid(n, s, env)
}

// satisfyValid is Satisfy for a tree that passed Validate.
func satisfyValid(n *Node, s Signer, env *SpendEnv) ([]byte, error) {
	st := satisfier{s: s, env: env, costs: make(map[*Node]int)}
	if st.cost(n) == unsatisfiable {
		return nil, ruleErr(ErrUnsatisfiable, "the signer cannot satisfy %s under this spend", n.Kind)
	}
	return st.emit(nil, n)
}

type satisfier struct {
	s     Signer
	env   *SpendEnv
	costs map[*Node]int
}

// cost returns the fewest signatures that satisfy n, or unsatisfiable.
func (st *satisfier) cost(n *Node) int {
	if c, ok := st.costs[n]; ok {
		return c
	}
	c := unsatisfiable
	switch n.Kind {
	case KindKey:
		if st.s.HasKey(n.Key) {
			c = 1
		}
	case KindSha256:
		if p, ok := st.s.Preimage(n.Digest); ok && len(p) == PreimageSize && sha256.Sum256(p) == n.Digest {
			c = 0
		}
	case KindAfter:
		if checkAfter(n.Value, st.env) == nil {
			c = 0
		}
	case KindOlder:
		if checkOlder(n.Value, st.env) == nil {
			c = 0
		}
	case KindAnd:
		c = 0
		for _, ch := range n.Children {
			cc := st.cost(ch)
			if cc == unsatisfiable {
				c = unsatisfiable
				break
			}
			c += cc
		}
	case KindOr:
		for _, ch := range n.Children {
			c = min(c, st.cost(ch))
		}
	case KindThresh:
		c = 0
		for _, i := range st.cheapest(n) {
			cc := st.cost(n.Children[i])
			if cc == unsatisfiable {
				c = unsatisfiable
				break
			}
			c += cc
		}
	}
	st.costs[n] = c
	return c
}

// cheapest returns the indexes of the k children of a thresh that need the
// fewest signatures, earlier children first on a tie, in index order.
func (st *satisfier) cheapest(n *Node) []int {
	idx := make([]int, len(n.Children))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool {
		return st.cost(n.Children[idx[a]]) < st.cost(n.Children[idx[b]])
	})
	idx = idx[:n.K]
	sort.Ints(idx)
	return idx
}

// emit appends the satisfaction of n, which cost found satisfiable.
func (st *satisfier) emit(b []byte, n *Node) ([]byte, error) {
	var err error
	switch n.Kind {
	case KindKey:
		sig, err := st.s.Sign(n.Key, st.env.SigHash)
		if err != nil {
			return nil, fmt.Errorf("policy: signing for key %x: %w", n.Key, err)
		}
		return append(b, sig[:]...), nil
	case KindSha256:
		p, _ := st.s.Preimage(n.Digest)
		return append(b, p...), nil
	case KindAfter, KindOlder:
		return b, nil
	case KindAnd:
		for _, c := range n.Children {
			if b, err = st.emit(b, c); err != nil {
				return nil, err
			}
		}
		return b, nil
	case KindOr:
		best := 0
		for i, c := range n.Children {
			if st.cost(c) < st.cost(n.Children[best]) {
				best = i
			}
		}
		return st.emit(wire.AppendCompactSize(b, uint64(best)), n.Children[best])
	case KindThresh:
		chosen := st.cheapest(n)
		bitmap := make([]byte, (len(n.Children)+7)/8)
		for _, i := range chosen {
			bitmap[i/8] |= 1 << (i % 8)
		}
		b = append(b, bitmap...)
		for _, i := range chosen {
			if b, err = st.emit(b, n.Children[i]); err != nil {
				return nil, err
			}
		}
		return b, nil
	}
	return nil, ruleErr(ErrPolicyEncoding, "unknown node kind %#02x", byte(n.Kind))
}

// BuildWitness returns the witness that spends an output under lock:
// [signature] for a key lock, [policy encoding, satisfaction] for a policy
// lock, whose policy must be given and must hash to the lock.
func BuildWitness(lock wire.Lock, policy *Node, s Signer, env *SpendEnv) ([][]byte, error) {
	if s == nil || env == nil {
		return nil, ruleErr(ErrInvalidArgument, "nil signer or spend environment")
	}
	switch lock.Kind {
	case wire.LockKey:
		if len(lock.Data) != KeySize {
			return nil, ruleErr(ErrUnspendable, "key lock of %d bytes", len(lock.Data))
		}
		pub := [KeySize]byte(lock.Data)
		if !s.HasKey(pub) {
			return nil, ruleErr(ErrUnsatisfiable, "no private key for %x", pub)
		}
		sig, err := s.Sign(pub, env.SigHash)
		if err != nil {
			return nil, fmt.Errorf("policy: signing for key %x: %w", pub, err)
		}
		return [][]byte{sig[:]}, nil
	case wire.LockPolicy:
		if policy == nil {
			return nil, ruleErr(ErrInvalidArgument, "policy lock needs the policy")
		}
		if len(lock.Data) != chainhash.Size {
			return nil, ruleErr(ErrUnspendable, "policy lock of %d bytes", len(lock.Data))
		}
		if err := policy.Validate(); err != nil {
			return nil, err
		}
		enc := policy.Encode()
		if HashEncoding(enc) != chainhash.Hash(lock.Data) {
			return nil, ruleErr(ErrPolicyHashMismatch, "policy %s does not hash to the lock", policy)
		}
		sat, err := satisfyValid(policy, s, env)
		if err != nil {
			return nil, err
		}
		return [][]byte{enc, sat}, nil
	}
	return nil, ruleErr(ErrUnspendable, "%s lock (kind %d) cannot be spent", lock.Kind, lock.Kind)
}

// KeyRing is an in-memory Signer: private keys and preimages held in maps.
// It is meant for tests and the block generator, not for wallets (it keeps
// keys unencrypted in memory). The zero value is empty and ready to use. It
// is not safe for concurrent use while keys are being added.
type KeyRing struct {
	keys      map[[32]byte]*btcec.PrivateKey
	preimages map[[32]byte][]byte
}

// NewKeyRing returns a key ring holding privs.
func NewKeyRing(privs ...*btcec.PrivateKey) *KeyRing {
	r := new(KeyRing)
	for _, p := range privs {
		r.AddKey(p)
	}
	return r
}

// XOnly returns the BIP340 x-only public key of priv.
func XOnly(priv *btcec.PrivateKey) [32]byte {
	return [32]byte(schnorr.SerializePubKey(priv.PubKey()))
}

// AddKey adds a private key and returns its x-only public key.
func (r *KeyRing) AddKey(priv *btcec.PrivateKey) [32]byte {
	if r.keys == nil {
		r.keys = make(map[[32]byte]*btcec.PrivateKey)
	}
	pub := XOnly(priv)
	r.keys[pub] = priv
	return pub
}

// AddPreimage adds a hash-lock preimage and returns its SHA-256 digest.
func (r *KeyRing) AddPreimage(preimage []byte) [32]byte {
	if r.preimages == nil {
		r.preimages = make(map[[32]byte][]byte)
	}
	d := sha256.Sum256(preimage)
	r.preimages[d] = append([]byte(nil), preimage...)
	return d
}

// HasKey implements Signer.
func (r *KeyRing) HasKey(pub [32]byte) bool {
	_, ok := r.keys[pub]
	return ok
}

// Sign implements Signer with BIP340 signing and a deterministic
// (RFC6979) nonce, so the same key ring and message give the same signature.
func (r *KeyRing) Sign(pub [32]byte, sigHash [32]byte) ([64]byte, error) {
	priv, ok := r.keys[pub]
	if !ok {
		return [64]byte{}, fmt.Errorf("policy: no private key for %x", pub)
	}
	sig, err := schnorr.Sign(priv, sigHash[:])
	if err != nil {
		return [64]byte{}, fmt.Errorf("policy: schnorr sign: %w", err)
	}
	return [64]byte(sig.Serialize()), nil
}

// Preimage implements Signer.
func (r *KeyRing) Preimage(digest [32]byte) ([]byte, bool) {
	p, ok := r.preimages[digest]
	return p, ok
}
