package stratum

import (
	"math"
	"sync"
	"time"

	"github.com/ballast-chain/ballast/internal/mining"
	"github.com/ballast-chain/ballast/internal/wire"
)

// Share is an accepted share as PPLNS counts it.
type Share struct {
	Seq        uint64
	Worker     string
	Lock       wire.Lock
	Difficulty float64
	Time       time.Time
}

// Payout is one coinbase output of a pool-mode job and the shares behind
// it: the shares with sequence numbers FirstSeq..LastSeq of this lock that
// were in the window when the job was made.
type Payout struct {
	Lock     wire.Lock
	Weight   uint64 // sum of the shares' difficulty in units of 2^-32
	Shares   int
	FirstSeq uint64
	LastSeq  uint64
}

// FoundBlock records a block the pool found and what it paid whom.
type FoundBlock struct {
	Hash    string
	Height  int32
	Worker  string
	Time    time.Time
	Payouts []Payout
}

// PPLNS keeps the last N shares, by difficulty: the window holds the newest
// shares whose difficulties sum to at most Window (at least one share).
type PPLNS struct {
	window float64
	mu     sync.Mutex
	shares []Share // oldest first
	sum    float64
	seq    uint64
}

// NewPPLNS returns an empty window of the given total difficulty.
func NewPPLNS(window float64) *PPLNS { return &PPLNS{window: window} }

// Add records an accepted share and returns its sequence number.
func (p *PPLNS) Add(worker string, lock wire.Lock, diff float64, now time.Time) uint64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.seq++
	p.shares = append(p.shares, Share{Seq: p.seq, Worker: worker, Lock: lock, Difficulty: diff, Time: now})
	p.sum += diff
	drop := 0
	for drop < len(p.shares)-1 && p.sum-p.shares[drop].Difficulty >= p.window {
		p.sum -= p.shares[drop].Difficulty
		drop++
	}
	if drop > 0 {
		p.shares = append(p.shares[:0], p.shares[drop:]...)
	}
	return p.seq
}

// shareWeight turns a difficulty into an integer weight (expected hashes),
// capped so a window's sum cannot overflow.
func shareWeight(d float64) uint64 {
	w := d * (1 << 32)
	if w >= 1<<44 {
		return 1 << 44
	}
	return uint64(math.Max(1, math.Round(w)))
}

// Payouts aggregates the window by lock, in order of each lock's first
// share.
func (p *PPLNS) Payouts() []Payout {
	p.mu.Lock()
	defer p.mu.Unlock()
	idx := map[string]int{}
	var out []Payout
	for _, s := range p.shares {
		k := lockKey(s.Lock)
		i, ok := idx[k]
		if !ok {
			i = len(out)
			idx[k] = i
			out = append(out, Payout{Lock: s.Lock, FirstSeq: s.Seq})
		}
		out[i].Weight += shareWeight(s.Difficulty)
		out[i].Shares++
		out[i].LastSeq = s.Seq
	}
	return out
}

// Shares returns a copy of the window.
func (p *PPLNS) Shares() []Share {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]Share(nil), p.shares...)
}

func lockKey(l wire.Lock) string { return string(rune(l.Kind)) + string(l.Data) }

// payoutShares converts payouts into the template's coinbase split.
func payoutShares(ps []Payout) []mining.PayoutShare {
	out := make([]mining.PayoutShare, len(ps))
	for i, p := range ps {
		out[i] = mining.PayoutShare{Lock: p.Lock, Weight: p.Weight}
	}
	return out
}
