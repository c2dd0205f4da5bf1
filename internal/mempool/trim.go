package mempool

import (
	"log/slog"
	"math"
	"time"
)

const (
	// rollingFeeHalfLife is how fast the rolling minimum fee decays once a
	// block has arrived since it last rose (Core's ROLLING_FEE_HALFLIFE),
	// halved below half the size limit and quartered below a quarter.
	rollingFeeHalfLife = 12 * time.Hour
	// rollingFeeUpdate is the least time between two decay steps.
	rollingFeeUpdate = 10 * time.Second
	// expiryScanInterval bounds how often acceptance looks for expired
	// transactions (a full scan; Expire can be called at any time).
	expiryScanInterval = time.Minute
)

// minFeeRate returns the rolling minimum fee rate, decaying it first as
// Core's CTxMemPool::GetMinFee does. Zero means no minimum beyond the relay
// fee.
func (p *Pool) minFeeRate(now time.Time) FeeRate {
	if !p.blockSinceBump || p.rollingMinFee == 0 {
		return FeeRate(math.Round(p.rollingMinFee))
	}
	if now.Sub(p.lastRollingUpdate) > rollingFeeUpdate {
		half := rollingFeeHalfLife
		switch {
		case p.usage < p.cfg.MaxUsage/4:
			half /= 4
		case p.usage < p.cfg.MaxUsage/2:
			half /= 2
		}
		elapsed := now.Sub(p.lastRollingUpdate).Seconds()
		p.rollingMinFee /= math.Pow(2, elapsed/half.Seconds())
		p.lastRollingUpdate = now
		if p.rollingMinFee < float64(p.cfg.IncrementalRelayFeeRate)/2 {
			p.rollingMinFee = 0
			return 0
		}
	}
	return max(FeeRate(math.Round(p.rollingMinFee)), p.cfg.IncrementalRelayFeeRate)
}

// bumpRollingFee raises the rolling minimum to rate; it does not decay
// until the next block.
func (p *Pool) bumpRollingFee(rate FeeRate) {
	if float64(rate) > p.rollingMinFee {
		p.rollingMinFee = float64(rate)
		p.blockSinceBump = false
	}
}

// trim expires old transactions and then, while the pool is over its size
// limit, evicts the transaction with the lowest descendant score together
// with its descendants, raising the rolling minimum fee to that package's
// fee rate plus the incremental relay fee (Core's TrimToSize).
func (p *Pool) trim(now time.Time) {
	if now.Sub(p.lastExpiry) >= expiryScanInterval {
		p.expire(now)
	}
	removed := 0
	var maxRate FeeRate
	for len(p.evict) > 0 && p.usage > p.cfg.MaxUsage {
		e := p.evict[0]
		rate := rateOf(e.descFee, e.descSize) + p.cfg.IncrementalRelayFeeRate
		p.bumpRollingFee(rate)
		maxRate = max(maxRate, rate)
		set := p.withDescendants([]*txEntry{e})
		removed += len(set)
		p.removeSet(set, removeEvicted)
	}
	if removed > 0 {
		p.log.Info("mempool trimmed", slog.Int("removed", removed), slog.Int64("min_fee_rate", int64(maxRate)),
			slog.Int64("usage", p.usage))
	}
}

// Expire removes transactions that entered before now minus the expiry
// time, with their descendants, and returns how many it removed.
func (p *Pool) Expire(now time.Time) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := p.expire(now)
	p.checkInvariants()
	return n
}

func (p *Pool) expire(now time.Time) int {
	p.lastExpiry = now
	cutoff := now.Add(-p.cfg.Expiry)
	var old []*txEntry
	for _, e := range p.txs {
		if e.time.Before(cutoff) {
			old = append(old, e)
		}
	}
	if len(old) == 0 {
		return 0
	}
	set := p.withDescendants(old)
	p.removeSet(set, removeExpired)
	p.log.Info("mempool expired", slog.Int("removed", len(set)))
	return len(set)
}
