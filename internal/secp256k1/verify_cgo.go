//go:build cgo && libsecp256k1

package secp256k1

/*
#cgo CFLAGS: -I${SRCDIR}/csrc/libsecp256k1-0.2.0 -O2
#include "ballast_secp256k1.h"
*/
import "C"

import (
	"crypto/rand"
	"errors"
	"unsafe"

	"github.com/ballast-chain/ballast/internal/policy"
)

// Available reports whether this build verifies with libsecp256k1.
const Available = true

const (
	// batchMin is the smallest batch VerifyBatch verifies as one equation.
	// The equation costs a square root per check more than verifying one
	// by one (lifting R) and shares the rest of the work between checks:
	// it breaks even at about 5 checks and costs about 5% less per
	// signature at 8, 10% at 64, 35% at 1,000 (BenchmarkBatchCrossover,
	// BenchmarkVerifyBatch).
	batchMin = 8
	// batchChunk bounds the checks of one batch equation, and with it the
	// memory of a call: about 1 KiB per check, 4 MiB for a full chunk,
	// allocated in C and freed before the call returns. Larger batches are
	// split into equal chunks that must all verify; doubling the chunk
	// would save only about 3% more per signature.
	batchChunk = 4096
)

// The C side reads a []policy.SigCheck as 128-byte records: the key, the
// message, the signature. These fail to compile if the layout changes.
var (
	_ = [1]struct{}{}[unsafe.Sizeof(policy.SigCheck{})-128]
	_ = [1]struct{}{}[unsafe.Offsetof(policy.SigCheck{}.Msg)-32]
	_ = [1]struct{}{}[unsafe.Offsetof(policy.SigCheck{}.Sig)-64]
)

// verifier calls libsecp256k1. The library verifies with its static,
// read-only context, so the verifier holds only the batch weights' salt,
// also read-only.
type verifier struct {
	salt [32]byte
}

var _ policy.BatchVerifier = (*verifier)(nil)

var errSelfTest = errors.New("secp256k1: libsecp256k1's self test failed")

// NewVerifier returns a BIP340 verifier backed by libsecp256k1, safe for
// concurrent use. It also implements policy.BatchVerifier. Each verifier
// draws its own secret salt for the batch weights from crypto/rand.
func NewVerifier() (policy.SchnorrVerifier, error) {
	if C.ballast_secp256k1_init() != 1 {
		return nil, errSelfTest
	}
	v := new(verifier)
	if _, err := rand.Read(v.salt[:]); err != nil {
		return nil, err
	}
	return v, nil
}

// VerifySchnorr implements policy.SchnorrVerifier. The arrays hold no Go
// pointers, so passing them to C is allowed; C does not keep them.
func (v *verifier) VerifySchnorr(pub *[32]byte, msg *[32]byte, sig *[64]byte) bool {
	return C.ballast_secp256k1_verify(
		(*C.uchar)(unsafe.Pointer(&pub[0])),
		(*C.uchar)(unsafe.Pointer(&msg[0])),
		(*C.uchar)(unsafe.Pointer(&sig[0]))) == 1
}

// VerifyBatch implements policy.BatchVerifier. Fewer than batchMin checks
// are verified one by one (in one call to C); more, as one batch equation
// per chunk of at most batchChunk. The slice's memory goes to C as it is
// (SigCheck holds no pointers); C does not keep it.
func (v *verifier) VerifyBatch(checks []policy.SigCheck) bool {
	n := len(checks)
	if n < batchMin {
		return verifyEach(checks)
	}
	chunks := (n + batchChunk - 1) / batchChunk
	for i := range chunks {
		if !v.verifyEquation(checks[i*n/chunks : (i+1)*n/chunks]) {
			return false
		}
	}
	return true
}

// verifyEach verifies the checks one by one.
func verifyEach(checks []policy.SigCheck) bool {
	if len(checks) == 0 {
		return true
	}
	return C.ballast_secp256k1_verify_each((*C.uchar)(unsafe.Pointer(&checks[0])), C.size_t(len(checks))) == 1
}

// verifyEquation verifies the checks as one batch equation.
func (v *verifier) verifyEquation(checks []policy.SigCheck) bool {
	if len(checks) == 0 {
		return true
	}
	return C.ballast_secp256k1_verify_batch((*C.uchar)(unsafe.Pointer(&v.salt[0])),
		(*C.uchar)(unsafe.Pointer(&checks[0])), C.size_t(len(checks))) == 1
}
