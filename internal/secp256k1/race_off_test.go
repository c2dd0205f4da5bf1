//go:build !race && cgo && libsecp256k1

package secp256k1

const raceEnabled = false
