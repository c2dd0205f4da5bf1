// Package coinselect chooses which outputs fund a payment, as Core does:
// branch-and-bound search for an input set that needs no change output,
// then the knapsack solver, which adds change (or, when the change would be
// too small to be worth an output, gives the excess to the fee).
// Largest-first is kept for callers that want the fewest inputs. It is
// pure: amounts are integers, fees come from the caller's rate, random
// choices from the caller's source, nothing is logged.
package coinselect

import (
	"errors"
	"math/rand/v2"
	"sort"
)

// ErrInsufficient: the coins cannot pay the target and its fees.
var ErrInsufficient = errors.New("coinselect: insufficient funds")

// BnBMaxTries bounds the branch-and-bound search (Core's TOTAL_TRIES).
const BnBMaxTries = 100_000

// Coin is a spendable output as the selector sees it.
type Coin struct {
	Value int64
	// Fee is what spending it costs at the target fee rate (its input's
	// virtual size times the rate).
	Fee int64
}

func (c Coin) effective() int64 { return c.Value - c.Fee }

// Params describe the payment.
type Params struct {
	// Target is what the outputs pay plus the fee of the transaction
	// without inputs or change.
	Target int64
	// ChangeFee is what adding a change output costs now; ChangeCost adds
	// what spending that change later costs (Core's cost_of_change): a
	// changeless solution may waste up to ChangeCost.
	ChangeFee, ChangeCost int64
	// MinChange is the smallest change worth making (above dust).
	MinChange int64
	// Rand drives the knapsack solver's random subsets; nil means a fixed
	// seed (reproducible selections).
	Rand *rand.Rand
}

// Result is a selection: indexes into the coins, and the change (0: none).
type Result struct {
	Indexes []int
	Change  int64
	Fee     int64  // the fee paid by the inputs and change output (excludes Target's part)
	Algo    string // "bnb", "knapsack" or "largest_first"
}

// Select picks coins for p: branch-and-bound when some input set needs no
// change, else knapsack. Coins whose fee exceeds their value are never
// chosen.
func Select(coins []Coin, p Params) (Result, error) {
	if r, ok := BranchAndBound(coins, p); ok {
		return r, nil
	}
	if r, ok := Knapsack(coins, p, p.Rand); ok {
		return r, nil
	}
	return Result{}, ErrInsufficient
}

// usable returns the indexes of coins with positive effective value,
// largest effective value first.
func usable(coins []Coin) []int {
	idx := make([]int, 0, len(coins))
	for i, c := range coins {
		if c.effective() > 0 {
			idx = append(idx, i)
		}
	}
	sort.SliceStable(idx, func(a, b int) bool { return coins[idx[a]].effective() > coins[idx[b]].effective() })
	return idx
}

// BranchAndBound searches depth first, largest coins first, for the input
// set whose effective value lands in [Target, Target+ChangeCost] with the
// least waste (excess over Target), so no change output is needed.
func BranchAndBound(coins []Coin, p Params) (Result, bool) {
	idx := usable(coins)
	remaining := int64(0)
	for _, i := range idx {
		remaining += coins[i].effective()
	}
	if remaining < p.Target {
		return Result{}, false
	}
	var best []int
	bestWaste := int64(-1)
	cur := make([]bool, len(idx))
	var sum int64
	tries := 0
	var walk func(depth int, remaining int64)
	walk = func(depth int, remaining int64) {
		tries++
		if tries > BnBMaxTries || sum+remaining < p.Target || sum > p.Target+p.ChangeCost {
			return
		}
		if sum >= p.Target {
			if waste := sum - p.Target; bestWaste < 0 || waste < bestWaste {
				bestWaste = waste
				best = best[:0]
				for j, in := range cur {
					if in {
						best = append(best, idx[j])
					}
				}
			}
			return
		}
		if depth == len(idx) {
			return
		}
		v := coins[idx[depth]].effective()
		cur[depth] = true
		sum += v
		walk(depth+1, remaining-v)
		sum -= v
		cur[depth] = false
		// Skipping a coin equal to the one just skipped explores the same sums.
		if depth > 0 && !cur[depth-1] && coins[idx[depth-1]].effective() == v {
			return
		}
		walk(depth+1, remaining-v)
	}
	walk(0, remaining)
	if bestWaste < 0 {
		return Result{}, false
	}
	r := Result{Indexes: append([]int(nil), best...), Algo: "bnb"}
	sort.Ints(r.Indexes)
	for _, i := range r.Indexes {
		r.Fee += coins[i].Fee
	}
	r.Fee += bestWaste // the excess goes to the fee
	return r, true
}

// LargestFirst adds the largest coins until they pay the target and a
// change output of at least MinChange; if they pay the target but not a
// worthwhile change, the remainder goes to the fee.
func LargestFirst(coins []Coin, p Params) (Result, error) {
	var r Result
	r.Algo = "largest_first"
	var sum int64
	for _, i := range usable(coins) {
		r.Indexes = append(r.Indexes, i)
		r.Fee += coins[i].Fee
		sum += coins[i].effective()
		if sum >= p.Target+p.ChangeFee+p.MinChange {
			r.Change = sum - p.Target - p.ChangeFee
			r.Fee += p.ChangeFee
			sort.Ints(r.Indexes)
			return r, nil
		}
	}
	if sum >= p.Target {
		r.Fee += sum - p.Target
		sort.Ints(r.Indexes)
		return r, nil
	}
	return Result{}, ErrInsufficient
}
