//go:build !(cgo && libsecp256k1)

package secp256k1

import "github.com/ballast-chain/ballast/internal/policy"

// Available reports whether this build verifies with libsecp256k1.
const Available = false

// NewVerifier returns ErrUnavailable: this build has no libsecp256k1.
func NewVerifier() (policy.SchnorrVerifier, error) {
	return nil, ErrUnavailable
}
