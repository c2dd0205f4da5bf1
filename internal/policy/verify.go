package policy

import (
	"crypto/sha256"
	"math/bits"

	"github.com/ballast-chain/ballast/internal/chainhash"
	"github.com/ballast-chain/ballast/internal/wire"
)

// SpendEnv is what a spend is checked against: the signature hash of the
// input (package sighash) and the spending transaction's fields that after
// and older nodes read, plus the verifier that checks its signatures.
type SpendEnv struct {
	SigHash   [32]byte
	TxVersion uint32
	LockTime  uint32
	Sequence  uint32 // the spending input's sequence
	// Verifier checks each signature after the length and s < n checks
	// that VerifySpend makes itself. Nil means the pure-Go verifier (the
	// same answers as GoVerifier, with more detailed errors). It changes
	// how fast a spend is checked, never whether it is valid.
	Verifier SchnorrVerifier
}

// VerifySpend checks that witness satisfies lock under env and returns the
// number of signatures it checked.
//
//   - wire.LockKey: witness is exactly [64-byte signature], a valid BIP340
//     signature of env.SigHash under the 32-byte key in the lock.
//   - wire.LockPolicy: witness is exactly [policy encoding, satisfaction];
//     TaggedHash("Ballast/Policy", policy encoding) equals the lock data, the
//     encoding decodes, and VerifyPolicy accepts the satisfaction.
//   - wire.LockBurn and every other kind: ErrUnspendable.
//
// On success the count equals CountSigChecks(witness); on failure it is 0.
func VerifySpend(lock wire.Lock, witness [][]byte, env *SpendEnv) (sigChecks int, err error) {
	if env == nil {
		return 0, ruleErr(ErrInvalidArgument, "nil spend environment")
	}
	switch lock.Kind {
	case wire.LockKey:
		if len(lock.Data) != KeySize {
			return 0, ruleErr(ErrUnspendable, "key lock of %d bytes", len(lock.Data))
		}
		if len(witness) != 1 {
			return 0, ruleErr(ErrWitnessShape, "key lock needs 1 witness item, has %d", len(witness))
		}
		if err := verifySig(env.Verifier, (*[KeySize]byte)(lock.Data), witness[0], &env.SigHash); err != nil {
			return 0, err
		}
		return 1, nil
	case wire.LockPolicy:
		if len(lock.Data) != chainhash.Size {
			return 0, ruleErr(ErrUnspendable, "policy lock of %d bytes", len(lock.Data))
		}
		if len(witness) != 2 {
			return 0, ruleErr(ErrWitnessShape, "policy lock needs 2 witness items, has %d", len(witness))
		}
		enc := witness[0]
		if len(enc) > MaxPolicySize {
			return 0, ruleErr(ErrPolicyLimits, "policy of %d bytes exceeds limit %d", len(enc), MaxPolicySize)
		}
		// Hash before decoding: a wrong policy costs one hash, not the key
		// checks of a decode.
		if h := HashEncoding(enc); h != chainhash.Hash(lock.Data) {
			return 0, ruleErr(ErrPolicyHashMismatch, "policy hashes to %x, lock holds %x", h[:], lock.Data)
		}
		n, err := Decode(enc)
		if err != nil {
			return 0, err
		}
		return VerifyPolicy(n, witness[1], env)
	}
	return 0, ruleErr(ErrUnspendable, "%s lock (kind %d) cannot be spent", lock.Kind, lock.Kind)
}

// VerifyPolicy checks that sat satisfies the policy n under env and returns
// the number of signatures it checked. n should come from Decode or pass
// Validate; VerifyPolicy does not panic on other trees but does not recheck
// them.
//
// It reads the whole satisfaction and checks everything cheap first
// (structure, time locks, preimages) and only then verifies the signatures,
// so an invalid satisfaction costs signature checks only if it is invalid
// solely because of a signature.
func VerifyPolicy(n *Node, sat []byte, env *SpendEnv) (sigChecks int, err error) {
	if n == nil || env == nil {
		return 0, ruleErr(ErrInvalidArgument, "nil policy or spend environment")
	}
	w := satWalker{byteReader: byteReader{buf: sat, kind: ErrSatisfactionEncoding}, env: env}
	if err := w.walk(n, 1); err != nil {
		return 0, err
	}
	if err := w.finish("satisfaction"); err != nil {
		return 0, err
	}
	for i := range w.nsigs {
		s := &w.sigs[i]
		if err := verifySig(env.Verifier, s.key, sat[s.off:s.off+SignatureSize], &env.SigHash); err != nil {
			return 0, annotate(err, "signature at offset %d", s.off)
		}
	}
	return w.nsigs, nil
}

// CountSigChecks returns how many signatures VerifySpend will check for
// witness, from the witness alone: 1 for a one-item witness (a key lock);
// for a two-item witness (a policy lock) the number of key satisfactions in
// the satisfaction. A two-item witness whose policy or satisfaction does not
// parse, and a witness of any other shape, counts 0: it fails before any
// signature is checked. Consensus charges this count against the block's
// signature-check limit before verifying.
func CountSigChecks(witness [][]byte) int {
	switch len(witness) {
	case 1:
		return 1
	case 2:
		n, err := decode(witness[0], false)
		if err != nil {
			return 0
		}
		w := satWalker{byteReader: byteReader{buf: witness[1], kind: ErrSatisfactionEncoding}}
		if w.walk(n, 1) != nil || w.finish("satisfaction") != nil {
			return 0
		}
		return w.nsigs
	}
	return 0
}

