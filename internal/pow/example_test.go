package pow_test

import (
	"fmt"
	"math/big"

	"github.com/ballast-chain/ballast/internal/pow"
)

// The bits of the block at height h, anchored at the genesis block: the
// height delta is that of the parent (h-1) and the time delta is the parent's
// timestamp minus the genesis timestamp.
func ExampleCalcASERTBits() {
	powLimit, _ := new(big.Int).SetString("00000000ffffffffffffffffffffffffffffffffffffffffffffffffffffffff", 16)
	const (
		spacing     = 600        // seconds between blocks
		halfLife    = 2 * 86400  // two days
		genesisTime = 1700000000 // genesis timestamp
		genesisBits = 0x1c0ffff0 // genesis compact target
	)
	bits := func(h int64, parentTime int64) uint32 {
		return pow.CalcASERTBits(powLimit, spacing, halfLife, genesisBits, h-1, parentTime-genesisTime)
	}
	// Block 1: its parent is the genesis block.
	fmt.Printf("%08x\n", bits(1, genesisTime))
	// Block 1001, parent exactly on schedule.
	fmt.Printf("%08x\n", bits(1001, genesisTime+1000*spacing))
	// Parent two days (one half-life) late: target doubles.
	fmt.Printf("%08x\n", bits(1001, genesisTime+1000*spacing+halfLife))
	// Parent one half-life early: target halves.
	fmt.Printf("%08x\n", bits(1001, genesisTime+1000*spacing-halfLife))
	// Output:
	// 1c0ffff0
	// 1c0ffff0
	// 1c1fffe0
	// 1c07fff8
}
