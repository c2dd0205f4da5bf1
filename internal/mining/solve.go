package mining

import (
	"context"
	"errors"
	"math"

	"github.com/ballast-chain/ballast/internal/pow"
)

// ErrMaxTries is returned when Solve tried its budget of nonces.
var ErrMaxTries = errors.New("mining: nonce budget exhausted")

// Solve searches nonces, then extranonces, until the template's header meets
// its target, ctx ends, or maxTries hashes were tried (0: no limit). It
// reports the hashes tried. This is the simple portable search; the fast
// multi-lane kernels live in the miner.
func Solve(ctx context.Context, t *Template, maxTries uint64) (hashes uint64, err error) {
	h := &t.Block.Header
	for extra := uint64(1); ; extra++ {
		for n := uint64(0); n <= math.MaxUint32; n++ {
			if maxTries != 0 && hashes >= maxTries {
				return hashes, ErrMaxTries
			}
			if n&0xffff == 0 {
				if err := ctx.Err(); err != nil {
					return hashes, err
				}
			}
			h.Nonce = uint32(n)
			hash := h.BlockHash()
			hashes++
			if pow.HashMeetsTarget(&hash, &t.Target) {
				return hashes, nil
			}
		}
		t.SetExtranonce(extra)
	}
}
