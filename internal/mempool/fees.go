package mempool

import (
	"math"
	"sort"
	"sync"

	"github.com/ballast-chain/ballast/internal/chainhash"
)

// Fee estimation: a simplified Bitcoin Core CBlockPolicyEstimator. The pool
// tells the estimator the fee rate of each transaction it accepts (without
// unconfirmed parents, while the estimator has seen the tip) and, for each
// block, which of them it confirmed; the estimator records per fee-rate
// bucket how many blocks they took. For a target of N blocks it answers the
// lowest fee rate range in which at least 85% (conservative: 95%) of the
// transactions confirmed within N blocks, counting as failures those that
// left the pool unconfirmed after waiting N blocks and those still waiting
// longer than N.

const (
	// MaxConfirmTarget is the largest confirmation target (Core's 1008).
	MaxConfirmTarget = 1008
	// Buckets: fee rates from 1,000 to 10^7 per kvB, 5% apart, plus one
	// for everything above (Core's MIN/MAX_BUCKET_FEERATE, FEE_SPACING).
	minBucketRate = 1000
	maxBucketRate = 1e7
	bucketSpacing = 1.05
	// A bucket range is judged once it holds on average this many
	// confirmed transactions per block of the horizon's memory
	// (SUFFICIENT_FEETXS / (1 - decay)).
	sufficientTxs = 0.1
	// Success thresholds (Core's SUCCESS_PCT and DOUBLE_SUCCESS_PCT).
	economicalPct   = 0.85
	conservativePct = 0.95
)

// horizon is one of Core's TxConfirmStats: exponentially decaying counts by
// fee-rate bucket, and by confirmation period (scale blocks each).
type horizon struct {
	periods, scale int
	decay          float64
	txCt           []float64   // [bucket] confirmed transactions
	feeSum         []float64   // [bucket] sum of their fee rates
	conf           [][]float64 // [period][bucket] confirmed within (period+1)*scale blocks
	fail           [][]float64 // [period][bucket] left unconfirmed after (period+1)*scale blocks
}

func newHorizon(periods, scale int, decay float64, buckets int) *horizon {
	h := &horizon{periods: periods, scale: scale, decay: decay,
		txCt: make([]float64, buckets), feeSum: make([]float64, buckets)}
	h.conf = make([][]float64, periods)
	h.fail = make([][]float64, periods)
	for i := range h.conf {
		h.conf[i] = make([]float64, buckets)
		h.fail[i] = make([]float64, buckets)
	}
	return h
}

// maxConfirms is the largest target the horizon answers.
func (h *horizon) maxConfirms() int { return h.periods * h.scale }

func (h *horizon) decayAll() {
	for b := range h.txCt {
		h.txCt[b] *= h.decay
		h.feeSum[b] *= h.decay
	}
	for p := range h.conf {
		for b := range h.conf[p] {
			h.conf[p][b] *= h.decay
			h.fail[p][b] *= h.decay
		}
	}
}

func (h *horizon) recordConfirm(blocks, bucket int, rate float64) {
	for p := (blocks+h.scale-1)/h.scale - 1; p < h.periods; p++ {
		h.conf[p][bucket]++
	}
	h.txCt[bucket]++
	h.feeSum[bucket] += rate
}

func (h *horizon) recordFailure(blocksWaited, bucket int) {
	for p := 0; p < blocksWaited/h.scale && p < h.periods; p++ {
		h.fail[p][bucket]++
	}
}

// median walks the buckets from the highest fee rate down, growing a range
// until it holds enough data, and returns the average fee rate of the
// median bucket in the lowest range that met the success threshold (Core's
// EstimateMedianVal). extra[b] counts transactions of bucket b still
// waiting after target blocks. -1 means no answer.
func (h *horizon) median(target int, threshold float64, extra []float64) float64 {
	period := (target + h.scale - 1) / h.scale
	need := sufficientTxs / (1 - h.decay)
	var nConf, total, failed, waiting float64
	found := false
	bestNear, bestFar, curNear := -1, -1, len(h.txCt)-1
	for b := len(h.txCt) - 1; b >= 0; b-- {
		nConf += h.conf[period-1][b]
		total += h.txCt[b]
		failed += h.fail[period-1][b]
		waiting += extra[b]
		if total < need {
			continue
		}
		if nConf/(total+failed+waiting) < threshold {
			continue // keep widening the failing range downwards
		}
		found = true
		bestNear, bestFar = curNear, b
		nConf, total, failed, waiting = 0, 0, 0, 0
		curNear = b - 1
	}
	if !found {
		return -1
	}
	lo, hi := min(bestNear, bestFar), max(bestNear, bestFar)
	var sum float64
	for b := lo; b <= hi; b++ {
		sum += h.txCt[b]
	}
	if sum == 0 {
		return -1
	}
	half := sum / 2
	for b := lo; b <= hi; b++ {
		if h.txCt[b] < half {
			half -= h.txCt[b]
			continue
		}
		return h.feeSum[b] / h.txCt[b]
	}
	return -1
}

type trackedTx struct {
	height int32
	bucket int
	rate   float64
}

