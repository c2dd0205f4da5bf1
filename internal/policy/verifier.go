package policy

import (
	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcec/v2/schnorr"
)

// SchnorrVerifier checks BIP340 signatures. Every signature check of
// VerifySpend and VerifyPolicy goes through one, so a node can swap in a
// faster implementation (libsecp256k1 through cgo, package secp256k1) or
// put a signature cache in front of it without this package knowing.
//
// VerifySchnorr must return BIP340's Verify(pub, msg, sig) exactly: false
// when pub is not a valid x-only key (x >= p or not on the curve), when r
// >= p, when s >= n, and when the equation fails. It must be safe for
// concurrent use and must not keep the arrays it is given.
//
// The package promises two things about how it asks: a spend or policy
// fails whenever any one of its signature checks answers false, and which
// signatures are checked never depends on the answers to earlier ones.
// Batch verification rests on it (consensus evaluates spends with every
// check answered true, then verifies the checks it was asked together);
// TestEverySignatureCheckDecides holds the package to it.
type SchnorrVerifier interface {
	VerifySchnorr(pub *[KeySize]byte, msg *[32]byte, sig *[SignatureSize]byte) bool
}

// GoVerifier is the pure-Go BIP340 verifier (btcec), the default: a nil
// SpendEnv.Verifier behaves exactly like it. It is the reference every
// other SchnorrVerifier is tested against.
type GoVerifier struct{}

// VerifySchnorr implements SchnorrVerifier.
func (GoVerifier) VerifySchnorr(pub *[KeySize]byte, msg *[32]byte, sig *[SignatureSize]byte) bool {
	return verifyGo(pub, sig, msg) == nil
}

// verifySig checks a BIP340 signature with v (nil: pure Go). Every
// signature check in the package goes through it. The length and the
// s < n range are checked here for every verifier: they cost nothing and
// keep the consensus rule that btcec gets wrong out of each implementation's
// hands.
func verifySig(v SchnorrVerifier, pub *[KeySize]byte, sig []byte, msg *[32]byte) error {
	if len(sig) != SignatureSize {
		return ruleErr(ErrBadSignature, "signature of %d bytes, want %d", len(sig), SignatureSize)
	}
	sig64 := (*[SignatureSize]byte)(sig)
	if v == nil {
		return verifyGo(pub, sig64, msg)
	}
	if !sBelowOrder(sig64) {
		return errSRange()
	}
	if !v.VerifySchnorr(pub, msg, sig64) {
		return ruleErr(ErrBadSignature, "signature does not verify under key %x", pub[:])
	}
	return nil
}

// verifyGo is BIP340 verification with btcec, reporting why a signature
// fails.
func verifyGo(pub *[KeySize]byte, sig *[SignatureSize]byte, msg *[32]byte) error {
	pk, err := schnorr.ParsePubKey(pub[:])
	if err != nil {
		return ruleErr(ErrBadSignature, "key %x is not a valid x-only public key", pub[:])
	}
	// BIP340 fails a signature whose s is not below the group order. btcec
	// v2.3.5's ParseSignature reduces s instead, so check it here.
	if !sBelowOrder(sig) {
		return errSRange()
	}
	parsed, err := schnorr.ParseSignature(sig[:])
	if err != nil {
		return ruleErr(ErrBadSignature, "malformed signature: %v", err)
	}
	if !parsed.Verify(msg[:], pk) {
		return ruleErr(ErrBadSignature, "signature does not verify under key %x", pub[:])
	}
	return nil
}

// sBelowOrder reports whether the signature's s is below the group order n.
func sBelowOrder(sig *[SignatureSize]byte) bool {
	var s btcec.ModNScalar
	return !s.SetByteSlice(sig[32:])
}

func errSRange() error {
	return ruleErr(ErrBadSignature, "signature s is not below the group order")
}

// SigCheck is one BIP340 signature check: Sig under the x-only key Pub
// over the 32-byte message Msg. Its 128 bytes hold no pointers, so a slice
// of them can be handed to C as it is.
type SigCheck struct {
	Pub [KeySize]byte
	Msg [32]byte
	Sig [SignatureSize]byte
}

// BatchVerifier is a SchnorrVerifier that can also check many signatures at
// once, faster per signature than one by one (BIP340 batch verification).
//
// VerifyBatch reports whether every check verifies. True is wrong with
// probability below 2^-128 whatever the checks hold, because the random
// weights of the combined equation are unknown to whoever chose them; false
// says only that at least one check fails, not which: callers verify one
// by one to find it. An empty batch verifies. It must be safe for
// concurrent use and must not keep the slice.
type BatchVerifier interface {
	SchnorrVerifier
	VerifyBatch(checks []SigCheck) bool
}
