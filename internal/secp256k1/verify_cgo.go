//go:build cgo && libsecp256k1

package secp256k1

/*
#cgo LDFLAGS: -lsecp256k1
#include <secp256k1.h>
#include <secp256k1_extrakeys.h>
#include <secp256k1_schnorrsig.h>

// One cgo call per signature: parse the x-only key, then verify.
static int ballast_schnorr_verify(const secp256k1_context *ctx, const unsigned char *pub32,
                                  const unsigned char *msg32, const unsigned char *sig64) {
	secp256k1_xonly_pubkey pk;
	if (!secp256k1_xonly_pubkey_parse(ctx, &pk, pub32)) {
		return 0;
	}
	return secp256k1_schnorrsig_verify(ctx, sig64, msg32, 32, &pk);
}
*/
import "C"

import (
	"unsafe"

	"github.com/ballast-chain/ballast/internal/policy"
)

// Available reports whether this build verifies with libsecp256k1.
const Available = true

// verifier calls libsecp256k1. Verification takes the context as const, so
// one context serves every goroutine.
type verifier struct {
	ctx *C.secp256k1_context
}

// NewVerifier returns a BIP340 verifier backed by libsecp256k1, safe for
// concurrent use. Each call allocates a library context that is never
// freed: call it once, at start-up, and share the verifier.
func NewVerifier() (policy.SchnorrVerifier, error) {
	// SECP256K1_CONTEXT_VERIFY works on every library version; from 0.2.0
	// on verification needs no tables and the flag is only accepted.
	ctx := C.secp256k1_context_create(C.SECP256K1_CONTEXT_VERIFY)
	if ctx == nil {
		return nil, ErrUnavailable
	}
	return verifier{ctx: ctx}, nil
}

// VerifySchnorr implements policy.SchnorrVerifier. The arrays hold no Go
// pointers, so passing them to C is allowed; C does not keep them.
func (v verifier) VerifySchnorr(pub *[32]byte, msg *[32]byte, sig *[64]byte) bool {
	return C.ballast_schnorr_verify(v.ctx,
		(*C.uchar)(unsafe.Pointer(&pub[0])),
		(*C.uchar)(unsafe.Pointer(&msg[0])),
		(*C.uchar)(unsafe.Pointer(&sig[0]))) == 1
}