// FeeEstimator estimates the fee rate that confirms within a target number
// of blocks. It has two horizons, as Core's medium and long ones: targets up
// to 48 blocks in periods of 2 with a half-life of 144 blocks, and up to
// 1,008 in periods of 24 with a half-life of 1,008 blocks. It is safe for
// concurrent use.
type FeeEstimator struct {
	mu      sync.Mutex
	bounds  []float64 // bucket upper bounds, the last +Inf
	hz      [2]*horizon
	tracked map[chainhash.Hash]trackedTx
	best    int32 // last block processed
	first   int32 // first block that confirmed a tracked transaction; 0 = none
}

// NewFeeEstimator returns an estimator with no data.
func NewFeeEstimator() *FeeEstimator {
	var bounds []float64
	for r := float64(minBucketRate); r <= maxBucketRate; r *= bucketSpacing {
		bounds = append(bounds, r)
	}
	bounds = append(bounds, math.Inf(1))
	f := &FeeEstimator{bounds: bounds, tracked: make(map[chainhash.Hash]trackedTx)}
	f.hz[0] = newHorizon(24, 2, 0.9952, len(bounds))
	f.hz[1] = newHorizon(42, 24, 0.99931, len(bounds))
	return f
}

func (f *FeeEstimator) bucketOf(rate FeeRate) int {
	return sort.SearchFloat64s(f.bounds, float64(rate))
}

// processTx starts following a transaction that entered the pool at height
// with the given fee rate. As Core, only transactions entering while the
// estimator has processed the tip (height == last block) are followed.
func (f *FeeEstimator) processTx(txid chainhash.Hash, height int32, rate FeeRate) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if height != f.best || f.best == 0 {
		return false
	}
	if _, ok := f.tracked[txid]; ok {
		return false
	}
	f.tracked[txid] = trackedTx{height: height, bucket: f.bucketOf(rate), rate: float64(rate)}
	return true
}

// processBlock records a block at height that confirmed txids. A height not
// above the last processed (a reorg) only stops following them.
func (f *FeeEstimator) processBlock(height int32, txids []chainhash.Hash) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if height <= f.best {
		for _, id := range txids {
			delete(f.tracked, id)
		}
		return
	}
	f.best = height
	for _, h := range f.hz {
		h.decayAll()
	}
	counted := 0
	for _, id := range txids {
		t, ok := f.tracked[id]
		if !ok {
			continue
		}
		delete(f.tracked, id)
		blocks := int(height - t.height)
		if blocks <= 0 {
			continue
		}
		for _, h := range f.hz {
			// One that took longer than the horizon counts in the total
			// but in no period: a failure for every target.
			h.recordConfirm(blocks, t.bucket, t.rate)
		}
		counted++
	}
	if f.first == 0 && counted > 0 {
		f.first = height
	}
}

// removeTx stops following a transaction that left the pool unconfirmed,
// counting it as a failure for every period it waited through.
func (f *FeeEstimator) removeTx(txid chainhash.Hash) {
	f.mu.Lock()
	defer f.mu.Unlock()
	t, ok := f.tracked[txid]
	if !ok {
		return
	}
	delete(f.tracked, txid)
	for _, h := range f.hz {
		h.recordFailure(int(f.best-t.height), t.bucket)
	}
}

// FeeEstimate is estimatesmartfee's answer: a fee rate per kvB, and the
// target it is for (which may be lower than asked when the estimator has not
// seen enough blocks).
type FeeEstimate struct {
	FeeRate FeeRate
	Blocks  int
}

// EstimateSmartFee returns the fee rate expected to confirm within target
// blocks (1..MaxConfirmTarget; 1 is answered as 2, as Core does). The target
// is lowered to half the number of blocks the estimator has data for. With
// too little data the error is ErrNoFeeEstimate ("Insufficient data or no
// feerate found") and Blocks still says which target was tried.
func (f *FeeEstimator) EstimateSmartFee(target int, conservative bool) (FeeEstimate, error) {
	if target < 1 || target > MaxConfirmTarget {
		return FeeEstimate{}, ruleError(ErrInvalidTarget, "Invalid conf_target, must be between 1 and %d", MaxConfirmTarget)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	t := max(target, 2)
	usable := 0
	if f.first > 0 {
		usable = int(f.best-f.first) / 2
	}
	t = min(t, usable)
	res := FeeEstimate{Blocks: t}
	if t <= 1 {
		return res, &RuleError{Kind: ErrNoFeeEstimate}
	}
	rate := f.estimate(t, economicalPct)
	if conservative {
		rate = max(rate, f.estimate(t, conservativePct))
	}
	if rate < 0 {
		return res, &RuleError{Kind: ErrNoFeeEstimate}
	}
	res.FeeRate = FeeRate(math.Round(rate))
	return res, nil
}

// estimate returns the median-bucket fee rate for target at threshold from
// the shortest horizon that covers it, or -1.
func (f *FeeEstimator) estimate(target int, threshold float64) float64 {
	h := f.hz[0]
	if target > h.maxConfirms() {
		h = f.hz[1]
	}
	extra := make([]float64, len(f.bounds))
	for _, t := range f.tracked {
		if int(f.best-t.height) >= target {
			extra[t.bucket]++
		}
	}
	return h.median(target, threshold, extra)
}
