//go:build race

package mempool

// raceEnabled shortens the random-operation stream under -race, which slows
// signature checks several times without adding coverage.
const raceEnabled = true
