//go:build race

package matching

// raceEnabled shortens the long random-stream tests under -race, which
// slows the engine ~10x without adding coverage to single-threaded code.
const raceEnabled = true
