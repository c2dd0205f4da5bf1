//go:build race && cgo && libsecp256k1

package secp256k1

// raceEnabled shortens the random cross-check under -race, which slows the
// pure-Go verifier about tenfold and adds nothing to its single-threaded
// checks (TestConcurrentVerify covers sharing).
const raceEnabled = true
