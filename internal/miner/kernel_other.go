//go:build !amd64

package miner

// scanners lists this CPU's multi-nonce kernels: none off amd64, where the
// crypto/sha256 midstate path (hardware SHA-256 on arm64) does the work.
func scanners() []*scanner { return nil }
