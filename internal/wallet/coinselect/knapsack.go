package coinselect

import (
	"math/rand/v2"
	"slices"
	"sort"
)

// KnapsackIterations is how many random subsets Knapsack tries per target
// (Core's ApproximateBestSubset).
const KnapsackIterations = 1000

// Knapsack is Core's fallback when no changeless input set exists: it
// looks for the input set whose effective value is closest above the
// target plus a worthwhile change (ChangeFee + MinChange), comparing random
// subsets of the coins smaller than that with the single smallest coin
// above it. It returns false only when all usable coins together do not
// reach Target. A result at or above Target but below Target + ChangeFee +
// MinChange makes no change: the excess goes to the fee.
//
// Unlike largest-first it neither spends a big coin for a small payment
// when small coins add up nor splits a big coin when one just covers the
// payment, which keeps the coin set from fragmenting. rng picks the random
// subsets; nil means a fixed seed, so results are reproducible.
func Knapsack(coins []Coin, p Params, rng *rand.Rand) (Result, bool) {
	if rng == nil {
		rng = rand.New(rand.NewPCG(uint64(p.Target), uint64(len(coins))))
	}
	changeTarget := p.ChangeFee + p.MinChange
	idx := usable(coins)
	rng.Shuffle(len(idx), func(a, b int) { idx[a], idx[b] = idx[b], idx[a] })
	var small []int
	lowestLarger := -1
	var totalLower int64
	for _, i := range idx {
		v := coins[i].effective()
		switch {
		case v == p.Target:
			return knapsackResult(coins, []int{i}, p), true
		case v < p.Target+changeTarget:
			small = append(small, i)
			totalLower += v
		case lowestLarger < 0 || v < coins[lowestLarger].effective():
			lowestLarger = i
		}
	}
	if totalLower == p.Target {
		return knapsackResult(coins, small, p), true
	}
	if totalLower < p.Target {
		if lowestLarger < 0 {
			return Result{}, false
		}
		return knapsackResult(coins, []int{lowestLarger}, p), true
	}
	sort.SliceStable(small, func(a, b int) bool { return coins[small[a]].effective() > coins[small[b]].effective() })
	best, bestSum := approximateBestSubset(coins, small, totalLower, p.Target, rng)
	if bestSum != p.Target && totalLower >= p.Target+changeTarget {
		best, bestSum = approximateBestSubset(coins, small, totalLower, p.Target+changeTarget, rng)
	}
	if lowestLarger >= 0 && (bestSum != p.Target && bestSum < p.Target+changeTarget ||
		coins[lowestLarger].effective() <= bestSum) {
		return knapsackResult(coins, []int{lowestLarger}, p), true
	}
	return knapsackResult(coins, best, p), true
}

// approximateBestSubset returns the subset of small (indexes into coins,
// largest first) with the least sum at or above target among
// KnapsackIterations random tries, starting from all of them (sum total).
func approximateBestSubset(coins []Coin, small []int, total, target int64, rng *rand.Rand) ([]int, int64) {
	best := slices.Clone(small)
	bestSum := total
	in := make([]bool, len(small))
	for rep := 0; rep < KnapsackIterations && bestSum != target; rep++ {
		clear(in)
		var sum int64
		reached := false
		for pass := 0; pass < 2 && !reached; pass++ {
			for j, i := range small {
				// First pass: a random half; second pass: the rest, in order.
				if pass == 0 && rng.IntN(2) == 0 || pass == 1 && in[j] {
					continue
				}
				v := coins[i].effective()
				sum += v
				in[j] = true
				if sum >= target {
					reached = true
					if sum < bestSum {
						bestSum = sum
						best = best[:0]
						for k, ok := range in {
							if ok {
								best = append(best, small[k])
							}
						}
					}
					sum -= v
					in[j] = false
				}
			}
		}
	}
	return best, bestSum
}

// knapsackResult builds the result of spending the coins at idx: change if
// the excess pays a change output and MinChange, else the excess to the fee.
func knapsackResult(coins []Coin, idx []int, p Params) Result {
	r := Result{Indexes: slices.Clone(idx), Algo: "knapsack"}
	sort.Ints(r.Indexes)
	var sum int64
	for _, i := range r.Indexes {
		r.Fee += coins[i].Fee
		sum += coins[i].effective()
	}
	if excess := sum - p.Target; excess >= p.ChangeFee+p.MinChange {
		r.Change = excess - p.ChangeFee
		r.Fee += p.ChangeFee
	} else {
		r.Fee += excess
	}
	return r
}
