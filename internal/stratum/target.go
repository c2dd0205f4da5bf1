package stratum

import (
	"math"
	"math/big"
	"time"

	"github.com/ballast-chain/ballast/internal/mining"
)

// TargetForDifficulty returns the share target of a Stratum difficulty
// (difficulty 1 = 0x00000000ffff0000..., as Bitcoin pools use), little-endian
// like pow.TargetBytes. Tiny difficulties saturate at the maximum target.
func TargetForDifficulty(d float64) [32]byte {
	var out [32]byte
	if d <= 0 || math.IsNaN(d) {
		d = math.SmallestNonzeroFloat64
	}
	q := new(big.Float).Quo(new(big.Float).SetInt(mining.Diff1()), big.NewFloat(d))
	t, _ := q.Int(nil)
	if t.BitLen() > 256 {
		for i := range out {
			out[i] = 0xff
		}
		return out
	}
	be := t.FillBytes(make([]byte, 32))
	for i := range be {
		out[31-i] = be[i]
	}
	return out
}

// VardiffConfig tunes per-connection difficulty.
type VardiffConfig struct {
	// ShareInterval is the target time between a connection's shares.
	ShareInterval time.Duration
	// Retarget is how often difficulty is reconsidered (also after
	// RetargetShares shares, whichever comes first).
	Retarget       time.Duration
	RetargetShares int
	Min, Max       float64
}

// nextDifficulty returns the difficulty that would have given one share per
// ShareInterval over the last period, moving at most 4x each way, clamped
// to [Min, Max], and whether it differs enough (>10%) to announce.
func (c *VardiffConfig) nextDifficulty(cur float64, shares int, elapsed time.Duration) (float64, bool) {
	elapsed = max(elapsed, time.Millisecond) // a clock that did not move: very fast
	// shares*interval/elapsed is how many times too many shares came.
	factor := float64(shares) * float64(c.ShareInterval) / float64(elapsed)
	factor = min(max(factor, 0.25), 4)
	next := min(max(cur*factor, c.Min), c.Max)
	if math.Abs(next-cur) <= 0.1*cur {
		return cur, false
	}
	return next, true
}