// sigRef is a signature found in a satisfaction, verified after the walk.
type sigRef struct {
	key *[KeySize]byte
	off int
}

// satWalker reads a satisfaction in preorder parallel to the policy tree.
// With env nil it checks only the structure (CountSigChecks).
type satWalker struct {
	byteReader
	env   *SpendEnv
	nsigs int
	sigs  [MaxPolicyKeys]sigRef
}

func (w *satWalker) walk(n *Node, depth int) error {
	if n == nil {
		return ruleErr(ErrPolicyEncoding, "nil node")
	}
	if depth > MaxPolicyDepth {
		return ruleErr(ErrPolicyLimits, "depth exceeds limit %d", MaxPolicyDepth)
	}
	switch n.Kind {
	case KindKey:
		off := w.off
		if _, err := w.take(SignatureSize, "signature"); err != nil {
			return err
		}
		if w.nsigs == len(w.sigs) {
			return ruleErr(ErrPolicyLimits, "more than %d keys", MaxPolicyKeys)
		}
		w.sigs[w.nsigs] = sigRef{key: &n.Key, off: off}
		w.nsigs++
	case KindSha256:
		p, err := w.take(PreimageSize, "preimage")
		if err != nil {
			return err
		}
		if w.env != nil && sha256.Sum256(p) != n.Digest {
			return ruleErr(ErrHashPreimage, "preimage %x does not hash to %x", p, n.Digest)
		}
	case KindAfter:
		if w.env != nil {
			return checkAfter(n.Value, w.env)
		}
	case KindOlder:
		if w.env != nil {
			return checkOlder(n.Value, w.env)
		}
	case KindAnd:
		for _, c := range n.Children {
			if err := w.walk(c, depth+1); err != nil {
				return err
			}
		}
	case KindOr:
		off := w.off
		i, err := w.compactSize("or branch")
		if err != nil {
			return err
		}
		if i >= uint64(len(n.Children)) {
			return ruleErr(ErrSatisfactionEncoding, "or branch %d at offset %d: node has %d children", i, off, len(n.Children))
		}
		return w.walk(n.Children[i], depth+1)
	case KindThresh:
		return w.thresh(n, depth)
	default:
		return ruleErr(ErrPolicyEncoding, "unknown node kind %#02x", byte(n.Kind))
	}
	return nil
}

// thresh reads a threshold's bitmap (bit i%8 of byte i/8 selects child i)
// and the satisfactions of the selected children in order.
func (w *satWalker) thresh(n *Node, depth int) error {
	count := len(n.Children)
	if n.K < 1 || n.K > count {
		return ruleErr(ErrPolicyEncoding, "thresh k=%d out of range [1, %d]", n.K, count)
	}
	off := w.off
	bitmap, err := w.take((count+7)/8, "thresh bitmap")
	if err != nil {
		return err
	}
	if used := count % 8; used != 0 && bitmap[len(bitmap)-1]>>used != 0 {
		return ruleErr(ErrSatisfactionEncoding, "thresh bitmap at offset %d sets bits beyond child %d", off, count-1)
	}
	set := 0
	for _, b := range bitmap {
		set += bits.OnesCount8(b)
	}
	switch {
	case set < n.K:
		return ruleErr(ErrThresholdNotMet, "thresh bitmap at offset %d selects %d of %d children, need %d", off, set, count, n.K)
	case set > n.K:
		return ruleErr(ErrSatisfactionEncoding, "thresh bitmap at offset %d selects %d children, more than k=%d", off, set, n.K)
	}
	for i, c := range n.Children {
		if bitmap[i/8]>>(i%8)&1 == 0 {
			continue
		}
		if err := w.walk(c, depth+1); err != nil {
			return err
		}
	}
	return nil
}

// checkAfter applies BIP65's CHECKLOCKTIMEVERIFY rules to after(v).
func checkAfter(v uint32, env *SpendEnv) error {
	if env.Sequence == SequenceFinal {
		return ruleErr(ErrTimelockUnsatisfied, "after(%d): input sequence is final, lock time disabled", v)
	}
	if (v < LockTimeThreshold) != (env.LockTime < LockTimeThreshold) {
		return ruleErr(ErrTimelockUnsatisfied, "after(%d): tx lock time %d is of the other type (height vs time)", v, env.LockTime)
	}
	if env.LockTime < v {
		return ruleErr(ErrTimelockUnsatisfied, "after(%d): tx lock time %d is earlier", v, env.LockTime)
	}
	return nil
}

// checkOlder applies BIP112's CHECKSEQUENCEVERIFY rules to older(v).
func checkOlder(v uint32, env *SpendEnv) error {
	if env.TxVersion < 2 {
		return ruleErr(ErrTimelockUnsatisfied, "older(%d): tx version %d below 2", v, env.TxVersion)
	}
	if env.Sequence&SequenceLockTimeDisabled != 0 {
		return ruleErr(ErrTimelockUnsatisfied, "older(%d): input sequence %#x disables relative lock times", v, env.Sequence)
	}
	if env.Sequence&SequenceLockTimeIsSeconds != v&SequenceLockTimeIsSeconds {
		return ruleErr(ErrTimelockUnsatisfied, "older(%d): input sequence %#x is of the other type (blocks vs time)", v, env.Sequence)
	}
	if env.Sequence&SequenceLockTimeMask < v&SequenceLockTimeMask {
		return ruleErr(ErrTimelockUnsatisfied, "older(%d): input sequence %#x is lower", v, env.Sequence)
	}
	return nil
}
