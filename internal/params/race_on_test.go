//go:build race

package params

// raceEnabled skips the slowest re-mining under the race detector, which
// makes hashing several times slower; plain go test still runs it.
const raceEnabled = true
